//! `#[crdgen(...)]`, `#[serde(...)]` and doc attributes into plain data.
//!
//! Field (and `items(...)`/`values(...)`/`root(...)`) items, each optional:
//!
//! | attribute | schema |
//! |---|---|
//! | `minimum = 0`, `maximum = 1.5`, `multiple_of`, `min_length`, `max_length`, `min_items`, `max_items`, `min_properties`, `max_properties` | the keyword, a number |
//! | `exclusive_minimum`, `exclusive_maximum`, `unique_items`, `nullable`, `preserve_unknown_fields`, `int_or_string`, `embedded_resource` (`= false` to write `false`) | the flag |
//! | `pattern = "…"`, `format`, `title`, `description`, `type`, `list_type`, `map_type` | the string |
//! | `required("a", "b")`, `list_map_keys("name")` | the list |
//! | `default = r#"…"#`, `enum`, `example`, `external_docs`, `all_of`, `any_of`, `one_of`, `not`, `properties` | JSON text |
//! | `validation(rule = "…", message = "…", message_expression, reason, field_path, optional_old_self)` (repeatable) | one `x-kubernetes-validations` entry |
//! | `keyword("x-name", r#"json"#)` | any other keyword, verbatim |
//! | `omit("format", …)` | drop keywords the Rust type would give |
//! | `items(...)`, `values(...)` | the same items for the list's item / the map's value schema |
//! | `skip` | the field is not in the schema |
//! | `schemaless` | any value (`x-kubernetes-preserve-unknown-fields`, the type's keywords dropped) |
//! | `struct_type = "atomic"` | controller-gen's `structType` (`x-kubernetes-map-type` of a struct) |
//!
//! Kind items: `group`, `version`, `kind`, `plural`, `singular`, `list_kind`,
//! `shortname` (repeatable), `category` (repeatable), `scope = "Namespaced" | "Cluster"`,
//! `served = false`, `storage`, `deprecated`, `deprecation_warning = "…"`, `status`,
//! `scale(spec_replicas_path = "…", status_replicas_path = "…", label_selector_path = "…")`,
//! `printcolumn(name, type, json_path, description, format, priority)` or
//! `printcolumn(json = r#"…"#)` (repeatable), `selectable_field = "…"` (repeatable),
//! `conversion = r#"…"#`, `annotation("k", "v")`, `label("k", "v")`,
//! `crd_metadata = r#"…"#`, `crd_name = "…"`, `crd_preserve_unknown_fields`,
//! `no_schema`, and `root(...)` (field items for the root schema node).

use serde_json::{Map, Number, Value};
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::{Attribute, LitStr, Token};

use super::shape::{Form, KEYWORDS, Overlay, RULE_KEYS};

/// The name of an attribute item (keywords such as `type` allowed).
fn item_name(meta: &ParseNestedMeta) -> String {
    meta.path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

fn number(input: ParseStream) -> syn::Result<Number> {
    let neg = input.peek(Token![-]);
    if neg {
        input.parse::<Token![-]>()?;
    }
    let lit: syn::Lit = input.parse()?;
    let n = match &lit {
        syn::Lit::Int(i) => {
            let digits = i.base10_digits();
            if neg {
                digits
                    .parse::<i64>()
                    .ok()
                    .map(|v| Number::from(-v))
                    .or_else(|| (digits == "9223372036854775808").then(|| Number::from(i64::MIN)))
            } else {
                digits.parse::<u64>().ok().map(Number::from)
            }
        }
        syn::Lit::Float(f) => f
            .base10_digits()
            .parse::<f64>()
            .ok()
            .and_then(|v| Number::from_f64(if neg { -v } else { v })),
        _ => None,
    };
    n.ok_or_else(|| syn::Error::new(lit.span(), "expected a number"))
}

fn string_list(meta: &ParseNestedMeta) -> syn::Result<Vec<String>> {
    let content;
    syn::parenthesized!(content in meta.input);
    let list = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
    Ok(list.iter().map(LitStr::value).collect())
}

fn json_lit(lit: &LitStr) -> syn::Result<Value> {
    serde_json::from_str(&lit.value())
        .map_err(|e| syn::Error::new(lit.span(), format!("invalid JSON: {e}")))
}

/// A keyword's value in its form.
fn form_value(meta: &ParseNestedMeta, form: Form) -> syn::Result<Value> {
    match form {
        Form::Bool => {
            if meta.input.peek(Token![=]) {
                let b: syn::LitBool = meta.value()?.parse()?;
                Ok(Value::Bool(b.value))
            } else {
                Ok(Value::Bool(true))
            }
        }
        Form::Number => Ok(Value::Number(number(meta.value()?)?)),
        Form::Str => Ok(Value::String(meta.value()?.parse::<LitStr>()?.value())),
        Form::StrList => Ok(Value::Array(
            string_list(meta)?.into_iter().map(Value::String).collect(),
        )),
        Form::Json => json_lit(&meta.value()?.parse::<LitStr>()?),
    }
}

/// What `schemaless` drops from the schema the Rust type gives.
const SCHEMALESS_OMIT: &[&str] = &[
    "type",
    "format",
    "properties",
    "required",
    "items",
    "additionalProperties",
    "enum",
    "anyOf",
    "x-kubernetes-int-or-string",
];

/// One item of a field's `#[crdgen(...)]` into the overlay.
pub fn overlay_item(o: &mut Overlay, meta: ParseNestedMeta) -> syn::Result<()> {
    let name = item_name(&meta);
    match name.as_str() {
        "skip" => o.skip = true,
        "schemaless" => {
            // controller-gen's `Schemaless`: any value, whatever the Rust type.
            o.set.insert(
                "x-kubernetes-preserve-unknown-fields".into(),
                Value::Bool(true),
            );
            o.omit
                .extend(SCHEMALESS_OMIT.iter().map(|k| (*k).to_owned()));
        }
        "omit" => o.omit.extend(string_list(&meta)?),
        "items" | "values" => {
            let mut sub = Overlay::default();
            meta.parse_nested_meta(|m| overlay_item(&mut sub, m))?;
            let slot = if name == "items" {
                &mut o.items
            } else {
                &mut o.values
            };
            *slot = Some(Box::new(sub));
        }
        "validation" => {
            let mut rule = Map::new();
            meta.parse_nested_meta(|m| {
                let n = item_name(&m);
                let Some((key, _, form)) = RULE_KEYS.iter().find(|(_, a, _)| *a == n) else {
                    return Err(m.error(format!("unknown validation item `{n}`")));
                };
                rule.insert((*key).to_owned(), form_value(&m, *form)?);
                Ok(())
            })?;
            let list = o
                .set
                .entry("x-kubernetes-validations")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(a) = list {
                a.push(Value::Object(rule));
            }
        }
        "keyword" => {
            let content;
            syn::parenthesized!(content in meta.input);
            let key: LitStr = content.parse()?;
            content.parse::<Token![,]>()?;
            let value: LitStr = content.parse()?;
            o.set.insert(key.value(), json_lit(&value)?);
        }
        _ => match KEYWORDS.iter().find(|(_, a, _)| *a == name) {
            Some((key, _, form)) => {
                if o.set.contains_key(*key) {
                    return Err(meta.error(format!("duplicate crdgen attribute `{name}`")));
                }
                let v = form_value(&meta, *form)?;
                o.set.insert((*key).to_owned(), v);
            }
            None => return Err(meta.error(format!("unknown crdgen attribute `{name}`"))),
        },
    }
    Ok(())
}

/// The overlay of every `#[crdgen(...)]` on a field.
pub fn field_overlay(attrs: &[Attribute]) -> syn::Result<Overlay> {
    let mut o = Overlay::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("crdgen")) {
        attr.parse_nested_meta(|m| overlay_item(&mut o, m))?;
    }
    Ok(o)
}

/// The resource attributes of a root kind.
#[derive(Debug, Clone, Default)]
pub struct KindAttrs {
    /// API group (`group = "example.com"`).
    pub group: Option<String>,
    /// Version name (`version = "v1"`).
    pub version: Option<String>,
    /// Kind (`kind = "Widget"`).
    pub kind: Option<String>,
    /// Plural resource name.
    pub plural: Option<String>,
    /// Singular name (default: the kind in lower case).
    pub singular: Option<String>,
    /// List kind (default: `<Kind>List`).
    pub list_kind: Option<String>,
    /// `shortname = "…"` (repeatable).
    pub short_names: Vec<String>,
    /// `category = "…"` (repeatable).
    pub categories: Vec<String>,
    /// `"Namespaced"` (default) or `"Cluster"`.
    pub scope: Option<String>,
    /// `served = false` for a version that is not served.
    pub served: Option<bool>,
    /// The storage version.
    pub storage: bool,
    /// The version is deprecated.
    pub deprecated: bool,
    /// The warning clients get for a deprecated version.
    pub deprecation_warning: Option<String>,
    /// The status subresource (`status`, or `status = "StatusType"` on a spec struct).
    pub status: bool,
    /// `status = "StatusType"`: the type of the generated kind's `status` field.
    pub status_type: Option<LitStr>,
    /// `derive = "PartialEq"` (repeatable): extra derives of a generated kind struct.
    pub derives: Vec<LitStr>,
    /// The scale subresource paths.
    pub scale: Option<Map<String, Value>>,
    /// `printcolumn(...)` entries, as JSON.
    pub printer_columns: Vec<Value>,
    /// `selectable_field = "…"` JSON paths.
    pub selectable_fields: Vec<String>,
    /// `conversion = r#"…"#`: the CRD's conversion, as JSON.
    pub conversion: Option<Value>,
    /// Annotations of the CRD.
    pub annotations: Map<String, Value>,
    /// Labels of the CRD.
    pub labels: Map<String, Value>,
    /// The CRD's whole metadata, as JSON.
    pub crd_metadata: Option<Value>,
    /// The CRD's name (default: `<plural>.<group>`).
    pub crd_name: Option<String>,
    /// `spec.preserveUnknownFields: true` (legacy).
    pub crd_preserve_unknown_fields: bool,
    /// The version has no schema.
    pub no_schema: bool,
    /// Field items for the root schema node (`root(...)`).
    pub root: Overlay,
}

fn str_value(meta: &ParseNestedMeta) -> syn::Result<String> {
    Ok(meta.value()?.parse::<LitStr>()?.value())
}

fn flag(meta: &ParseNestedMeta) -> syn::Result<bool> {
    match form_value(meta, Form::Bool)? {
        Value::Bool(b) => Ok(b),
        _ => Ok(true),
    }
}

fn pair(meta: &ParseNestedMeta) -> syn::Result<(String, String)> {
    let content;
    syn::parenthesized!(content in meta.input);
    let k: LitStr = content.parse()?;
    content.parse::<Token![,]>()?;
    let v: LitStr = content.parse()?;
    Ok((k.value(), v.value()))
}

/// Printer column keys ↔ attribute names inside `printcolumn(...)`.
const COLUMN_KEYS: &[(&str, &str, Form)] = &[
    ("name", "name", Form::Str),
    ("type", "type", Form::Str),
    ("jsonPath", "json_path", Form::Str),
    ("description", "description", Form::Str),
    ("format", "format", Form::Str),
    ("priority", "priority", Form::Number),
];

/// Kind items that may be given more than once.
pub const REPEATABLE: &[&str] = &[
    "shortname",
    "category",
    "printcolumn",
    "selectable_field",
    "annotation",
    "label",
    "derive",
    "root",
];

/// The kind attributes of a struct; `None` when it has none (not a root kind).
pub fn kind_attrs(attrs: &[Attribute]) -> syn::Result<Option<KindAttrs>> {
    let mut k = KindAttrs::default();
    let mut any = false;
    let mut seen = std::collections::BTreeSet::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("crdgen")) {
        any = true;
        attr.parse_nested_meta(|meta| {
            let name = item_name(&meta);
            if !REPEATABLE.contains(&name.as_str()) && !seen.insert(name.clone()) {
                return Err(meta.error(format!(
                    "duplicate crdgen kind attribute `{name}` (only {} may repeat)",
                    REPEATABLE.join(", ")
                )));
            }
            match name.as_str() {
                "group" => k.group = Some(str_value(&meta)?),
                "version" => k.version = Some(str_value(&meta)?),
                "kind" => k.kind = Some(str_value(&meta)?),
                "plural" => k.plural = Some(str_value(&meta)?),
                "singular" => k.singular = Some(str_value(&meta)?),
                "list_kind" => k.list_kind = Some(str_value(&meta)?),
                "shortname" => k.short_names.push(str_value(&meta)?),
                "category" => k.categories.push(str_value(&meta)?),
                "scope" => {
                    let v: LitStr = meta.value()?.parse()?;
                    if !matches!(v.value().as_str(), "Namespaced" | "Cluster") {
                        return Err(syn::Error::new(
                            v.span(),
                            "scope must be \"Namespaced\" or \"Cluster\"",
                        ));
                    }
                    k.scope = Some(v.value());
                }
                "served" => k.served = Some(flag(&meta)?),
                "storage" => k.storage = flag(&meta)?,
                "deprecated" => k.deprecated = flag(&meta)?,
                "deprecation_warning" => k.deprecation_warning = Some(str_value(&meta)?),
                "status" => {
                    if meta.input.peek(Token![=]) && meta.input.peek2(LitStr) {
                        let lit: LitStr = meta.value()?.parse()?;
                        if let Err(e) = lit.parse::<syn::Type>() {
                            return Err(syn::Error::new(
                                lit.span(),
                                format!("`status` must name the status type, e.g. `status = \"WidgetStatus\"`: {e}"),
                            ));
                        }
                        k.status = true;
                        k.status_type = Some(lit);
                    } else {
                        k.status = flag(&meta)?;
                    }
                }
                "derive" => {
                    let lit: LitStr = meta.value()?.parse()?;
                    if let Err(e) = lit.parse::<syn::Path>() {
                        return Err(syn::Error::new(
                            lit.span(),
                            format!("`derive` must name a derive macro, e.g. `derive = \"PartialEq\"`: {e}"),
                        ));
                    }
                    k.derives.push(lit);
                }
                "scale" => {
                    let mut s = Map::new();
                    meta.parse_nested_meta(|m| {
                        let key = match item_name(&m).as_str() {
                            "spec_replicas_path" => "specReplicasPath",
                            "status_replicas_path" => "statusReplicasPath",
                            "label_selector_path" => "labelSelectorPath",
                            other => return Err(m.error(format!("unknown scale item `{other}`"))),
                        };
                        s.insert(key.into(), Value::String(str_value(&m)?));
                        Ok(())
                    })?;
                    k.scale = Some(s);
                }
                "printcolumn" => {
                    let mut col = Map::new();
                    let mut json = None;
                    meta.parse_nested_meta(|m| {
                        let n = item_name(&m);
                        if n == "json" {
                            json = Some(json_lit(&m.value()?.parse::<LitStr>()?)?);
                            return Ok(());
                        }
                        let Some((key, _, form)) = COLUMN_KEYS.iter().find(|(_, a, _)| *a == n)
                        else {
                            return Err(m.error(format!("unknown printcolumn item `{n}`")));
                        };
                        col.insert((*key).to_owned(), form_value(&m, *form)?);
                        Ok(())
                    })?;
                    k.printer_columns.push(json.unwrap_or(Value::Object(col)));
                }
                "selectable_field" => k.selectable_fields.push(str_value(&meta)?),
                "conversion" => k.conversion = Some(json_lit(&meta.value()?.parse()?)?),
                "annotation" => {
                    let (a, b) = pair(&meta)?;
                    k.annotations.insert(a, Value::String(b));
                }
                "label" => {
                    let (a, b) = pair(&meta)?;
                    k.labels.insert(a, Value::String(b));
                }
                "crd_metadata" => k.crd_metadata = Some(json_lit(&meta.value()?.parse()?)?),
                "crd_name" => k.crd_name = Some(str_value(&meta)?),
                "crd_preserve_unknown_fields" => k.crd_preserve_unknown_fields = flag(&meta)?,
                "no_schema" => k.no_schema = flag(&meta)?,
                "root" => meta.parse_nested_meta(|m| overlay_item(&mut k.root, m))?,
                other => {
                    return Err(meta.error(format!("unknown crdgen kind attribute `{other}`")));
                }
            }
            Ok(())
        })?;
    }
    Ok((any && k.group.is_some()).then_some(k))
}

/// What `#[serde(...)]` says about a field, variant or container.
#[derive(Debug, Clone, Default)]
pub struct SerdeAttrs {
    /// `rename`: the serialized name.
    pub rename: Option<String>,
    /// `rename_all`: the rule for the fields (or variants).
    pub rename_all: Option<String>,
    /// `rename_all_fields`: the rule for the fields of every struct variant.
    pub rename_all_fields: Option<String>,
    /// `default`: the field may be absent.
    pub default: bool,
    /// `skip`, `skip_serializing`, `skip_deserializing`.
    pub skip: bool,
    /// `flatten`.
    pub flatten: bool,
    /// `skip_serializing_if`: the field may be absent, so it is not required.
    pub skip_serializing_if: bool,
    /// `transparent`: a newtype struct is its field.
    pub transparent: bool,
    /// `untagged`.
    pub untagged: bool,
    /// `tag = "…"`: internally (or, with `content`, adjacently) tagged.
    pub tag: Option<String>,
    /// `content = "…"`: adjacently tagged.
    pub content: Option<String>,
}

/// The serde attributes (items crdgen does not need are skipped).
pub fn serde_attrs(attrs: &[Attribute]) -> syn::Result<SerdeAttrs> {
    let mut s = SerdeAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            match item_name(&meta).as_str() {
                "rename" => {
                    if meta.input.peek(Token![=]) {
                        s.rename = Some(str_value(&meta)?);
                    } else {
                        // rename(serialize = "…", deserialize = "…"): the serialized name.
                        meta.parse_nested_meta(|m| {
                            let v = str_value(&m)?;
                            if m.path.is_ident("serialize") {
                                s.rename = Some(v);
                            }
                            Ok(())
                        })?;
                    }
                }
                "rename_all" => {
                    if meta.input.peek(Token![=]) {
                        s.rename_all = Some(str_value(&meta)?);
                    } else {
                        meta.parse_nested_meta(|m| {
                            let v = str_value(&m)?;
                            if m.path.is_ident("serialize") {
                                s.rename_all = Some(v);
                            }
                            Ok(())
                        })?;
                    }
                }
                "rename_all_fields" => s.rename_all_fields = Some(str_value(&meta)?),
                "default" => {
                    s.default = true;
                    if meta.input.peek(Token![=]) {
                        str_value(&meta)?;
                    }
                }
                "skip" | "skip_serializing" | "skip_deserializing" => s.skip = true,
                "flatten" => s.flatten = true,
                "transparent" => s.transparent = true,
                "skip_serializing_if" => {
                    s.skip_serializing_if = true;
                    str_value(&meta)?;
                }
                "untagged" => s.untagged = true,
                "tag" => s.tag = Some(str_value(&meta)?),
                "content" => s.content = Some(str_value(&meta)?),
                _ => skip_rest(&meta)?,
            }
            Ok(())
        })?;
    }
    Ok(s)
}

/// Consume an item's `= value` or `(...)` that crdgen does not read.
fn skip_rest(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        content.parse::<proc_macro2::TokenStream>()?;
    }
    Ok(())
}

/// The text of the doc comments (`#[doc = "…"]`), one entry per attribute.
pub fn doc_lines(attrs: &[Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Apply serde's `rename_all` to a field name (snake_case in Rust), exactly as serde
/// does (`serde_derive`'s `RenameRule::apply_to_field`).
pub fn rename_field(rule: &str, field: &str) -> String {
    let pascal = || {
        let mut out = String::new();
        let mut capitalize = true;
        for ch in field.chars() {
            if ch == '_' {
                capitalize = true;
            } else if capitalize {
                out.push(ch.to_ascii_uppercase());
                capitalize = false;
            } else {
                out.push(ch);
            }
        }
        out
    };
    match rule {
        "UPPERCASE" | "SCREAMING_SNAKE_CASE" => field.to_ascii_uppercase(),
        "PascalCase" => pascal(),
        "camelCase" => {
            let p = pascal();
            let mut chars = p.chars();
            match chars.next() {
                Some(c) => c.to_ascii_lowercase().to_string() + chars.as_str(),
                None => p,
            }
        }
        "kebab-case" => field.replace('_', "-"),
        "SCREAMING-KEBAB-CASE" => field.to_ascii_uppercase().replace('_', "-"),
        _ => field.to_owned(),
    }
}

/// Apply serde's `rename_all` to a variant name (PascalCase in Rust), exactly as serde
/// does (`RenameRule::apply_to_variant`).
pub fn rename_variant(rule: &str, variant: &str) -> String {
    let snake = || {
        let mut out = String::new();
        for (i, ch) in variant.char_indices() {
            if i > 0 && ch.is_uppercase() {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        }
        out
    };
    match rule {
        "lowercase" => variant.to_ascii_lowercase(),
        "UPPERCASE" => variant.to_ascii_uppercase(),
        "camelCase" => {
            let mut chars = variant.chars();
            match chars.next() {
                Some(c) => c.to_ascii_lowercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        }
        "snake_case" => snake(),
        "SCREAMING_SNAKE_CASE" => snake().to_ascii_uppercase(),
        "kebab-case" => snake().replace('_', "-"),
        "SCREAMING-KEBAB-CASE" => snake().to_ascii_uppercase().replace('_', "-"),
        _ => variant.to_owned(),
    }
}

/// The serialized name of a field (`variant = false`) or variant: its `rename`, else
/// the container's `rename_all` applied as serde does.
pub fn wire_name(
    ident: &syn::Ident,
    own: &SerdeAttrs,
    container: &SerdeAttrs,
    variant: bool,
) -> String {
    if let Some(r) = &own.rename {
        return r.clone();
    }
    let raw = ident.to_string();
    let name = raw.strip_prefix("r#").unwrap_or(&raw);
    match &container.rename_all {
        Some(rule) if variant => rename_variant(rule, name),
        Some(rule) => rename_field(rule, name),
        None => name.to_owned(),
    }
}
