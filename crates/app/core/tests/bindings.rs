//! The UI's TypeScript types are generated from the Rust types and committed;
//! this fails when they are stale.

use std::path::PathBuf;

#[test]
fn typescript_bindings_are_up_to_date() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../ui/src/lib/backend/bindings.ts");
    let fresh = hearth_core::typescript_bindings();
    if std::env::var_os("HEARTH_UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &fresh).expect("write bindings");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "ui/src/lib/backend/bindings.ts is stale; run `HEARTH_UPDATE_BINDINGS=1 cargo test -p hearth-core --test bindings`"
    );
}
