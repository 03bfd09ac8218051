//! Generates the typed code for `crds/` and a JSON copy of the CRDs (to install them).

use std::path::{Path, PathBuf};

use crdgen::input::yaml::{Limits, parse};

fn main() -> Result<(), crdgen::Error> {
    // Tests that need control of the server (history compaction, restarts) are
    // reported as ignored when the suite targets a real cluster.
    println!("cargo::rerun-if-env-changed=CRDGEN_E2E_KUBECONFIG");
    println!("cargo::rustc-check-cfg=cfg(e2e_real_cluster)");
    if std::env::var_os("CRDGEN_E2E_KUBECONFIG").is_some_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=e2e_real_cluster");
    }
    crdgen::Builder::new()
        .crd("crds/")
        .apply_configurations(true)
        .write_to_out_dir("crds.rs")?;

    let mut files: Vec<PathBuf> = std::fs::read_dir("crds")
        .map_err(|e| crdgen::Error::Io {
            path: "crds".into(),
            source: e,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let mut crds = Vec::new();
    for file in &files {
        crds.extend(crd_documents(file)?);
    }
    let out = PathBuf::from(
        std::env::var("OUT_DIR")
            .map_err(|e| crdgen::Error::Environment(format!("OUT_DIR: {e}")))?,
    )
    .join("crds.json");
    let json = serde_json::to_string_pretty(&crds).expect("JSON values serialize");
    crdgen::render::write_if_changed(&out, &json)?;
    Ok(())
}

/// The `CustomResourceDefinition` documents of a YAML file, as JSON.
fn crd_documents(file: &Path) -> Result<Vec<serde_json::Value>, crdgen::Error> {
    let text = std::fs::read_to_string(file).map_err(|e| crdgen::Error::Io {
        path: file.into(),
        source: e,
    })?;
    let docs = parse(&text, Limits::default())
        .map_err(|e| crdgen::Error::Environment(format!("{}: {}", file.display(), e.message)))?;
    Ok(docs
        .iter()
        .map(|d| d.root.to_json())
        .filter(|v| v["kind"] == "CustomResourceDefinition")
        .collect())
}
