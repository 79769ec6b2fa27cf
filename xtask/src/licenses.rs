//! Generates `crates/app/core/data/licenses.json`: every component bundled into the
//! app — the Rust crates the app links (normal dependencies, Linux target) and
//! the npm packages the UI ships (not its dev tools) — with its licence.

use std::{
    collections::{BTreeMap, BTreeSet},
    process::Command,
};

use serde_json::{Value, json};

use crate::steps::{Failure, root};

const APP: &str = "hearth-app";
const TARGET: &str = "x86_64-unknown-linux-gnu";

fn rust_components() -> Result<Vec<Value>, Failure> {
    let out = Command::new("cargo")
        .args(["metadata", "--format-version", "1", "--locked"])
        .args(["--filter-platform", TARGET])
        .current_dir(root())
        .output()
        .map_err(|e| Failure(format!("cargo metadata: {e}")))?;
    if !out.status.success() {
        return Err(Failure(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let meta: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| Failure(format!("cargo metadata output: {e}")))?;
    let members: BTreeSet<&str> = meta["workspace_members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let packages: BTreeMap<&str, &Value> = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["id"].as_str()?, p)))
        .collect();
    let nodes: BTreeMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| Some((n["id"].as_str()?, n)))
        .collect();
    let app = packages
        .values()
        .find(|p| p["name"] == APP)
        .and_then(|p| p["id"].as_str())
        .ok_or_else(|| Failure(format!("{APP} is not in the workspace")))?;
    // Walk normal (linked) dependencies only: build scripts and dev tools do not ship.
    let mut seen = BTreeSet::new();
    let mut stack = vec![app];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        for dep in nodes
            .get(id)
            .and_then(|n| n["deps"].as_array())
            .into_iter()
            .flatten()
        {
            let linked = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k["kind"].is_null());
            if let (true, Some(pkg)) = (linked, dep["pkg"].as_str()) {
                stack.push(pkg);
            }
        }
    }
    Ok(seen
        .into_iter()
        .filter(|id| !members.contains(id))
        .filter_map(|id| packages.get(id))
        .map(|p| {
            json!({
                "name": p["name"],
                "version": p["version"],
                "source": "crates.io",
                "license": p["license"].as_str().unwrap_or("see its repository"),
            })
        })
        .collect())
}

fn npm_components() -> Result<Vec<Value>, Failure> {
    let path = root().join("ui/package-lock.json");
    let text =
        std::fs::read_to_string(&path).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    let lock: Value =
        serde_json::from_str(&text).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    Ok(lock["packages"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(key, p)| key.starts_with("node_modules/") && p["dev"] != true)
        .map(|(key, p)| {
            let name = key.rsplit("node_modules/").next().unwrap_or(key);
            json!({
                "name": name,
                "version": p["version"],
                "source": "npm",
                "license": p["license"].as_str().unwrap_or("see its repository"),
            })
        })
        .collect())
}

/// Writes the list, or with `check` fails if the committed one differs.
pub fn run(check: bool) -> Result<(), Failure> {
    let mut components = rust_components()?;
    components.extend(npm_components()?);
    components.sort_by_key(|c| {
        (
            c["name"].as_str().unwrap_or_default().to_owned(),
            c["version"].as_str().unwrap_or_default().to_owned(),
        )
    });
    let text = serde_json::to_string_pretty(&json!({ "components": components }))
        .map_err(|e| Failure(e.to_string()))?
        + "\n";
    let path = root().join("crates/app/core/data/licenses.json");
    if check {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != text {
            return Err(Failure(
                "crates/app/core/data/licenses.json is stale: run `cargo xtask licenses`".into(),
            ));
        }
        println!(
            "xtask: the licence list is up to date ({} components)",
            components.len()
        );
    } else {
        std::fs::write(&path, text).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
        println!(
            "xtask: wrote {} components to {}",
            components.len(),
            path.display()
        );
    }
    Ok(())
}
