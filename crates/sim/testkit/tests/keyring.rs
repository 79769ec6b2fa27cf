//! Issue 15 item 11: every world has a keyring of its own. Keys its processes store are
//! visible to the world (and its app), gone when it ends, never linked into the user's
//! persistent keyring, and a key an earlier crashed run left there is not seen.

use std::process::{Command, Stdio};

use hearth_testkit::{World, bins};

/// Runs `hearth-keystore-probe ARGS` with `env` (and the secret on stdin for `store`);
/// returns its first output line.
fn probe(env: &[(String, String)], args: &[&str], stdin: &str) -> String {
    use std::io::Write as _;
    let mut child = Command::new(bins::keystore_probe().expect("the keystore probe"))
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the probe starts");
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes()).expect("stdin");
    }
    let out = child.wait_with_output().expect("the probe ends");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

const SECRET: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";

#[test]
fn a_world_keeps_its_keys_to_itself_and_leaves_none_behind() {
    // What a crashed run of the old world left: a key under a fixed id in the persistent
    // keyring (the `keyutils` backend links it there), from a session of its own.
    let id = "testkit-keyring-check";
    let leftover = Command::new("keyctl")
        .args(["session", "-"])
        .arg(bins::keystore_probe().expect("the keystore probe"))
        .args(["store", id])
        .env("HEARTH_KEYRING", "keyutils")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            if let Some(mut input) = child.stdin.take() {
                input.write_all(SECRET.as_bytes())?;
            }
            child.wait_with_output()
        })
        .expect("keyctl (Debian package keyutils)");
    assert!(
        String::from_utf8_lossy(&leftover.stdout).starts_with("ok store"),
        "{leftover:?}"
    );

    let world = World::builder()
        .devices(0)
        .up()
        .expect("the world comes up");
    assert_eq!(
        world.owner_key_bytes(id),
        None,
        "the leftover is not this world's"
    );
    let env = world.app_env();
    assert!(env.contains(&("HEARTH_KEYRING".into(), "keyutils-session".into())));

    // A process of the world (as the app would be) stores a key; the world reads it back.
    let own = "testkit-own-key";
    assert!(probe(&env, &["store", own], SECRET).starts_with("ok store"));
    assert_eq!(world.owner_key_bytes(own), Some(vec![0x5a; 32]));
    let stored = world
        .keyring()
        .expect("a private keyring")
        .key_descriptions()
        .expect("the session keyring");
    assert_eq!(
        stored,
        [format!("keyring:owner-key:{own}@org.hearth.app")],
        "only its own key, linked straight into its session keyring"
    );
    world.down().expect("the world goes down");

    // Nothing of it in the persistent keyring, and the world's session keyring was cleared:
    // a fresh session (through the backend that searches the persistent keyring) finds
    // the leftover but not the world's key. The leftover is removed again.
    let after = Command::new("keyctl")
        .args(["session", "-", "sh", "-c"])
        .arg(r#""$0" load "$1" </dev/null; "$0" load "$2" </dev/null; "$0" delete "$1" </dev/null"#)
        .arg(bins::keystore_probe().expect("the keystore probe"))
        .args([id, own])
        .env("HEARTH_KEYRING", "keyutils")
        .output()
        .expect("keyctl");
    let lines: Vec<String> = String::from_utf8_lossy(&after.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(lines[0].starts_with("ok load"), "{lines:?}");
    assert_eq!(lines[1], "error keystore.not_found", "{lines:?}");
    assert_eq!(lines[2], "ok delete", "{lines:?}");
}
