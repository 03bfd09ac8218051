//! The scheme: a registry of kinds compiled into the program, and REST mapping.
//!
//! A [`Scheme`] maps each registered kind's [`GroupVersionKind`] to its Rust type
//! ([`TypeId`]) and to what a REST mapper needs (plural, scope, list kind, short names),
//! so a program can resolve `example.com/v1, Kind=Widget` → `/apis/example.com/v1/…/widgets`
//! and decode a [`DynamicObject`] or JSON into the typed object without asking the
//! cluster. Generated code registers each group/version with an `add_to_scheme`
//! function:
//!
//! ```
//! # crdgen_runtime::__doc_kinds!();
//! use crdgen_runtime::scheme::Scheme;
//! use crdgen_runtime::kube::core::GroupVersionKind;
//!
//! // What crdgen emits per group/version:
//! pub fn add_to_scheme(scheme: &mut Scheme) -> crdgen_runtime::error::Result<()> {
//!     scheme.add::<Widget>()?.add::<Gadget>()?;
//!     Ok(())
//! }
//!
//! let mut scheme = Scheme::new();
//! add_to_scheme(&mut scheme)?;
//! let gvk = GroupVersionKind::gvk("example.com", "v1", "Widget");
//! assert_eq!(scheme.lookup_kind(&gvk).map(|k| k.plural), Some("widgets"));
//! assert_eq!(scheme.gvk_of::<Gadget>().map(|g| g.kind.as_str()), Some("Gadget"));
//! # Ok::<(), crdgen_runtime::error::Error>(())
//! ```
//!
//! A [`RestMapper`] answers from a scheme first and falls back to API discovery for
//! kinds that are not compiled in; both paths produce the same [`ResourceMapping`].

use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use kube::api::{Api, DynamicObject};
use kube::core::{GroupVersion, GroupVersionKind, GroupVersionResource, TypeMeta, Version};
use kube::discovery::{ApiCapabilities, ApiResource, Discovery};
use serde_json::Value;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::CustomResource;
use crate::error::{Error, Result};
use crate::resource::Scope;

mod rest_mapper;

pub use rest_mapper::{MappingSource, ResourceMapping, RestMapper};

/// Everything the scheme knows about one registered kind.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KindInfo {
    /// Group, version and kind.
    pub gvk: GroupVersionKind,
    /// Plural resource name used in URLs, e.g. `widgets`.
    pub plural: &'static str,
    /// Singular resource name, e.g. `widget`.
    pub singular: &'static str,
    /// Kind of the list type, e.g. `WidgetList`.
    pub list_kind: &'static str,
    /// Namespaced or cluster-scoped.
    pub scope: Scope,
    /// Short names accepted by kubectl.
    pub short_names: &'static [&'static str],
    /// Categories the kind belongs to.
    pub categories: &'static [&'static str],
    /// Whether this version is the storage version.
    pub storage: bool,
    /// The deprecation warning, when this version is deprecated.
    pub deprecation: Option<&'static str>,
    /// The Rust type registered for the kind.
    pub type_id: TypeId,
    /// The Rust type's name (for messages).
    pub type_name: &'static str,
}

impl KindInfo {
    fn of<K: CustomResource>() -> Self {
        KindInfo {
            gvk: GroupVersionKind::gvk(K::GROUP, K::VERSION, K::KIND),
            plural: K::PLURAL,
            singular: K::SINGULAR,
            list_kind: K::LIST_KIND,
            scope: K::SCOPE,
            short_names: K::SHORT_NAMES,
            categories: K::CATEGORIES,
            storage: K::STORAGE,
            deprecation: K::DEPRECATION,
            type_id: TypeId::of::<K>(),
            type_name: std::any::type_name::<K>(),
        }
    }

    /// Whether objects of this kind live in a namespace.
    pub fn namespaced(&self) -> bool {
        self.scope == Scope::Namespaced
    }

    /// The kind as a [`kube::discovery::ApiResource`], for [`kube::Api<DynamicObject>`].
    pub fn api_resource(&self) -> ApiResource {
        ApiResource::from_gvk_with_plural(&self.gvk, self.plural)
    }

    /// The kind's REST mapping.
    pub fn mapping(&self) -> ResourceMapping {
        ResourceMapping {
            gvk: self.gvk.clone(),
            plural: self.plural.to_owned(),
            singular: self.singular.to_owned(),
            namespaced: self.namespaced(),
            short_names: self.short_names.iter().map(|s| (*s).to_owned()).collect(),
            verbs: Vec::new(),
            subresources: Vec::new(),
            source: MappingSource::Scheme,
        }
    }
}

type DecodeAnyFn = fn(Value) -> Result<Box<dyn Any + Send + Sync>>;

#[derive(Clone)]
struct Entry {
    info: KindInfo,
    decode_any: DecodeAnyFn,
}

/// `(group, version, kind)` or `(group, version, plural)`: ordered, unlike
/// [`GroupVersionKind`].
type Key = (String, String, String);

fn gvk_key(gvk: &GroupVersionKind) -> Key {
    (gvk.group.clone(), gvk.version.clone(), gvk.kind.clone())
}

/// A registry of kinds: GVK ↔ Rust type ↔ plural/scope/list kind/short names.
///
/// Build it once at start-up with the generated `add_to_scheme` functions, then share
/// it (e.g. in an [`Arc`]); lookups take `&self`. Iteration ([`Scheme::kinds`]) is in
/// `(group, version, kind)` order.
#[derive(Clone, Default)]
pub struct Scheme {
    kinds: BTreeMap<Key, Entry>,
    resources: BTreeMap<Key, Key>,
    types: HashMap<TypeId, Key>,
}

impl std::fmt::Debug for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.kinds.values().map(|e| &e.info))
            .finish()
    }
}

impl Scheme {
    /// An empty scheme.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `K`. Registering the same type again is a no-op.
    ///
    /// Fails with [`Error::SchemeConflict`] when another Rust type is registered for the
    /// same kind, or another kind for the same plural in the group/version. Returns
    /// `&mut Self` for chaining: `scheme.add::<A>()?.add::<B>()?`.
    pub fn add<K: CustomResource>(&mut self) -> Result<&mut Self> {
        // A thin generic shim: what depends on `K` is its description and its decoder;
        // the registration itself is compiled once, in this crate.
        self.add_entry(KindInfo::of::<K>(), decode_any_as::<K>)?;
        Ok(self)
    }

    fn add_entry(&mut self, info: KindInfo, decode_any: DecodeAnyFn) -> Result<()> {
        let key = gvk_key(&info.gvk);
        let resource_key: Key = (
            info.gvk.group.clone(),
            info.gvk.version.clone(),
            info.plural.into(),
        );
        if let Some(existing) = self.kinds.get(&key) {
            if existing.info.type_id == info.type_id {
                return Ok(());
            }
            return Err(Error::SchemeConflict {
                gvk: Box::new(info.gvk),
                existing_type: existing.info.type_name,
                new_type: info.type_name,
            });
        }
        if let Some(other) = self
            .resources
            .get(&resource_key)
            .and_then(|k| self.kinds.get(k))
        {
            return Err(Error::SchemeConflict {
                gvk: Box::new(info.gvk),
                existing_type: other.info.type_name,
                new_type: info.type_name,
            });
        }
        self.types.insert(info.type_id, key.clone());
        self.resources.insert(resource_key, key.clone());
        self.kinds.insert(key, Entry { info, decode_any });
        Ok(())
    }

    /// Whether `K` is registered.
    pub fn is_registered<K: 'static>(&self) -> bool {
        self.types.contains_key(&TypeId::of::<K>())
    }

    /// The kind registered for the Rust type `K`.
    pub fn gvk_of<K: 'static>(&self) -> Option<&GroupVersionKind> {
        self.info_of::<K>().map(|i| &i.gvk)
    }

    /// Everything known about the Rust type `K`, if registered.
    pub fn info_of<K: 'static>(&self) -> Option<&KindInfo> {
        let key = self.types.get(&TypeId::of::<K>())?;
        self.kinds.get(key).map(|e| &e.info)
    }

    /// The registered kind for a GVK.
    pub fn lookup_kind(&self, gvk: &GroupVersionKind) -> Option<&KindInfo> {
        self.kinds.get(&gvk_key(gvk)).map(|e| &e.info)
    }

    /// The registered kind served as `plural` in `group`/`version` (a GVR → GVK lookup).
    pub fn lookup_resource(&self, group: &str, version: &str, plural: &str) -> Option<&KindInfo> {
        let key = self
            .resources
            .get(&(group.into(), version.into(), plural.into()))?;
        self.kinds.get(key).map(|e| &e.info)
    }

    /// The kind with the short name `short` (e.g. `wd`).
    ///
    /// The versions of a kind share their short names; this returns the storage version
    /// if it is registered, else the most stable, newest version (`v2` > `v1` >
    /// `v1beta1`), as kubectl prefers. [`Scheme::kinds_for_short_name`] returns them all.
    pub fn resource_for_short_name(&self, short: &str) -> Option<&KindInfo> {
        self.kinds_for_short_name(short)
            .into_iter()
            .max_by_key(|i| (i.storage, Version::parse(&i.gvk.version).priority()))
    }

    /// Every registered kind with the short name `short`, in `(group, version, kind)` order.
    pub fn kinds_for_short_name(&self, short: &str) -> Vec<&KindInfo> {
        self.kinds()
            .filter(|i| i.short_names.contains(&short))
            .collect()
    }

    /// Every registered kind in `(group, version, kind)` order.
    pub fn kinds(&self) -> impl Iterator<Item = &KindInfo> + '_ {
        self.kinds.values().map(|e| &e.info)
    }

    /// The number of registered kinds.
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// Whether no kind is registered.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// Decodes a [`DynamicObject`] into `K` (which need not be registered).
    ///
    /// An object declaring another `apiVersion`/`kind` fails with
    /// [`Error::KindMismatch`]; one declaring none is taken to be a `K`. A body that does
    /// not fit `K` fails with [`Error::Decode`], naming the GVK.
    ///
    /// ```
    /// # crdgen_runtime::__doc_kinds!();
    /// use crdgen_runtime::scheme::Scheme;
    /// let obj: kube::api::DynamicObject = serde_json::from_value(serde_json::json!({
    ///     "apiVersion": "example.com/v1", "kind": "Widget",
    ///     "metadata": {"name": "a", "namespace": "default"},
    ///     "spec": {"size": "small"}
    /// }))?;
    /// let widget: Widget = Scheme::decode(obj)?;
    /// let back = Scheme::encode(&widget)?;
    /// assert_eq!(back.types.unwrap().kind, "Widget");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decode<K: CustomResource>(obj: DynamicObject) -> Result<K> {
        from_value_as::<K>(dynamic_to_value(obj, &Names::of::<K>())?)
    }

    /// Decodes JSON into `K`; see [`Scheme::decode`].
    pub fn decode_value<K: CustomResource>(value: Value) -> Result<K> {
        if let Some(types) = type_meta_of(&value) {
            check_kind(&types, &Names::of::<K>())?;
        }
        from_value_as::<K>(value)
    }

    /// Encodes `obj` as a [`DynamicObject`] with `K`'s `apiVersion` and `kind` set.
    pub fn encode<K: CustomResource>(obj: &K) -> Result<DynamicObject> {
        value_to_dynamic(Self::encode_value(obj)?, &Names::of::<K>())
    }

    /// Encodes `obj` as JSON with `K`'s `apiVersion` and `kind` set.
    pub fn encode_value<K: CustomResource>(obj: &K) -> Result<Value> {
        let names = Names::of::<K>();
        let value = serde_json::to_value(obj).map_err(|source| names.decode_error(source))?;
        Ok(set_type_meta(value, &names))
    }

    /// Decodes JSON into the Rust type registered for its `apiVersion`/`kind`,
    /// type-erased; downcast with [`Box::downcast`].
    ///
    /// Fails with [`Error::MissingTypeMeta`] when the object declares no kind and
    /// [`Error::UnknownKind`] when the kind is not registered.
    ///
    /// ```
    /// # crdgen_runtime::__doc_kinds!();
    /// # let mut scheme = crdgen_runtime::scheme::Scheme::new();
    /// # scheme.add::<Widget>()?;
    /// let any = scheme.decode_any(serde_json::json!({
    ///     "apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "a"}
    /// }))?;
    /// let widget: Box<Widget> = any.downcast().expect("registered as Widget");
    /// # Ok::<(), crdgen_runtime::error::Error>(())
    /// ```
    pub fn decode_any(&self, value: Value) -> Result<Box<dyn Any + Send + Sync>> {
        let types = type_meta_of(&value).ok_or(Error::MissingTypeMeta)?;
        let gvk = gvk_from_type_meta(&types)?;
        let entry = self
            .kinds
            .get(&gvk_key(&gvk))
            .ok_or_else(|| Error::UnknownKind(Box::new(gvk)))?;
        (entry.decode_any)(value)
    }

    /// Decodes a [`DynamicObject`] into its registered Rust type; see
    /// [`Scheme::decode_any`].
    pub fn decode_dynamic_any(&self, obj: DynamicObject) -> Result<Box<dyn Any + Send + Sync>> {
        if obj.types.is_none() {
            return Err(Error::MissingTypeMeta);
        }
        self.decode_any(serde_json::to_value(obj)?)
    }
}

/// What the non-generic halves of the scheme's codecs need to know of a kind: the
/// generic shims ([`Scheme::decode`], [`Scheme::encode`], ...) only add the typed serde
/// call, so each kind instantiates little beyond its own `Serialize`/`Deserialize`.
struct Names {
    group: &'static str,
    version: &'static str,
    api_version: &'static str,
    kind: &'static str,
    type_name: &'static str,
}

impl Names {
    fn of<K: CustomResource>() -> Self {
        Names {
            group: K::GROUP,
            version: K::VERSION,
            api_version: K::API_VERSION,
            kind: K::KIND,
            type_name: std::any::type_name::<K>(),
        }
    }

    fn gvk(&self) -> GroupVersionKind {
        GroupVersionKind::gvk(self.group, self.version, self.kind)
    }

    #[cold]
    fn decode_error(&self, source: serde_json::Error) -> Error {
        self.error_as(self.type_name, source)
    }

    #[cold]
    fn error_as(&self, type_name: &'static str, source: serde_json::Error) -> Error {
        Error::Decode {
            gvk: Box::new(self.gvk()),
            type_name,
            source,
        }
    }
}

fn decode_any_as<K: CustomResource>(value: Value) -> Result<Box<dyn Any + Send + Sync>> {
    Ok(Box::new(from_value_as::<K>(value)?))
}

fn from_value_as<K: CustomResource>(value: Value) -> Result<K> {
    serde_json::from_value(value).map_err(|source| Names::of::<K>().decode_error(source))
}

/// A [`DynamicObject`] of the kind `names` as JSON, its `apiVersion`/`kind` checked
/// (or filled in when absent).
fn dynamic_to_value(obj: DynamicObject, names: &Names) -> Result<Value> {
    if let Some(types) = &obj.types {
        check_kind(types, names)?;
    }
    let mut value = serde_json::to_value(obj)?;
    if let Some(map) = value.as_object_mut() {
        map.entry("apiVersion")
            .or_insert_with(|| names.api_version.into());
        map.entry("kind").or_insert_with(|| names.kind.into());
    }
    Ok(value)
}

/// Sets `apiVersion` and `kind` of an encoded object.
fn set_type_meta(mut value: Value, names: &Names) -> Value {
    if let Some(map) = value.as_object_mut() {
        map.insert("apiVersion".into(), names.api_version.into());
        map.insert("kind".into(), names.kind.into());
    }
    value
}

fn value_to_dynamic(value: Value, names: &Names) -> Result<DynamicObject> {
    serde_json::from_value(value).map_err(|source| names.error_as("DynamicObject", source))
}

fn check_kind(types: &TypeMeta, names: &Names) -> Result<()> {
    if types.api_version == names.api_version && types.kind == names.kind {
        return Ok(());
    }
    Err(Error::KindMismatch {
        expected: Box::new(names.gvk()),
        found: Box::new(gvk_from_type_meta(types)?),
    })
}

fn type_meta_of(value: &Value) -> Option<TypeMeta> {
    let api_version = value.get("apiVersion")?.as_str()?;
    let kind = value.get("kind")?.as_str()?;
    Some(TypeMeta {
        api_version: api_version.into(),
        kind: kind.into(),
    })
}

fn gvk_from_type_meta(types: &TypeMeta) -> Result<GroupVersionKind> {
    if types.api_version.is_empty() || types.kind.is_empty() {
        return Err(Error::MissingTypeMeta);
    }
    let gv: GroupVersion = types
        .api_version
        .parse()
        .map_err(|_| Error::MissingTypeMeta)?;
    Ok(gv.with_kind(&types.kind))
}

/// The [`GroupVersionKind`] an object declares in `apiVersion`/`kind`.
///
/// Fails with [`Error::MissingTypeMeta`] when they are absent or unparsable.
pub fn gvk_of_dynamic(obj: &DynamicObject) -> Result<GroupVersionKind> {
    gvk_from_type_meta(obj.types.as_ref().ok_or(Error::MissingTypeMeta)?)
}

/// The kind `gvk` names when it is of `group`/`version`, else `""` (no kind's name):
/// what generated kind enums match on to pick a variant.
#[inline]
pub fn kind_in<'a>(gvk: &'a GroupVersionKind, group: &str, version: &str) -> &'a str {
    if gvk.group == group && gvk.version == version {
        &gvk.kind
    } else {
        ""
    }
}

/// Decodes `obj` as `K` and wraps it (`wrap` is a kind enum's variant).
pub fn decode_boxed<K: CustomResource, E>(obj: DynamicObject, wrap: fn(Box<K>) -> E) -> Result<E> {
    Scheme::decode(obj).map(|o| wrap(Box::new(o)))
}

/// [`Error::UnknownKind`] for `gvk`: a kind enum's answer for a kind it does not have.
pub fn unknown_kind<E>(gvk: GroupVersionKind) -> Result<E> {
    Err(Error::UnknownKind(Box::new(gvk)))
}

// ---------------------------------------------------------------------------------------
// Kind enums
// ---------------------------------------------------------------------------------------

/// An enum with one variant per kind of a group/version, as crdgen generates it.
///
/// Generated code implements the three required methods with a `match`, as here:
///
/// ```
/// # crdgen_runtime::__doc_kinds!();
/// use crdgen_runtime::error::{Error, Result};
/// use crdgen_runtime::kube::{api::DynamicObject, core::GroupVersionKind};
/// use crdgen_runtime::scheme::{decode_boxed, gvk_of_dynamic, kind_in, unknown_kind, KindEnum, Scheme};
///
/// enum ExampleComV1 { Widget(Box<Widget>), Gadget(Box<Gadget>) }
///
/// impl KindEnum for ExampleComV1 {
///     fn from_dynamic(obj: DynamicObject) -> Result<Self> {
///         let gvk = gvk_of_dynamic(&obj)?;
///         let kind = kind_in(&gvk, "example.com", "v1");
///         match kind {
///             "Widget" => decode_boxed(obj, Self::Widget),
///             "Gadget" => decode_boxed(obj, Self::Gadget),
///             _ => unknown_kind(gvk),
///         }
///     }
///     fn to_dynamic(&self) -> Result<DynamicObject> {
///         match self {
///             Self::Widget(o) => Scheme::encode(o.as_ref()),
///             Self::Gadget(o) => Scheme::encode(o.as_ref()),
///         }
///     }
///     fn gvk(&self) -> GroupVersionKind {
///         match self {
///             Self::Widget(_) => GroupVersionKind::gvk("example.com", "v1", "Widget"),
///             Self::Gadget(_) => GroupVersionKind::gvk("example.com", "v1", "Gadget"),
///         }
///     }
/// }
///
/// let obj = ExampleComV1::from_value(serde_json::json!({
///     "apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}
/// }))?;
/// assert!(matches!(obj, ExampleComV1::Gadget(_)));
/// # Ok::<(), Error>(())
/// ```
pub trait KindEnum: Sized {
    /// Decodes an object into the variant of its `apiVersion`/`kind`
    /// ([`Error::UnknownKind`] for a kind of another group/version).
    fn from_dynamic(obj: DynamicObject) -> Result<Self>;

    /// Encodes the object with its `apiVersion` and `kind`.
    fn to_dynamic(&self) -> Result<DynamicObject>;

    /// The kind of the variant.
    fn gvk(&self) -> GroupVersionKind;

    /// Decodes JSON into the variant of its `apiVersion`/`kind`.
    fn from_value(value: Value) -> Result<Self> {
        Self::from_dynamic(serde_json::from_value(value)?)
    }
}
