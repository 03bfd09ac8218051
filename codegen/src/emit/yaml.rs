//! The YAML text of a manifest: crdgen's one YAML writer, [`crdgen_yaml::to_yaml`],
//! which writes what sigs.k8s.io/yaml (and so controller-gen) writes.

pub use crdgen_yaml::to_yaml;
