//! Kinds: the group/version/resource a request addresses, a kind's versions with their
//! schemas and subresources (from a CRD or a typed kind).

use super::*;

/// Group, version and resource (plural) naming what a request addresses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gvr {
    /// API group (`""` for the core group).
    pub group: String,
    /// Version, e.g. `v1`.
    pub version: String,
    /// Plural resource name, e.g. `widgets`.
    pub resource: String,
}

impl Gvr {
    /// Build from parts.
    pub fn new(
        group: impl Into<String>,
        version: impl Into<String>,
        resource: impl Into<String>,
    ) -> Self {
        Gvr {
            group: group.into(),
            version: version.into(),
            resource: resource.into(),
        }
    }

    /// The `Gvr` of a typed kind.
    pub fn of<K: crate::CustomResource>() -> Self {
        Gvr::new(K::GROUP, K::VERSION, K::PLURAL)
    }

    /// `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

pub use crate::schema::ScaleInfo;

/// One version of a kind.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionInfo {
    /// Version name, e.g. `v1beta1`.
    pub name: String,
    /// Whether the version is served.
    pub served: bool,
    /// Whether this is the storage version.
    pub storage: bool,
    /// The `openAPIV3Schema`, when known (no pruning/validation without one).
    pub schema: Option<Value>,
    /// Whether the status subresource is enabled.
    pub status: bool,
    /// The scale subresource, when enabled.
    pub scale: Option<ScaleInfo>,
    /// Whether the version is deprecated.
    pub deprecated: bool,
    /// The deprecation warning, if any.
    pub deprecation_warning: Option<String>,
    /// `additionalPrinterColumns`, as in the CRD.
    pub printer_columns: Vec<Value>,
    /// JSON paths of `selectableFields` (without the leading dot).
    pub selectable_fields: Vec<String>,
}

/// A kind the tracker serves.
#[derive(Debug, Clone, PartialEq)]
pub struct KindInfo {
    /// API group.
    pub group: String,
    /// Kind, e.g. `Widget`.
    pub kind: String,
    /// List kind, e.g. `WidgetList`.
    pub list_kind: String,
    /// Plural resource name.
    pub plural: String,
    /// Singular resource name.
    pub singular: String,
    /// Short names.
    pub short_names: Vec<String>,
    /// Categories.
    pub categories: Vec<String>,
    /// Whether objects live in namespaces.
    pub namespaced: bool,
    /// The versions, in declaration order.
    pub versions: Vec<VersionInfo>,
}

impl KindInfo {
    /// The kind of a typed [`crate::CustomResource`], with one version, no schema, and
    /// the status and scale subresources its marker traits declare
    /// ([`CustomResource::subresources`](crate::CustomResource::subresources)).
    pub fn of<K: crate::CustomResource>() -> Self {
        let subresources = K::subresources();
        KindInfo {
            group: K::GROUP.to_owned(),
            kind: K::KIND.to_owned(),
            list_kind: K::LIST_KIND.to_owned(),
            plural: K::PLURAL.to_owned(),
            singular: K::SINGULAR.to_owned(),
            short_names: K::SHORT_NAMES.iter().map(|s| (*s).to_owned()).collect(),
            categories: K::CATEGORIES.iter().map(|s| (*s).to_owned()).collect(),
            namespaced: K::SCOPE == crate::Scope::Namespaced,
            versions: vec![VersionInfo {
                name: K::VERSION.to_owned(),
                served: true,
                storage: true,
                schema: None,
                status: subresources.status,
                scale: subresources.scale.map(|s| ScaleInfo {
                    spec_replicas_path: s.spec_replicas_path.to_owned(),
                    status_replicas_path: s.status_replicas_path.to_owned(),
                    label_selector_path: s.label_selector_path.map(str::to_owned),
                }),
                deprecated: K::DEPRECATION.is_some(),
                deprecation_warning: K::DEPRECATION.map(str::to_owned),
                printer_columns: Vec::new(),
                selectable_fields: Vec::new(),
            }],
        }
    }

    /// Enable the status subresource on every version (for kinds whose type does not
    /// declare it).
    #[must_use]
    pub fn with_status(mut self) -> Self {
        for v in &mut self.versions {
            v.status = true;
        }
        self
    }

    /// Enable the scale subresource of a kind on every version.
    #[must_use]
    pub fn with_scale<K: crate::HasScaleSubresource>(mut self) -> Self {
        for v in &mut self.versions {
            v.scale = Some(ScaleInfo {
                spec_replicas_path: K::SPEC_REPLICAS_PATH.to_owned(),
                status_replicas_path: K::STATUS_REPLICAS_PATH.to_owned(),
                label_selector_path: K::LABEL_SELECTOR_PATH.map(str::to_owned),
            });
        }
        self
    }

    /// Read a `CustomResourceDefinition` (apiextensions.k8s.io/v1) given as JSON.
    pub fn from_crd(crd: &Value) -> Result<Self, String> {
        // Refuse what kube-apiserver refuses, with its words.
        let invalid = crdgen_apiext::validate(crd);
        if !invalid.is_empty() {
            let name = crd.pointer("/metadata/name").and_then(Value::as_str);
            return Err(crdgen_apiext::invalid_message(
                name.unwrap_or_default(),
                &invalid,
            ));
        }
        let spec = crd.get("spec").ok_or("CRD has no spec")?;
        let s = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        let strings = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|x| s(Some(x))).collect())
                .unwrap_or_default()
        };
        let group = s(spec.get("group")).ok_or("CRD has no spec.group")?;
        let names = spec.get("names").ok_or("CRD has no spec.names")?;
        let kind = s(names.get("kind")).ok_or("CRD has no spec.names.kind")?;
        let plural = s(names.get("plural")).ok_or("CRD has no spec.names.plural")?;
        let mut versions = Vec::new();
        for v in spec
            .get("versions")
            .and_then(Value::as_array)
            .ok_or("CRD has no spec.versions")?
        {
            let name = s(v.get("name")).ok_or("CRD version has no name")?;
            let sub = v.get("subresources");
            let scale = ScaleInfo::of_crd_version(v);
            versions.push(VersionInfo {
                served: v.get("served").and_then(Value::as_bool).unwrap_or(true),
                storage: v.get("storage").and_then(Value::as_bool).unwrap_or(false),
                schema: v.pointer("/schema/openAPIV3Schema").cloned(),
                status: sub.and_then(|x| x.get("status")).is_some(),
                scale,
                deprecated: v
                    .get("deprecated")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                deprecation_warning: s(v.get("deprecationWarning")),
                printer_columns: v
                    .get("additionalPrinterColumns")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
                selectable_fields: v
                    .get("selectableFields")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|f| f.get("jsonPath").and_then(Value::as_str))
                            .map(|p| p.trim_start_matches('.').to_owned())
                            .collect()
                    })
                    .unwrap_or_default(),
                name,
            });
        }
        if versions.is_empty() {
            return Err("CRD has no versions".into());
        }
        if !versions.iter().any(|v| v.storage) {
            versions[0].storage = true;
        }
        Ok(KindInfo {
            list_kind: s(names.get("listKind")).unwrap_or_else(|| format!("{kind}List")),
            singular: s(names.get("singular")).unwrap_or_else(|| kind.to_lowercase()),
            short_names: strings(names.get("shortNames")),
            categories: strings(names.get("categories")),
            namespaced: s(spec.get("scope")).as_deref() != Some("Cluster"),
            group,
            kind,
            plural,
            versions,
        })
    }

    /// The version named `v`, if it is served.
    pub fn served_version(&self, v: &str) -> Option<&VersionInfo> {
        self.versions.iter().find(|x| x.name == v && x.served)
    }

    /// The storage version.
    pub fn storage_version(&self) -> &VersionInfo {
        self.versions
            .iter()
            .find(|v| v.storage)
            .unwrap_or(&self.versions[0])
    }

    /// `plural.group` (or `plural` for the core group), as in error messages.
    pub fn qualified_resource(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `Kind.group` (or `Kind`), as in `Invalid` error messages.
    pub fn qualified_kind(&self) -> String {
        if self.group.is_empty() {
            self.kind.clone()
        } else {
            format!("{}.{}", self.kind, self.group)
        }
    }

    pub(crate) fn api_version(&self, version: &str) -> String {
        if self.group.is_empty() {
            version.to_owned()
        } else {
            format!("{}/{}", self.group, version)
        }
    }
}
