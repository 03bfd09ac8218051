//! The names generated code uses for what it does not define, and the `use` lines
//! that bring them into a generated module.
//!
//! Every generated module is self-contained: its `use` lines name std, serde, kube,
//! k8s-openapi and the runtime (through the one configurable runtime path), so nothing
//! of the user's can shadow them. A name the module itself defines (a generated type
//! called `Resource` or `String`) is not imported: the emitter writes the full path
//! there instead.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use crate::ir::WellKnown;

/// A name generated code refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub(crate) enum Sym {
    Option,
    String,
    Vec,
    Box,
    Result,
    Default,
    BTreeMap,
    Cow,
    Fmt,
    Deref,
    Duration,
    Serialize,
    Deserialize,
    Serializer,
    Value,
    IntOrString,
    ObjectMeta,
    LabelSelector,
    LabelSelectorRequirement,
    OwnerReference,
    ObjectReference,
    LocalObjectReference,
    SecretKeySelector,
    ConfigMapKeySelector,
    TypedLocalObjectReference,
    Resource,
    Client,
    NamespaceResourceScope,
    ClusterResourceScope,
    GroupVersionKind,
    HasSpec,
    HasStatus,
    DynamicObject,
    CustomResource,
    Scope,
    HasStatusSubresource,
    HasScaleSubresource,
    CrdSchema,
    Subresources,
    ResourceClient,
    AllNamespaces,
    SharedInformerFactory,
    SharedIndexInformer,
    SchemeModule,
    KindEnum,
    Scheme,
    ErrorModule,
    SchemaDefault,
    CustomResourceDefinition,
    SerdeJson,
    ApplyModule,
    ApplyConfiguration,
    HasCrd,
    Controller,
}

/// Where a name comes from: `Prelude` names need no `use`; the others are imported
/// from the module path (`{rt}` stands for the runtime path).
enum Origin {
    Prelude(&'static str),
    Import(&'static str),
}

impl Sym {
    fn info(self) -> (&'static str, Origin) {
        use Origin::{Import, Prelude};
        const META: &str = "{rt}::k8s_openapi::apimachinery::pkg::apis::meta::v1";
        const CORE: &str = "{rt}::k8s_openapi::api::core::v1";
        match self {
            Sym::Option => ("Option", Prelude("std::option")),
            Sym::String => ("String", Prelude("std::string")),
            Sym::Vec => ("Vec", Prelude("std::vec")),
            Sym::Box => ("Box", Prelude("std::boxed")),
            Sym::Result => ("Result", Prelude("std::result")),
            Sym::Default => ("Default", Prelude("std::default")),
            Sym::BTreeMap => ("BTreeMap", Import("std::collections")),
            Sym::Cow => ("Cow", Import("std::borrow")),
            Sym::Fmt => ("fmt", Import("std")),
            Sym::Deref => ("Deref", Import("std::ops")),
            Sym::Duration => ("Duration", Import("std::time")),
            Sym::Serialize => ("Serialize", Import("{rt}::serde")),
            Sym::Deserialize => ("Deserialize", Import("{rt}::serde")),
            Sym::Serializer => ("Serializer", Import("{rt}::serde")),
            Sym::Value => ("Value", Import("{rt}::serde_json")),
            Sym::IntOrString => (
                "IntOrString",
                Import("{rt}::k8s_openapi::apimachinery::pkg::util::intstr"),
            ),
            Sym::ObjectMeta => ("ObjectMeta", Import(META)),
            Sym::LabelSelector => ("LabelSelector", Import(META)),
            Sym::LabelSelectorRequirement => ("LabelSelectorRequirement", Import(META)),
            Sym::OwnerReference => ("OwnerReference", Import(META)),
            Sym::ObjectReference => ("ObjectReference", Import(CORE)),
            Sym::LocalObjectReference => ("LocalObjectReference", Import(CORE)),
            Sym::SecretKeySelector => ("SecretKeySelector", Import(CORE)),
            Sym::ConfigMapKeySelector => ("ConfigMapKeySelector", Import(CORE)),
            Sym::TypedLocalObjectReference => ("TypedLocalObjectReference", Import(CORE)),
            Sym::Resource => ("Resource", Import("{rt}::kube")),
            Sym::Client => ("Client", Import("{rt}::kube")),
            Sym::NamespaceResourceScope => ("NamespaceResourceScope", Import("{rt}::kube::core")),
            Sym::ClusterResourceScope => ("ClusterResourceScope", Import("{rt}::kube::core")),
            Sym::GroupVersionKind => ("GroupVersionKind", Import("{rt}::kube::core")),
            Sym::HasSpec => ("HasSpec", Import("{rt}::kube::core::object")),
            Sym::HasStatus => ("HasStatus", Import("{rt}::kube::core::object")),
            Sym::DynamicObject => ("DynamicObject", Import("{rt}::kube::api")),
            Sym::CustomResource => ("CustomResource", Import("{rt}")),
            Sym::Scope => ("Scope", Import("{rt}")),
            Sym::HasStatusSubresource => ("HasStatusSubresource", Import("{rt}")),
            Sym::HasScaleSubresource => ("HasScaleSubresource", Import("{rt}")),
            Sym::CrdSchema => ("CrdSchema", Import("{rt}")),
            Sym::Subresources => ("Subresources", Import("{rt}")),
            Sym::ResourceClient => ("ResourceClient", Import("{rt}::client")),
            Sym::AllNamespaces => ("AllNamespaces", Import("{rt}::client")),
            Sym::SharedInformerFactory => ("SharedInformerFactory", Import("{rt}::informer")),
            Sym::SharedIndexInformer => ("SharedIndexInformer", Import("{rt}::informer")),
            Sym::SchemeModule => ("scheme", Import("{rt}")),
            Sym::KindEnum => ("KindEnum", Import("{rt}::scheme")),
            Sym::Scheme => ("Scheme", Import("{rt}::scheme")),
            Sym::ErrorModule => ("error", Import("{rt}")),
            Sym::SchemaDefault => ("schema_default", Import("{rt}::__private")),
            Sym::CustomResourceDefinition => (
                "CustomResourceDefinition",
                Import("{rt}::k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1"),
            ),
            Sym::SerdeJson => ("serde_json", Import("{rt}")),
            Sym::ApplyModule => ("apply", Import("{rt}")),
            Sym::ApplyConfiguration => ("ApplyConfiguration", Import("{rt}::apply")),
            Sym::HasCrd => ("HasCrd", Import("{rt}::schema")),
            Sym::Controller => ("Controller", Import("{rt}::controller")),
        }
    }

    /// The name of a well-known type.
    pub(crate) fn well_known(wk: WellKnown) -> Sym {
        match wk {
            WellKnown::ObjectMeta => Sym::ObjectMeta,
            WellKnown::LabelSelector => Sym::LabelSelector,
            WellKnown::LabelSelectorRequirement => Sym::LabelSelectorRequirement,
            WellKnown::OwnerReference => Sym::OwnerReference,
            WellKnown::ObjectReference => Sym::ObjectReference,
            WellKnown::LocalObjectReference => Sym::LocalObjectReference,
            WellKnown::SecretKeySelector => Sym::SecretKeySelector,
            WellKnown::ConfigMapKeySelector => Sym::ConfigMapKeySelector,
            WellKnown::TypedLocalObjectReference => Sym::TypedLocalObjectReference,
        }
    }

    const ALL: u8 = Sym::Controller as u8 + 1;

    fn from_index(i: u8) -> Sym {
        assert!(i < Self::ALL);
        // SAFETY-free: a table of every symbol in declaration order.
        const TABLE: [Sym; Sym::ALL as usize] = [
            Sym::Option,
            Sym::String,
            Sym::Vec,
            Sym::Box,
            Sym::Result,
            Sym::Default,
            Sym::BTreeMap,
            Sym::Cow,
            Sym::Fmt,
            Sym::Deref,
            Sym::Duration,
            Sym::Serialize,
            Sym::Deserialize,
            Sym::Serializer,
            Sym::Value,
            Sym::IntOrString,
            Sym::ObjectMeta,
            Sym::LabelSelector,
            Sym::LabelSelectorRequirement,
            Sym::OwnerReference,
            Sym::ObjectReference,
            Sym::LocalObjectReference,
            Sym::SecretKeySelector,
            Sym::ConfigMapKeySelector,
            Sym::TypedLocalObjectReference,
            Sym::Resource,
            Sym::Client,
            Sym::NamespaceResourceScope,
            Sym::ClusterResourceScope,
            Sym::GroupVersionKind,
            Sym::HasSpec,
            Sym::HasStatus,
            Sym::DynamicObject,
            Sym::CustomResource,
            Sym::Scope,
            Sym::HasStatusSubresource,
            Sym::HasScaleSubresource,
            Sym::CrdSchema,
            Sym::Subresources,
            Sym::ResourceClient,
            Sym::AllNamespaces,
            Sym::SharedInformerFactory,
            Sym::SharedIndexInformer,
            Sym::SchemeModule,
            Sym::KindEnum,
            Sym::Scheme,
            Sym::ErrorModule,
            Sym::SchemaDefault,
            Sym::CustomResourceDefinition,
            Sym::SerdeJson,
            Sym::ApplyModule,
            Sym::ApplyConfiguration,
            Sym::HasCrd,
            Sym::Controller,
        ];
        TABLE[i as usize]
    }
}

/// The names a piece of output used (a set of [`Sym`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Used(u64);

impl Used {
    pub(crate) fn union(self, other: Used) -> Used {
        Used(self.0 | other.0)
    }

    fn iter(self) -> impl Iterator<Item = Sym> {
        (0..Sym::ALL)
            .filter(move |i| self.0 & (1 << i) != 0)
            .map(Sym::from_index)
    }
}

/// The symbols whose short name is among `taken`.
fn shadowed(taken: &BTreeSet<String>) -> u64 {
    (0..Sym::ALL)
        .filter(|&i| taken.contains(Sym::from_index(i).info().0))
        .fold(0, |mask, i| mask | 1 << i)
}

/// How names read in one generated module: the runtime path and the names the module
/// defines itself (which its `use` lines must not bring in).
#[derive(Debug, Clone)]
pub(crate) struct Names {
    /// The runtime path as `use` lines write it (`crdgen_runtime`, `crate::rt`).
    pub runtime: String,
    taken: BTreeSet<String>,
    /// The symbols whose short name `taken` holds (bit `sym as u8`).
    shadowed: u64,
    /// `pub type` aliases naming a shared shape for each place beyond the first that
    /// uses it: alias → the shared type.
    pub aliases: BTreeMap<String, String>,
    /// The shared types the aliases name.
    alias_targets: BTreeSet<String>,
}

impl Names {
    pub(crate) fn new(runtime: &str, taken: impl IntoIterator<Item = String>) -> Names {
        let taken = taken.into_iter().collect();
        Names {
            runtime: runtime.trim_start_matches("::").to_owned(),
            shadowed: shadowed(&taken),
            taken,
            aliases: BTreeMap::new(),
            alias_targets: BTreeSet::new(),
        }
    }

    /// Add the aliases of shared shapes (their names are the module's too).
    pub(crate) fn with_aliases(mut self, aliases: BTreeMap<String, String>) -> Names {
        self.taken.extend(aliases.keys().cloned());
        self.shadowed = shadowed(&self.taken);
        self.alias_targets = aliases.values().cloned().collect();
        self.aliases = aliases;
        self
    }

    /// Whether an alias names the type `name` for some place.
    pub(crate) fn is_alias_target(&self, name: &str) -> bool {
        self.alias_targets.contains(name)
    }

    /// Whether the module defines `name` itself.
    pub(crate) fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// The text for `sym`: its short name, recorded in `used`, unless the module
    /// defines that name itself; then its full path.
    pub(crate) fn get(&self, sym: Sym, used: &mut Used) -> Cow<'static, str> {
        let (name, origin) = sym.info();
        if self.shadowed & (1 << sym as u8) == 0 {
            if let Origin::Import(_) = origin {
                used.0 |= 1 << sym as u8;
            }
            return Cow::Borrowed(name);
        }
        let module = match origin {
            Origin::Prelude(m) | Origin::Import(m) => m,
        };
        Cow::Owned(format!("{}::{name}", module.replace("{rt}", &self.runtime)))
    }

    /// The `use` lines for `used`, sorted and laid out as rustfmt does, at `indent`.
    pub(crate) fn use_lines(&self, used: Used, indent: usize) -> String {
        let runtime: Vec<&str> = self.runtime.split("::").collect();
        // Module path (segments) → the names imported from it, in symbol order.
        let mut by_module: BTreeMap<Vec<&str>, Vec<&'static str>> = BTreeMap::new();
        for sym in used.iter() {
            let (name, origin) = sym.info();
            if let Origin::Import(m) = origin {
                let mut segments = Vec::new();
                for s in m.split("::") {
                    if s == "{rt}" {
                        segments.extend_from_slice(&runtime);
                    } else {
                        segments.push(s);
                    }
                }
                by_module.entry(segments).or_default().push(name);
            }
        }
        // A module imported by name whose items are imported too: `self` in their list.
        let mut moves = Vec::new();
        for (segments, items) in &by_module {
            for &item in items
                .iter()
                .filter(|i| i.starts_with(|c: char| c.is_lowercase()))
            {
                let mut child = segments.clone();
                child.push(item);
                if by_module.contains_key(&child) {
                    moves.push((segments.clone(), child, item));
                }
            }
        }
        for (parent, child, item) in moves {
            if let Some(list) = by_module.get_mut(&child) {
                list.push("self");
            }
            if let Some(list) = by_module.get_mut(&parent) {
                list.retain(|i| *i != item);
            }
        }
        // Statement order: rustfmt compares paths segment by segment; a braced list
        // sorts after every name at its level. Each statement's key is made once.
        let mut statements: Vec<(Vec<&str>, Vec<&str>, Vec<&str>)> = by_module
            .into_iter()
            .filter(|(_, items)| !items.is_empty())
            .map(|(segments, mut items)| {
                items.sort_by(|a, b| match (*a, *b) {
                    ("self", "self") => Ordering::Equal,
                    ("self", _) => Ordering::Less,
                    (_, "self") => Ordering::Greater,
                    _ => version_cmp(a, b),
                });
                let mut key = segments.clone();
                if items.len() > 1 {
                    key.push("{");
                } else if items[0] != "self" {
                    key.push(items[0]);
                }
                (key, segments, items)
            })
            .collect();
        statements.sort_by(|(ka, ..), (kb, ..)| {
            for (x, y) in ka.iter().zip(kb) {
                let o = match (*x, *y) {
                    ("{", "{") => Ordering::Equal,
                    ("{", _) => Ordering::Greater,
                    (_, "{") => Ordering::Less,
                    _ => version_cmp(x, y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
            ka.len().cmp(&kb.len())
        });
        let mut out = String::new();
        let mut line = String::new();
        for (_, segments, items) in &statements {
            line.clear();
            push_spaces(&mut line, indent);
            line.push_str("use ");
            for (i, segment) in segments.iter().enumerate() {
                if i > 0 {
                    line.push_str("::");
                }
                line.push_str(segment);
            }
            if let [item] = items.as_slice() {
                if *item != "self" {
                    line.push_str("::");
                    line.push_str(item);
                }
                out.push_str(&line);
                out.push_str(";\n");
                continue;
            }
            let head = line.len();
            line.push_str("::{");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    line.push_str(", ");
                }
                line.push_str(item);
            }
            line.push_str("};");
            // A `use` list stays on its line up to column 98.
            if line.len() + 2 <= super::layout::MAX_WIDTH {
                out.push_str(&line);
                out.push('\n');
                continue;
            }
            // Too long: the list on lines of its own, filled up to the margin.
            out.push_str(&line[..head]);
            out.push_str("::{\n");
            let inner = indent + super::layout::INDENT;
            let mut width = 0;
            for item in items {
                let piece = item.len() + 1;
                if width > 0 && inner + width + 1 + piece > super::layout::MAX_WIDTH {
                    out.push('\n');
                    width = 0;
                }
                if width == 0 {
                    push_spaces(&mut out, inner);
                } else {
                    out.push(' ');
                    width += 1;
                }
                out.push_str(item);
                out.push(',');
                width += piece;
            }
            out.push('\n');
            push_spaces(&mut out, indent);
            out.push_str("};\n");
        }
        out
    }
}

fn push_spaces(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// rustfmt's version sort (style edition 2024): runs of digits compare as numbers,
/// everything else byte by byte.
pub(crate) fn version_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, _) => return Ordering::Less,
            (_, None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let db = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let (na, nb) = (
                    std::str::from_utf8(&a[..da])
                        .unwrap_or("0")
                        .trim_start_matches('0'),
                    std::str::from_utf8(&b[..db])
                        .unwrap_or("0")
                        .trim_start_matches('0'),
                );
                let o = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
                if o != Ordering::Equal {
                    return o;
                }
                a = &a[da..];
                b = &b[db..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_the_module_defines_is_written_in_full() {
        let names = Names::new("::crdgen_runtime", ["Resource".to_owned()]);
        let mut used = Used::default();
        assert_eq!(
            names.get(Sym::Resource, &mut used),
            "crdgen_runtime::kube::Resource"
        );
        assert_eq!(names.get(Sym::Client, &mut used), "Client");
        assert_eq!(names.get(Sym::Option, &mut used), "Option");
        assert_eq!(
            names.use_lines(used, 0),
            "use crdgen_runtime::kube::Client;\n"
        );
    }

    #[test]
    fn use_lines_sort_as_rustfmt_does() {
        let names = Names::new("::crdgen_runtime", []);
        let mut used = Used::default();
        for s in [
            Sym::Scheme,
            Sym::SchemeModule,
            Sym::KindEnum,
            Sym::CustomResource,
            Sym::Scope,
            Sym::ErrorModule,
            Sym::Resource,
            Sym::Client,
            Sym::DynamicObject,
            Sym::BTreeMap,
            Sym::ObjectMeta,
            Sym::Fmt,
        ] {
            names.get(s, &mut used);
        }
        assert_eq!(
            names.use_lines(used, 0),
            "use crdgen_runtime::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;\n\
             use crdgen_runtime::kube::api::DynamicObject;\n\
             use crdgen_runtime::kube::{Client, Resource};\n\
             use crdgen_runtime::scheme::{self, KindEnum, Scheme};\n\
             use crdgen_runtime::{CustomResource, Scope, error};\n\
             use std::collections::BTreeMap;\n\
             use std::fmt;\n"
        );
    }
}
