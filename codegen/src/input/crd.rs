//! CustomResourceDefinition documents (apiextensions.k8s.io/v1) into the model.

use std::collections::HashMap;
use std::path::Path;

use foldhash::fast::FixedState;
use serde_json::Value as Json;

use super::yaml::{Node, Value};
use crate::error::{Diagnostic, SourceRef};
use crate::ir::join_path as join;
use crate::ir::{
    AdditionalProperties, ResourceModel, ScaleSubresource, Schema, SchemaExtra, Scope, Text,
    VersionModel,
};

/// Reads one document; collects every problem instead of stopping at the first.
pub(crate) struct CrdReader<'a> {
    file: &'a Path,
    diags: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    /// The document's descriptions, one copy of each text (two thirds of the dev
    /// corpus's description text repeats, mostly from version to version), by
    /// [`text_key`].
    texts: HashMap<u64, Text, FixedState>,
}

impl<'a> CrdReader<'a> {
    pub(crate) fn new(file: &'a Path) -> Self {
        CrdReader {
            file,
            diags: Vec::new(),
            warnings: Vec::new(),
            texts: HashMap::default(),
        }
    }

    /// Errors, then warnings.
    pub(crate) fn into_diagnostics(self) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
        (self.diags, self.warnings)
    }

    fn warn(&mut self, node: &Node, path: &str, message: impl Into<String>) {
        let d = Diagnostic::new(self.at(node, path), message);
        self.warnings.push(d);
    }

    fn at(&self, node: &Node, path: &str) -> SourceRef {
        SourceRef {
            file: self.file.to_path_buf(),
            line: Some(node.pos.line),
            column: Some(node.pos.column),
            path: (!path.is_empty()).then(|| path.to_owned()),
        }
    }

    fn error(&mut self, node: &Node, path: &str, message: impl Into<String>) {
        let d = Diagnostic::new(self.at(node, path), message);
        self.diags.push(d);
    }

    fn error_help(&mut self, node: &Node, path: &str, message: impl Into<String>, help: &str) {
        let d = Diagnostic::new(self.at(node, path), message).with_help(help);
        self.diags.push(d);
    }

    fn string(&mut self, node: &Node, key: &str, path: &str) -> Option<String> {
        let child = node.get(key)?;
        match &child.value {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.error(
                    child,
                    &join(path, key),
                    format!("`{key}` must be a string, found {}", child.kind_name()),
                );
                None
            }
        }
    }

    fn required_string(&mut self, node: &Node, key: &str, path: &str) -> Option<String> {
        let s = self.string(node, key, path);
        if s.is_none() && node.get(key).is_none() {
            self.error(node, path, format!("missing required field `{key}`"));
        }
        s.filter(|s| {
            if s.is_empty() {
                self.error(node, &join(path, key), format!("`{key}` must not be empty"));
                false
            } else {
                true
            }
        })
    }

    fn bool(&mut self, node: &Node, key: &str, path: &str) -> Option<bool> {
        let child = node.get(key)?;
        match &child.value {
            Value::Bool(b) => Some(*b),
            Value::Null => None,
            _ => {
                self.error(
                    child,
                    &join(path, key),
                    format!("`{key}` must be a boolean, found {}", child.kind_name()),
                );
                None
            }
        }
    }

    fn string_list(&mut self, node: &Node, key: &str, path: &str) -> Vec<String> {
        let Some(child) = node.get(key) else {
            return Vec::new();
        };
        let p = join(path, key);
        match &child.value {
            Value::Seq(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| match &item.value {
                    Value::String(s) => Some(s.clone()),
                    _ => {
                        self.error(
                            item,
                            &format!("{p}[{i}]"),
                            format!("expected a string, found {}", item.kind_name()),
                        );
                        None
                    }
                })
                .collect(),
            Value::Null => Vec::new(),
            _ => {
                self.error(
                    child,
                    &p,
                    format!(
                        "`{key}` must be a list of strings, found {}",
                        child.kind_name()
                    ),
                );
                Vec::new()
            }
        }
    }

    fn mapping<'n>(&mut self, node: &'n Node, key: &str, path: &str) -> Option<&'n Node> {
        let child = node.get(key)?;
        match &child.value {
            Value::Map(_) => Some(child),
            Value::Null => None,
            _ => {
                self.error(
                    child,
                    &join(path, key),
                    format!("`{key}` must be a mapping, found {}", child.kind_name()),
                );
                None
            }
        }
    }

    /// Read a CRD document. `None` when it has errors (recorded in the reader).
    /// Read a CRD document; `schemas` are its versions' schemas taken out by
    /// [`detach_schemas`] (read in place of the document's null placeholders).
    pub(crate) fn read(
        &mut self,
        doc: &Node,
        doc_index: usize,
        mut schemas: Vec<Option<Node>>,
    ) -> Option<ResourceModel> {
        if doc.as_map().is_none() {
            self.error(
                doc,
                "",
                format!(
                    "a CustomResourceDefinition must be a mapping, found {}",
                    doc.kind_name()
                ),
            );
            return None;
        }
        let before = self.diags.len();
        let api_version = self.string(doc, "apiVersion", "").unwrap_or_default();
        if api_version != "apiextensions.k8s.io/v1" {
            let node = doc.get("apiVersion").unwrap_or(doc);
            self.error_help(
                node,
                "apiVersion",
                format!("unsupported CRD apiVersion `{api_version}`"),
                "crdgen reads apiextensions.k8s.io/v1 CRDs (v1beta1 was removed in Kubernetes 1.22; convert with `kubectl convert` or regenerate the CRD)",
            );
            return None;
        }
        let metadata = self.mapping(doc, "metadata", "");
        let name = metadata
            .and_then(|m| self.string(m, "name", "metadata"))
            .unwrap_or_default();
        let metadata_json = metadata.map(|m| {
            let mut j = m.to_json();
            if let Some(obj) = j.as_object_mut() {
                obj.retain(|k, _| matches!(k.as_str(), "name" | "annotations" | "labels"));
            }
            j
        });
        let Some(spec) = self.mapping(doc, "spec", "") else {
            self.error(doc, "", "missing required field `spec`");
            return None;
        };
        // An empty group (or version name, below) is what kustomize bases ship before a
        // patch fills it in. The API server would refuse it, but the types are still
        // useful: generate them (module `core` / `unversioned`) and say so.
        let group = self.string(spec, "group", "spec").unwrap_or_default();
        if spec.get("group").is_none() {
            self.error(spec, "spec", "missing required field `group`");
        } else if !group.is_empty() && !is_dns_subdomain(&group) {
            let n = spec.get("group").unwrap_or(spec);
            self.error(
                n,
                "spec.group",
                format!(
                    "group `{}` is not a DNS subdomain (lowercase letters, digits, `-` and `.`)",
                    group.escape_debug()
                ),
            );
        } else if group.is_empty() {
            let n = spec.get("group").unwrap_or(spec);
            self.warn(n, "spec.group", "the group is empty (a kustomize base?); the API server needs one before this CRD can be applied");
        }
        let names = self.mapping(spec, "names", "spec");
        let (kind, plural, singular, list_kind, short_names, categories) = match names {
            Some(n) => {
                let kind = self
                    .required_string(n, "kind", "spec.names")
                    .unwrap_or_default();
                let plural = self
                    .required_string(n, "plural", "spec.names")
                    .unwrap_or_default();
                let singular = self
                    .string(n, "singular", "spec.names")
                    .unwrap_or_else(|| kind.to_lowercase());
                let list_kind = self
                    .string(n, "listKind", "spec.names")
                    .unwrap_or_else(|| format!("{kind}List"));
                let short = self.string_list(n, "shortNames", "spec.names");
                let cats = self.string_list(n, "categories", "spec.names");
                (kind, plural, singular, list_kind, short, cats)
            }
            None => {
                self.error(spec, "spec", "missing required field `names`");
                return None;
            }
        };
        if !kind.is_empty() && !kind.chars().all(|c| c.is_ascii_alphanumeric()) {
            let node = names.and_then(|n| n.get("kind")).unwrap_or(spec);
            self.error(
                node,
                "spec.names.kind",
                format!("kind `{kind}` must be alphanumeric"),
            );
        }
        let scope = match self.string(spec, "scope", "spec").as_deref() {
            Some("Namespaced") => Scope::Namespaced,
            Some("Cluster") => Scope::Cluster,
            other => {
                let node = spec.get("scope").unwrap_or(spec);
                self.error(
                    node,
                    "spec.scope",
                    format!(
                        "`scope` must be `Namespaced` or `Cluster`, found {}",
                        other.map_or("nothing".into(), |s| format!("`{s}`"))
                    ),
                );
                Scope::Namespaced
            }
        };
        let preserve_unknown_fields = self
            .bool(spec, "preserveUnknownFields", "spec")
            .unwrap_or(false);
        let conversion = spec.get("conversion").map(Node::to_json);

        let mut versions = Vec::new();
        match spec.get("versions").map(|v| &v.value) {
            Some(Value::Seq(items)) if !items.is_empty() => {
                for (i, item) in items.iter().enumerate() {
                    let path = format!("spec.versions[{i}]");
                    let detached = schemas.get_mut(i).and_then(Option::take);
                    if let Some(v) = self.version(item, &path, detached) {
                        if versions.iter().any(|o: &VersionModel| o.name == v.name) {
                            self.error(
                                item,
                                &path,
                                format!("version `{}` is listed twice", v.name),
                            );
                        }
                        versions.push(v);
                    }
                }
            }
            _ => {
                let node = spec.get("versions").unwrap_or(spec);
                self.error(node, "spec.versions", "`versions` must be a non-empty list");
            }
        }
        let storage = versions.iter().filter(|v| v.storage).count();
        if !versions.is_empty() && storage != 1 {
            let node = spec.get("versions").unwrap_or(spec);
            self.error(
                node,
                "spec.versions",
                format!("exactly one version must be the storage version, found {storage}"),
            );
        }
        if self.diags.len() > before {
            return None;
        }
        Some(ResourceModel {
            file: self.file.to_path_buf(),
            doc_index,
            name,
            group,
            kind,
            list_kind,
            plural,
            singular,
            short_names,
            categories,
            scope,
            versions,
            preserve_unknown_fields,
            conversion,
            metadata: metadata_json.unwrap_or(Json::Null),
        })
    }

    fn version(&mut self, node: &Node, path: &str, detached: Option<Node>) -> Option<VersionModel> {
        if node.as_map().is_none() {
            self.error(
                node,
                path,
                format!("a version must be a mapping, found {}", node.kind_name()),
            );
            return None;
        }
        let name = self.string(node, "name", path);
        let Some(name) = name else {
            self.error(node, path, "missing required field `name`");
            return None;
        };
        if name.is_empty() {
            let n = node.get("name").unwrap_or(node);
            self.warn(n, &join(path, "name"), "the version name is empty (a kustomize base?); the API server needs one before this CRD can be applied");
        } else if !is_dns_label(&name) {
            let n = node.get("name").unwrap_or(node);
            self.error(
                n,
                &join(path, "name"),
                format!("version `{name}` is not a DNS-1035 label"),
            );
            return None;
        }
        let served = self.bool(node, "served", path).unwrap_or(false);
        let storage = self.bool(node, "storage", path).unwrap_or(false);
        let deprecated = self.bool(node, "deprecated", path).unwrap_or(false);
        let deprecation_warning = self.string(node, "deprecationWarning", path);
        let sub_path = join(path, "subresources");
        let subresources = self.mapping(node, "subresources", path);
        let status_subresource = subresources.is_some_and(|s| s.get("status").is_some());
        let scale = match subresources.and_then(|s| self.mapping(s, "scale", &sub_path)) {
            Some(scale) => {
                let p = join(&sub_path, "scale");
                Some(ScaleSubresource {
                    spec_replicas_path: self
                        .required_string(scale, "specReplicasPath", &p)
                        .unwrap_or_default(),
                    status_replicas_path: self
                        .required_string(scale, "statusReplicasPath", &p)
                        .unwrap_or_default(),
                    label_selector_path: self.string(scale, "labelSelectorPath", &p),
                })
            }
            None => None,
        };
        let printer_columns = match node.get("additionalPrinterColumns").map(|n| &n.value) {
            Some(Value::Seq(items)) => items.iter().map(Node::to_json).collect(),
            _ => Vec::new(),
        };
        let selectable_fields = match node.get("selectableFields").map(|n| &n.value) {
            Some(Value::Seq(items)) => items
                .iter()
                .filter_map(|i| i.get("jsonPath").and_then(Node::as_str).map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        let schema = match self.mapping(node, "schema", path) {
            Some(s) => {
                let p = format!("{path}.schema.openAPIV3Schema");
                // The schema was taken out of the document before reading
                // ([`detach_schemas`]); a copy otherwise.
                match detached.or_else(|| s.get("openAPIV3Schema").cloned()) {
                    Some(root) => Some(self.schema(root, &At::root(&p))?),
                    None => None,
                }
            }
            None => None,
        };
        Some(VersionModel {
            name,
            served,
            storage,
            deprecated,
            deprecation_warning,
            status_subresource,
            scale,
            printer_columns,
            selectable_fields,
            schema,
            path: path.to_owned(),
        })
    }

    /// Read a schema node, taking it: strings move into the model rather than being
    /// copied. Iterative over the nesting would be nicer, but schema depth is bounded by
    /// the YAML reader's depth limit, far below the stack's capacity here.
    fn schema(&mut self, mut node: Node, at: &At<'_>) -> Option<Schema> {
        if node.as_map().is_none() {
            self.error(
                &node,
                &at.render(),
                format!("a schema must be a mapping, found {}", node.kind_name()),
            );
            return None;
        }
        let Value::Map(entries) = std::mem::replace(&mut node.value, Value::Null) else {
            unreachable!("checked above")
        };
        let before = self.diags.len();
        let mut s = Schema {
            pos: node.pos,
            ..Schema::default()
        };
        // The lists, boxed when the node is read.
        let mut properties = Vec::new();
        let mut required = Vec::new();
        let mut keywords = Vec::new();
        for (key, mut value) in entries {
            // The key's path, for diagnostics and children (rendered only for a diagnostic).
            let at_key = at.key(&key.name);
            let kp = || at_key.render();
            match key.name.as_str() {
                "type" => match value.as_str() {
                    Some(t) if let Some(known) = ["object", "array", "string", "integer", "number", "boolean"].into_iter().find(|k| *k == t) => s.ty = Some(known),
                    Some(other) => self.error(&value, &kp(), format!("unknown type `{other}` (expected object, array, string, integer, number or boolean)")),
                    None => self.error(&value, &kp(), format!("`type` must be a string, found {}", value.kind_name())),
                },
                "format" => s.extra_mut().format = self.scalar_string(value, kp),
                "description" => s.description = self.scalar_string(value, kp).map(|d| self.text(d)),
                "properties" => match std::mem::replace(&mut value.value, Value::Null) {
                    Value::Map(props) => {
                        properties.reserve_exact(props.len());
                        for (pk, pv) in props {
                            if let Some(ps) = self.schema(pv, &at_key.key(&pk.name)) {
                                properties.push((pk.name, ps));
                            }
                        }
                    }
                    Value::Null => {}
                    other => {
                        value.value = other;
                        self.error(&value, &kp(), format!("`properties` must be a mapping, found {}", value.kind_name()));
                    }
                },
                "required" => match std::mem::replace(&mut value.value, Value::Null) {
                    Value::Seq(items) => {
                        required.reserve_exact(items.len());
                        for (i, mut item) in items.into_iter().enumerate() {
                            match std::mem::replace(&mut item.value, Value::Null) {
                                Value::String(r) => required.push(r),
                                other => {
                                    item.value = other;
                                    self.error(&item, &at_key.index(i).render(), format!("expected a string, found {}", item.kind_name()));
                                }
                            }
                        }
                    }
                    Value::Null => {}
                    other => {
                        value.value = other;
                        self.error(&value, &kp(), format!("`required` must be a list of strings, found {}", value.kind_name()));
                    }
                },
                "items" => match &value.value {
                    Value::Map(_) => s.items = self.schema(value, &at_key).map(Box::new),
                    Value::Seq(_) => self.error_help(
                        &value,
                        &kp(),
                        "`items` must be a single schema (tuple validation is not allowed in CRDs)",
                        "the API server rejects list-valued `items` in structural schemas",
                    ),
                    _ => self.error(&value, &kp(), format!("`items` must be a schema, found {}", value.kind_name())),
                },
                "additionalProperties" => match &value.value {
                    Value::Bool(b) => s.additional_properties = Some(AdditionalProperties::Bool(*b)),
                    Value::Map(_) => {
                        s.additional_properties = self.schema(value, &at_key).map(|x| AdditionalProperties::Schema(Box::new(x)))
                    }
                    _ => self.error(&value, &kp(), format!("`additionalProperties` must be a schema or a boolean, found {}", value.kind_name())),
                },
                "nullable" => s.nullable = self.flag(&value, kp),
                "x-kubernetes-preserve-unknown-fields" => s.preserve_unknown_fields = self.flag(&value, kp),
                "x-kubernetes-int-or-string" => s.int_or_string = self.flag(&value, kp),
                "x-kubernetes-embedded-resource" => s.embedded_resource = self.flag(&value, kp),
                "default" => s.extra_mut().default = Some(value.into_json()),
                "enum" => match std::mem::replace(&mut value.value, Value::Null) {
                    Value::Seq(items) => s.extra_mut().enum_values = Some(items.into_iter().map(Node::into_json).collect()),
                    other => {
                        value.value = other;
                        self.error(&value, &kp(), format!("`enum` must be a list, found {}", value.kind_name()));
                    }
                },
                "allOf" | "anyOf" | "oneOf" => match std::mem::replace(&mut value.value, Value::Null) {
                    Value::Seq(items) => {
                        let list: Box<[Schema]> = items
                            .into_iter()
                            .enumerate()
                            .filter_map(|(i, item)| self.schema(item, &at_key.index(i)))
                            .collect();
                        let extra = s.extra_mut();
                        match key.name.as_str() {
                            "allOf" => extra.all_of = list,
                            "anyOf" => extra.any_of = list,
                            _ => extra.one_of = list,
                        }
                    }
                    other => {
                        value.value = other;
                        self.error(&value, &kp(), format!("`{}` must be a list of schemas, found {}", key.name, value.kind_name()));
                    }
                },
                "not" => s.extra_mut().not = self.schema(value, &at_key).map(Box::new),
                "$ref" => self.error_help(
                    &value,
                    &kp(),
                    "`$ref` is not allowed in CRD schemas",
                    "the API server rejects $ref in CustomResourceDefinitions; inline the referenced schema",
                ),
                _ => {
                    keywords.push((key.name, value.into_json()));
                }
            }
        }
        if self.diags.len() > before {
            return None;
        }
        // (Keys are unique: the YAML reader refuses a mapping with a key twice.)
        keywords.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        s.properties = properties.into_boxed_slice();
        s.required = required.into_boxed_slice();
        if !keywords.is_empty() {
            s.extra_mut().keywords = keywords.into_boxed_slice();
        }
        // A keyword given as null (`format: ~`) leaves no empty extra behind.
        if s.extra.as_deref().is_some_and(SchemaExtra::is_empty) {
            s.extra = None;
        }
        if !s.properties.is_empty() && s.additional_properties.is_some() {
            self.error_help(
                &node,
                &at.render(),
                "`properties` and `additionalProperties` are mutually exclusive",
                "the API server rejects such schemas as non-structural",
            );
            return None;
        }
        Some(s)
    }

    /// `node`'s string, taken; `path` is the node's path, built only for a diagnostic.
    fn scalar_string(&mut self, mut node: Node, path: impl FnOnce() -> String) -> Option<String> {
        match std::mem::replace(&mut node.value, Value::Null) {
            Value::String(s) => Some(s),
            Value::Null => None,
            other => {
                node.value = other;
                self.error(
                    &node,
                    &path(),
                    format!("expected a string, found {}", node.kind_name()),
                );
                None
            }
        }
    }

    /// The one copy of `s` in the document.
    fn text(&mut self, s: String) -> Text {
        use std::collections::hash_map::Entry;
        match self.texts.entry(text_key(&s)) {
            Entry::Occupied(e) if **e.get() == *s => e.get().clone(),
            // Another text with the same key (rare): kept apart.
            Entry::Occupied(_) => Text::from(s),
            Entry::Vacant(e) => e.insert(Text::from(s)).clone(),
        }
    }

    /// `path` as for [`Self::scalar_string`].
    fn flag(&mut self, node: &Node, path: impl FnOnce() -> String) -> bool {
        match &node.value {
            Value::Bool(b) => *b,
            Value::Null => false,
            _ => {
                self.error(
                    node,
                    &path(),
                    format!("expected a boolean, found {}", node.kind_name()),
                );
                false
            }
        }
    }
}

/// What tells descriptions apart for [`CrdReader::text`] without hashing them whole
/// (hashing every byte of the corpus's descriptions cost more than the copies it
/// saves): the length and the first and last 32 bytes. Texts with the same key are
/// compared whole.
fn text_key(s: &str) -> u64 {
    use std::hash::BuildHasher as _;
    let b = s.as_bytes();
    let head = &b[..b.len().min(32)];
    let tail = &b[b.len().saturating_sub(32)..];
    FixedState::default().hash_one((b.len(), head, tail))
}

/// Takes each version's `schema.openAPIV3Schema` out of a CRD document, leaving a null
/// in its place, so that [`CrdReader::read`] can move the schemas' strings into the
/// model instead of copying them. `None` for a version without one.
pub(crate) fn detach_schemas(doc: &mut Node) -> Vec<Option<Node>> {
    let Some(Value::Seq(versions)) = doc
        .get_mut("spec")
        .and_then(|s| s.get_mut("versions"))
        .map(|v| &mut v.value)
    else {
        return Vec::new();
    };
    versions
        .iter_mut()
        .map(|v| {
            let root = v.get_mut("schema")?.get_mut("openAPIV3Schema")?;
            let pos = root.pos;
            Some(std::mem::replace(
                root,
                Node {
                    pos,
                    value: Value::Null,
                },
            ))
        })
        .collect()
}

/// A schema node's path as a chain of segments up to the version's root schema: no
/// allocation while reading, rendered (as [`join`] would build it) for a diagnostic.
pub(crate) struct At<'a> {
    parent: Option<&'a At<'a>>,
    seg: Seg<'a>,
}

#[derive(Clone, Copy)]
enum Seg<'a> {
    Root(&'a str),
    Key(&'a str),
    Index(usize),
}

impl<'a> At<'a> {
    pub(crate) fn root(path: &'a str) -> At<'a> {
        At {
            parent: None,
            seg: Seg::Root(path),
        }
    }

    pub(crate) fn key<'b>(&'b self, key: &'b str) -> At<'b> {
        At {
            parent: Some(self),
            seg: Seg::Key(key),
        }
    }

    pub(crate) fn index(&self, i: usize) -> At<'_> {
        At {
            parent: Some(self),
            seg: Seg::Index(i),
        }
    }

    pub(crate) fn render(&self) -> String {
        let mut segs = Vec::new();
        let mut cur = Some(self);
        while let Some(a) = cur {
            segs.push(a.seg);
            cur = a.parent;
        }
        let mut out = String::new();
        for seg in segs.iter().rev() {
            match *seg {
                Seg::Root(p) => out.push_str(p),
                Seg::Key(k) => out = join(&out, k),
                Seg::Index(i) => {
                    use std::fmt::Write as _;
                    let _ = write!(out, "[{i}]");
                }
            }
        }
        out
    }
}

fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && label.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    /// Descriptions are shared by [`super::text_key`]: two texts with the same key
    /// (length, first and last 32 bytes) but another middle each keep their own text,
    /// and a keyword given as null leaves the node without extra keywords.
    #[test]
    fn descriptions_with_the_same_key_stay_apart() {
        let head = "h".repeat(40);
        let tail = "t".repeat(40);
        let (a, b) = (format!("{head}AAAA{tail}"), format!("{head}BBBB{tail}"));
        let text = format!(
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n\
             metadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  \
             names:\n    kind: Widget\n    plural: widgets\n  scope: Namespaced\n  \
             versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      \
             openAPIV3Schema:\n        type: object\n        properties:\n          \
             a:\n            type: string\n            description: {a}\n          \
             b:\n            type: string\n            description: {b}\n          \
             c:\n            type: string\n            format: null\n            description: {a}\n"
        );
        let res = crate::input::load_str("w.yaml", &text).unwrap();
        let schema = res[0].versions[0].schema.as_ref().unwrap();
        let desc = |p: &str| schema.property(p).unwrap().description.as_deref().unwrap();
        assert_eq!((desc("a"), desc("b"), desc("c")), (&*a, &*b, &*a));
        assert!(schema.property("c").unwrap().extra.is_none());
    }
}
