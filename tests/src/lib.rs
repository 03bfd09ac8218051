//! Cross-crate tests of crdgen. This library compiles every golden file with
//! `#![deny(warnings)]` against the real kube and k8s-openapi.
#![deny(warnings)]

/// The goldens, one module each (see `tests/golden.rs`).
#[allow(missing_docs)] // generated fields without a description in the CRD carry no doc
pub mod goldens {
    pub mod docs {
        include!("../expected/docs.rs");
    }
    pub mod enums_and_unions {
        include!("../expected/enums_and_unions.rs");
    }
    pub mod multi_version {
        include!("../expected/multi_version.rs");
    }
    pub mod nested_objects {
        include!("../expected/nested_objects.rs");
    }
    pub mod presence_and_defaults {
        include!("../expected/presence_and_defaults.rs");
    }
    pub mod preserve_intorstring_embedded {
        include!("../expected/preserve_intorstring_embedded.rs");
    }
    pub mod scalars_lists_maps {
        include!("../expected/scalars_lists_maps.rs");
    }
    pub mod well_known_types {
        include!("../expected/well_known_types.rs");
    }
    pub mod apply_configurations {
        include!("../expected/apply_configurations.rs");
    }
    /// `fixtures/overrides/certificates.yaml` with type overrides (`tests/options.rs`).
    pub mod type_overrides {
        include!("../expected/type_overrides.rs");
    }
}

/// A user type for a field (`path=Certificate.spec.duration=crate::units::Duration`
/// in the `type_overrides` golden).
pub mod units {
    /// A duration as Go writes it (`2160h`).
    #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Duration(pub String);
}
