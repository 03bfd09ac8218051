//! The YAML reader: [`crdgen_yaml`], re-exported here so the CRD loader, the CLI and
//! the tests read YAML through one implementation (kubectl's rules; see that crate).

pub use crdgen_yaml::*;
