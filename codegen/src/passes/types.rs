//! Schemas into Rust types: one [`TypeSpace`] per group/version.
//!
//! The mapping follows how the API server treats a structural schema, so that a typed
//! round trip gives back what the server stores:
//! - fields come from `properties` only (`allOf`/`anyOf`/`oneOf` constrain, never add);
//! - unknown fields are dropped (pruned), except under
//!   `x-kubernetes-preserve-unknown-fields`, where they are kept whole;
//! - `null` survives only where `nullable: true`;
//! - absent fields with a `default` decode to that default.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::error::{Diagnostic, Error, Result, SourceRef};
use crate::ir::{
    AdditionalProperties, EnumDef, Field, KindDef, Model, ModuleItems, Presence, RustIdent, Schema,
    StructDef, TypeBody, TypeDef, TypeId, TypeRef, TypeSpace, Variant, WellKnown,
};
use crate::passes::naming::{self, Namer};
use crate::passes::wellknown;

/// Options that change the mapping.
#[derive(Debug, Clone)]
pub struct TypeOptions {
    /// Reuse k8s-openapi types for matching shapes (LabelSelector, ObjectReference, …;
    /// never Condition).
    pub well_known: bool,
    /// Merge structs and enums of identical shape within a group/version.
    pub dedup: bool,
    /// User types for formats and fields.
    pub overrides: crate::passes::overrides::Overrides,
}

impl Default for TypeOptions {
    fn default() -> Self {
        TypeOptions {
            well_known: true,
            dedup: true,
            overrides: Default::default(),
        }
    }
}

/// Schema nodes below which the type spaces are built on one thread.
const PARALLEL_MIN_NODES: usize = 4000;

/// Build the type spaces of every group/version in the model, sorted by (group, version).
pub fn build(model: &Model, options: &TypeOptions) -> Result<Vec<TypeSpace>> {
    // (group, version) → [(resource index, version index)]
    let mut modules: BTreeMap<(String, String), Vec<(usize, usize)>> = BTreeMap::new();
    for (ri, res) in model.resources.iter().enumerate() {
        for (vi, ver) in res.versions.iter().enumerate() {
            modules
                .entry((res.group.clone(), ver.name.clone()))
                .or_default()
                .push((ri, vi));
        }
    }
    // Modules are independent: build them in parallel, keep their order.
    let modules: Vec<_> = modules.into_iter().collect();
    // Below a few thousand schema nodes, a thread costs more to start than it saves.
    let mut nodes = 0;
    for s in modules
        .iter()
        .flat_map(|(_, members)| members)
        .filter_map(|&(ri, vi)| model.resources[ri].versions[vi].schema.as_ref())
    {
        nodes += s.node_count(PARALLEL_MIN_NODES - nodes);
        if nodes >= PARALLEL_MIN_NODES {
            break;
        }
    }
    let threads = if nodes < PARALLEL_MIN_NODES {
        1
    } else {
        crate::render::threads()
    };
    let built = crate::render::par_map_on(
        threads,
        &modules,
        || (),
        |(), ((group, version), members)| build_module(model, options, group, version, members),
    );
    let mut spaces = Vec::new();
    let mut diags = Vec::new();
    let mut used = vec![false; options.overrides.len()];
    for (space, d, u) in built {
        spaces.push(space);
        diags.extend(d);
        used.iter_mut().zip(u).for_each(|(a, b)| *a |= b);
    }
    if diags.is_empty() {
        options.overrides.unused(&used)?;
        Ok(spaces)
    } else {
        Err(Error::Input(diags))
    }
}

/// The type space of one group/version and its problems.
fn build_module(
    model: &Model,
    options: &TypeOptions,
    group: &str,
    version: &str,
    members: &[(usize, usize)],
) -> (TypeSpace, Vec<Diagnostic>, Vec<bool>) {
    let mut members = members.to_vec();
    members.sort_by(|a, b| model.resources[a.0].kind.cmp(&model.resources[b.0].kind));
    let mut b = Builder {
        model,
        options,
        space: TypeSpace {
            group: group.to_owned(),
            version: version.to_owned(),
            ..TypeSpace::default()
        },
        names: Namer::new(),
        dedup: HashMap::default(),
        diags: Vec::new(),
        file: Default::default(),
        current: (0, 0),
        used: vec![false; options.overrides.len()],
    };
    // Root kinds claim their names before any nested type can.
    let kind_names: Vec<String> = members
        .iter()
        .map(|(ri, _)| {
            b.names
                .claim(&naming::type_name(&[&model.resources[*ri].kind]))
        })
        .collect();
    let prefix = naming::type_name(&[&b.space.group, &b.space.version]);
    b.space.items = ModuleItems {
        client: RustIdent(b.names.claim(&format!("{prefix}Client"))),
        kind_enum: RustIdent(b.names.claim(&format!("{prefix}Kind"))),
        informers: RustIdent(b.names.claim(&format!("{prefix}Informers"))),
    };
    for ((ri, vi), name) in members.into_iter().zip(kind_names) {
        b.file = model.resources[ri].file.clone();
        b.current = (ri, vi);
        let kind = b.root(ri, vi, RustIdent(name));
        b.space.kinds.push(kind);
    }
    (b.space, b.diags, b.used)
}

struct Builder<'a> {
    model: &'a Model,
    options: &'a TypeOptions,
    space: TypeSpace,
    names: Namer,
    /// The types of each shape hash, to find a shape already interned without keeping
    /// a copy of every body as a key.
    dedup: HashMap<u64, Vec<TypeId>, foldhash::fast::FixedState>,
    diags: Vec<Diagnostic>,
    file: std::path::PathBuf,
    /// The resource and version whose schema is being mapped (for diagnostics).
    current: (usize, usize),
    /// Which type overrides matched.
    used: Vec<bool>,
}

impl Builder<'_> {
    fn error(&mut self, schema: &Schema, message: impl Into<String>) {
        let (ri, vi) = self.current;
        let ver = &self.model.resources[ri].versions[vi];
        let base = format!("{}.schema.openAPIV3Schema", ver.path);
        let path = ver
            .schema
            .as_ref()
            .and_then(|root| root.path_of(&base, schema.pos));
        self.diags.push(Diagnostic::new(
            SourceRef {
                file: self.file.clone(),
                line: Some(schema.pos.line),
                column: Some(schema.pos.column),
                path,
            },
            message,
        ));
    }

    fn root(&mut self, ri: usize, vi: usize, name: RustIdent) -> KindDef {
        let res = &self.model.resources[ri];
        let ver = &res.versions[vi];
        let kind = res.kind.clone();
        let Some(schema) = &ver.schema else {
            // No schema: the server keeps everything; so do we.
            return KindDef {
                resource: ri,
                version: vi,
                name,
                fields: Vec::new(),
                preserve_unknown: true,
                doc: None,
                has_default: true,
            };
        };
        let mut field_names = Namer::with_capacity(schema.properties.len() + 3);
        for reserved in ["metadata", "api_version", "kind"] {
            field_names.reserve(reserved);
        }
        let mut fields = Vec::new();
        for (prop, ps) in &schema.properties {
            if matches!(prop.as_str(), "apiVersion" | "kind" | "metadata") {
                continue;
            }
            let f = self.field(schema, prop, ps, &[&kind, prop], &mut field_names);
            fields.push(f);
        }
        let has_default = fields.iter().all(|f| self.field_has_default(f));
        KindDef {
            resource: ri,
            version: vi,
            name,
            fields,
            preserve_unknown: schema.preserve_unknown_fields,
            doc: schema.description.clone(),
            has_default,
        }
    }

    fn field(
        &mut self,
        parent: &Schema,
        wire: &str,
        schema: &Schema,
        segs: &[&str],
        names: &mut Namer,
    ) -> Field {
        let required = parent.is_required(wire);
        let presence = match (required, schema.nullable) {
            (true, false) => Presence::Required,
            (true, true) => Presence::RequiredNullable,
            (false, false) => Presence::Optional,
            (false, true) => Presence::OptionalNullable,
        };
        let ty = match self.options.overrides.for_path(segs) {
            Some((i, ty)) => {
                self.used[i] = true;
                ty
            }
            None => self.map(schema, wire, segs),
        };
        let default = match schema.default_value() {
            None | Some(Value::Null) => None,
            Some(d) => {
                if let Err(why) = self.check_value(&ty, d) {
                    self.error(
                        schema,
                        format!("the default does not fit the field's type: {why}"),
                    );
                    None
                } else {
                    Some(serde_json::to_string(d).expect("a JSON value always serializes"))
                }
            }
        };
        // Enums that stay plain types (integers, mixed values) keep their values in the docs.
        let mut doc = schema.description.clone();
        if let (Some(values), false) = (schema.enum_values(), matches!(ty, TypeRef::Named(_))) {
            let listed: Vec<String> = values.iter().map(Value::to_string).collect();
            let line = format!("Allowed values: {}.", listed.join(", "));
            doc = Some(match doc {
                Some(d) => format!("{}\n\n{line}", &*d).into(),
                None => line.into(),
            });
        }
        Field {
            wire_name: wire.to_owned(),
            rust_name: names.claim_ident(naming::field(wire)),
            ty,
            presence,
            default,
            doc,
        }
    }

    fn map(&mut self, schema: &Schema, property: &str, segs: &[&str]) -> TypeRef {
        if let Some((i, ty)) = self.options.overrides.for_format(schema) {
            self.used[i] = true;
            return ty;
        }
        if schema.int_or_string {
            return TypeRef::IntOrString;
        }
        match schema.ty {
            Some("object") => self.object(schema, property, segs),
            None if !schema.properties.is_empty() => self.object(schema, property, segs),
            Some("array") => match &schema.items {
                Some(items) => {
                    let item_segs: Vec<&str> = if items.ty == Some("array") {
                        segs.iter().copied().chain(["item"]).collect()
                    } else {
                        segs.to_vec()
                    };
                    if schema.preserve_unknown_fields && !items.preserve_unknown_fields {
                        // The API server does not prune inside the items of an array
                        // that preserves unknown fields (apiextensions-apiserver's
                        // `skipPrune` recurses into `items` with the same rule), so
                        // each item keeps its unknown fields: map the items as if they
                        // carried the flag themselves (the model, and so the CRD
                        // output, is unchanged).
                        let mut preserving = (**items).clone();
                        preserving.preserve_unknown_fields = true;
                        return TypeRef::List(Box::new(self.map(
                            &preserving,
                            property,
                            &item_segs,
                        )));
                    }
                    TypeRef::List(Box::new(self.map(items, property, &item_segs)))
                }
                None => TypeRef::List(Box::new(TypeRef::Json)),
            },
            Some("string") => match string_enum(schema) {
                Some(values) => self.string_enum(schema, values, segs),
                None => TypeRef::String,
            },
            Some("integer") => {
                if schema.format() == Some("int32") {
                    TypeRef::I32
                } else {
                    TypeRef::I64
                }
            }
            Some("number") => TypeRef::F64,
            Some("boolean") => TypeRef::Bool,
            _ => TypeRef::Json,
        }
    }

    fn object(&mut self, schema: &Schema, property: &str, segs: &[&str]) -> TypeRef {
        if schema.properties.is_empty() {
            return match &schema.additional_properties {
                Some(AdditionalProperties::Schema(values)) => {
                    TypeRef::Map(Box::new(self.map(values, property, segs)))
                }
                Some(AdditionalProperties::Bool(true)) => TypeRef::Map(Box::new(TypeRef::Json)),
                _ if schema.preserve_unknown_fields || schema.embedded_resource => {
                    TypeRef::JsonObject
                }
                // `type: object` and nothing else: the server prunes every field.
                _ => self.structure(schema, segs, Vec::new(), false),
            };
        }
        if self.options.well_known
            && !schema.embedded_resource
            && let Some(wk) = wellknown::match_schema(property, schema)
        {
            return TypeRef::WellKnown(wk);
        }
        let mut names = Namer::with_capacity(schema.properties.len());
        let mut fields = Vec::with_capacity(schema.properties.len());
        if schema.embedded_resource {
            // An embedded object always has apiVersion, kind and metadata.
            for (wire, ty) in [
                ("apiVersion", TypeRef::String),
                ("kind", TypeRef::String),
                ("metadata", TypeRef::WellKnown(WellKnown::ObjectMeta)),
            ] {
                let doc = schema.property(wire).and_then(|p| p.description.clone());
                fields.push(Field {
                    wire_name: wire.to_owned(),
                    rust_name: names.claim_ident(naming::field(wire)),
                    ty,
                    presence: if schema.is_required(wire) {
                        Presence::Required
                    } else {
                        Presence::Optional
                    },
                    default: None,
                    doc,
                });
            }
        }
        // One path for every property: the last segment changes.
        let mut child: Vec<&str> = Vec::with_capacity(segs.len() + 1);
        child.extend(segs);
        child.push("");
        for (prop, ps) in &schema.properties {
            if schema.embedded_resource
                && matches!(prop.as_str(), "apiVersion" | "kind" | "metadata")
            {
                continue;
            }
            *child.last_mut().expect("the property's segment") = prop;
            let f = self.field(schema, prop, ps, &child, &mut names);
            fields.push(f);
        }
        self.structure(schema, segs, fields, schema.preserve_unknown_fields)
    }

    fn structure(
        &mut self,
        schema: &Schema,
        segs: &[&str],
        fields: Vec<Field>,
        preserve_unknown: bool,
    ) -> TypeRef {
        let body = TypeBody::Struct(StructDef {
            fields,
            preserve_unknown,
        });
        self.intern(body, schema, segs)
    }

    fn intern(&mut self, body: TypeBody, schema: &Schema, segs: &[&str]) -> TypeRef {
        let hash = self.options.dedup.then(|| shape_hash(&body));
        if let Some(hash) = hash
            && let Some(ids) = self.dedup.get(&hash)
            && let Some(id) = ids.iter().find(|id| self.space.types[id.0].body == body)
        {
            return TypeRef::Named(*id);
        }
        let has_default = match &body {
            TypeBody::Struct(s) => s.fields.iter().all(|f| self.field_has_default(f)),
            TypeBody::Enum(e) => e.default.is_some(),
        };
        let id = TypeId(self.space.types.len());
        let name = RustIdent(self.names.claim(&naming::type_name(segs)));
        self.space.types.push(TypeDef {
            name,
            doc: schema.description.clone(),
            origin: segs.join("."),
            body,
            has_default,
        });
        if let Some(hash) = hash {
            self.dedup.entry(hash).or_default().push(id);
        }
        TypeRef::Named(id)
    }

    fn string_enum(&mut self, schema: &Schema, values: Vec<String>, segs: &[&str]) -> TypeRef {
        let mut names = Namer::new();
        let variants: Vec<Variant> = values
            .iter()
            .map(|v| Variant {
                wire: v.clone(),
                rust_name: RustIdent(names.claim(&naming::variant(v))),
            })
            .collect();
        let other = RustIdent(names.claim("Other"));
        let default = schema
            .default_value()
            .and_then(Value::as_str)
            .and_then(|d| values.iter().position(|v| v == d));
        self.intern(
            TypeBody::Enum(EnumDef {
                variants,
                other,
                default,
            }),
            schema,
            segs,
        )
    }

    fn field_has_default(&self, f: &Field) -> bool {
        match f.presence {
            Presence::Required => self.type_has_default(&f.ty),
            _ => true,
        }
    }

    fn type_has_default(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Named(id) => self.space.types[id.0].has_default,
            // Not known to implement `Default`.
            TypeRef::Override(_) => false,
            _ => true,
        }
    }

    /// Check a schema default (or a value inside one) against the Rust type, so the
    /// generated code can decode it without failing at run time.
    fn check_value(&self, ty: &TypeRef, v: &Value) -> std::result::Result<(), String> {
        let fail = |expected: &str| Err(format!("expected {expected}, found `{v}`"));
        match ty {
            TypeRef::Bool => {
                if v.is_boolean() {
                    Ok(())
                } else {
                    fail("a boolean")
                }
            }
            TypeRef::I32 => match v.as_i64() {
                Some(n) if i32::try_from(n).is_ok() => Ok(()),
                _ => fail("a 32-bit integer"),
            },
            TypeRef::I64 => {
                if v.is_i64() {
                    Ok(())
                } else {
                    fail("a 64-bit integer")
                }
            }
            TypeRef::F64 => {
                if v.is_number() {
                    Ok(())
                } else {
                    fail("a number")
                }
            }
            TypeRef::String => {
                if v.is_string() {
                    Ok(())
                } else {
                    fail("a string")
                }
            }
            TypeRef::IntOrString => match v {
                Value::String(_) => Ok(()),
                Value::Number(n) if n.as_i64().is_some_and(|n| i32::try_from(n).is_ok()) => Ok(()),
                _ => fail("a 32-bit integer or a string"),
            },
            // Not known here: the generated code decodes it at run time.
            TypeRef::Json | TypeRef::Override(_) => Ok(()),
            TypeRef::JsonObject => {
                if v.is_object() {
                    Ok(())
                } else {
                    fail("an object")
                }
            }
            TypeRef::List(item) => match v {
                Value::Array(items) => items.iter().try_for_each(|i| self.check_value(item, i)),
                _ => fail("a list"),
            },
            TypeRef::Map(value) => match v {
                Value::Object(m) => m.values().try_for_each(|i| self.check_value(value, i)),
                _ => fail("an object"),
            },
            TypeRef::WellKnown(_) => {
                if v.is_object() {
                    Ok(())
                } else {
                    fail("an object")
                }
            }
            TypeRef::Named(id) => match &self.space.types[id.0].body {
                TypeBody::Enum(_) => {
                    if v.is_string() {
                        Ok(())
                    } else {
                        fail("a string")
                    }
                }
                TypeBody::Struct(s) => {
                    let Value::Object(m) = v else {
                        return fail("an object");
                    };
                    for f in &s.fields {
                        match (m.get(&f.wire_name), f.presence) {
                            (None, Presence::Required | Presence::RequiredNullable)
                                if f.default.is_none() =>
                            {
                                return Err(format!("missing required field `{}`", f.wire_name));
                            }
                            (
                                Some(Value::Null),
                                Presence::RequiredNullable
                                | Presence::OptionalNullable
                                | Presence::Optional,
                            ) => {}
                            (Some(x), _) => self
                                .check_value(&f.ty, x)
                                .map_err(|e| format!("{}: {e}", f.wire_name))?,
                            (None, _) => {}
                        }
                    }
                    Ok(())
                }
            },
        }
    }
}

/// A hash of a type body without its docs and defaults (long text that rarely tells
/// two shapes apart): equal bodies hash the same, and the comparison that follows a
/// match looks at everything.
fn shape_hash(body: &TypeBody) -> u64 {
    use std::hash::{BuildHasher as _, Hash as _, Hasher as _};
    let mut h = foldhash::fast::FixedState::default().build_hasher();
    match body {
        TypeBody::Struct(s) => {
            h.write_u8(0);
            s.preserve_unknown.hash(&mut h);
            h.write_usize(s.fields.len());
            for f in &s.fields {
                f.wire_name.hash(&mut h);
                f.ty.hash(&mut h);
                f.presence.hash(&mut h);
            }
        }
        TypeBody::Enum(e) => {
            h.write_u8(1);
            h.write_usize(e.variants.len());
            for v in &e.variants {
                v.wire.hash(&mut h);
            }
            e.default.hash(&mut h);
        }
    }
    h.finish()
}

/// The values of a string enum, when every value is a string (a `null` in the list of
/// a nullable field is allowed and skipped). Anything else keeps the field a `String`.
fn string_enum(schema: &Schema) -> Option<Vec<String>> {
    let values = schema.enum_values()?;
    let mut out: Vec<String> = Vec::new();
    for v in values {
        match v {
            Value::String(s) => {
                if !out.contains(s) {
                    out.push(s.clone());
                }
            }
            Value::Null => {}
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}
