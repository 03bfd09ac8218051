//! The README's dependency snippet (section "build.rs") is what a real user needs: every
//! dependency it lists, with its features and version, is one this example (compiled
//! and tested in CI) declares, in the same section. Checked through `cargo metadata`,
//! which resolves workspace-inherited dependencies.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// `(section, name)` → `(version, features)` from the README's first TOML block after
/// `### build.rs`. Only the forms the README uses are accepted, so a change of form
/// fails here instead of being skipped.
fn readme_dependencies() -> BTreeMap<(String, String), (String, Vec<String>)> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .expect("README.md at the repository root");
    let after = &readme[readme.find("### build.rs").expect("a build.rs section")..];
    let start = after.find("```toml\n").expect("a TOML block") + "```toml\n".len();
    let block = &after[start..start + after[start..].find("```").expect("closed")];
    let mut out = BTreeMap::new();
    let mut section = String::new();
    for line in block.lines() {
        let line = line.split(" #").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = s.to_owned();
            continue;
        }
        let (name, value) = line.split_once(" = ").unwrap_or_else(|| panic!("`{line}`"));
        let (version, features) = if let Some(v) = value.strip_prefix('"') {
            (v.trim_end_matches('"').to_owned(), Vec::new())
        } else {
            let inner = value
                .strip_prefix("{ ")
                .and_then(|v| v.strip_suffix(" }"))
                .unwrap_or_else(|| {
                    panic!("`{line}`: expected \"version\" or {{ version, features }}")
                });
            let version = inner
                .strip_prefix("version = \"")
                .and_then(|v| v.split_once('"'))
                .unwrap_or_else(|| panic!("`{line}`: version first"))
                .0
                .to_owned();
            let features = inner
                .split_once("features = [")
                .and_then(|(_, f)| f.split_once(']'))
                .map(|(f, _)| {
                    f.split(',')
                        .map(|x| x.trim().trim_matches('"').to_owned())
                        .filter(|x| !x.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            (version, features)
        };
        out.insert((section.clone(), name.to_owned()), (version, features));
    }
    out
}

/// `(section, name)` → `(version requirement, features)` of this example, resolved.
fn example_dependencies() -> BTreeMap<(String, String), (String, Vec<String>)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let package = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == env!("CARGO_PKG_NAME"))
        .expect("this package");
    let mut deps = BTreeMap::new();
    for d in package["dependencies"].as_array().expect("dependencies") {
        let section = match d["kind"].as_str() {
            None => "dependencies",
            Some("dev") => "dev-dependencies",
            Some("build") => "build-dependencies",
            Some(other) => panic!("kind {other}"),
        };
        let features = d["features"]
            .as_array()
            .expect("features")
            .iter()
            .map(|f| f.as_str().expect("a string").to_owned())
            .collect();
        let req = d["req"]
            .as_str()
            .expect("req")
            .trim_start_matches('^')
            .to_owned();
        deps.insert(
            (
                section.to_owned(),
                d["name"].as_str().expect("name").to_owned(),
            ),
            (req, features),
        );
    }
    deps
}

#[test]
fn the_readme_dependency_snippet_is_this_examples() {
    let readme = readme_dependencies();
    let example = example_dependencies();
    for need in [
        ("dependencies", "crdgen-runtime"),
        ("dependencies", "k8s-openapi"),
        ("dependencies", "tokio"),
        ("dev-dependencies", "crdgen-runtime"),
        ("build-dependencies", "crdgen"),
    ] {
        let key = (need.0.to_owned(), need.1.to_owned());
        assert!(
            readme.contains_key(&key),
            "the README snippet lacks {need:?}"
        );
    }
    assert!(
        readme[&("dev-dependencies".into(), "crdgen-runtime".into())]
            .1
            .contains(&"server".to_owned()),
        "tests need the `server` feature"
    );
    for (key, (version, features)) in &readme {
        let (req, have) = example
            .get(key)
            .unwrap_or_else(|| panic!("README lists {key:?}, which this example does not use"));
        assert!(
            req.starts_with(version.as_str()),
            "{key:?}: README {version}, example {req}"
        );
        for f in features {
            assert!(
                have.contains(f),
                "{key:?}: README feature `{f}` not in {have:?}"
            );
        }
    }
    println!(
        "README snippet: {} dependencies, each as this example declares it",
        readme.len()
    );
}
