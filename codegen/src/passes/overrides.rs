//! Type overrides ([`crate::Settings::type_overrides`]): a Rust type named by the user
//! for every schema node of a `format`, or for one field by its schema path.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::ir::{Schema, TypeRef};

/// Where a [`Settings::type_overrides`] entry applies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeOverride {
    /// Every schema node with this `format` (e.g. `date-time`), as a field or as the
    /// items or values of one (`Vec<T>`, `BTreeMap<String, T>`).
    Format(String),
    /// One field, by its schema path: the kind, then the property names from the
    /// root (`Certificate.spec.duration`); list items and map values add no segment
    /// (`Pod.spec.containers.image`). Every version of the kind. The whole field
    /// type is replaced (a list field's too); `Option` stays as the field's presence
    /// needs.
    Path(String),
}

impl TypeOverride {
    /// The command line's form: `format=FORMAT` or `path=KIND.FIELD...`.
    pub fn parse(s: &str) -> std::result::Result<TypeOverride, String> {
        match s.split_once('=') {
            Some(("format", f)) if !f.is_empty() => Ok(TypeOverride::Format(f.to_owned())),
            Some(("path", p)) if p.split('.').count() >= 2 && !p.split('.').any(str::is_empty) => {
                Ok(TypeOverride::Path(p.to_owned()))
            }
            _ => Err(format!(
                "`{s}`: expected `format=FORMAT` or `path=KIND.FIELD[.FIELD...]`"
            )),
        }
    }
}

impl std::fmt::Display for TypeOverride {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TypeOverride::Format(x) => write!(f, "format={x}"),
            TypeOverride::Path(x) => write!(f, "path={x}"),
        }
    }
}

/// The overrides as the type pass looks them up.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    list: Vec<(TypeOverride, String)>,
    formats: BTreeMap<String, (usize, String)>,
    paths: BTreeMap<String, (usize, String)>,
}

impl Overrides {
    /// The overrides of the settings, each numbered by its place in the list.
    pub fn new(list: &[(TypeOverride, String)]) -> Overrides {
        let mut out = Overrides {
            list: list.to_vec(),
            ..Overrides::default()
        };
        for (i, (target, ty)) in list.iter().enumerate() {
            let map = match target {
                TypeOverride::Format(_) => &mut out.formats,
                TypeOverride::Path(_) => &mut out.paths,
            };
            let key = match target {
                TypeOverride::Format(k) | TypeOverride::Path(k) => k.clone(),
            };
            map.insert(key, (i, ty.clone()));
        }
        out
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The type of the field at schema path `segs` (the kind, then property names), and
    /// the override's number.
    pub(crate) fn for_path(&self, segs: &[&str]) -> Option<(usize, TypeRef)> {
        if self.paths.is_empty() {
            return None;
        }
        let path = segs.join(".");
        let (i, ty) = self.paths.get(&path)?;
        Some((*i, TypeRef::Override(ty.clone())))
    }

    /// The type of a schema node by its `format`, and the override's number.
    pub(crate) fn for_format(&self, schema: &Schema) -> Option<(usize, TypeRef)> {
        let (i, ty) = self.formats.get(schema.format()?)?;
        Some((*i, TypeRef::Override(ty.clone())))
    }

    /// An error for the overrides that matched nothing (`used[i]`: whether override
    /// `i` of the settings matched), naming each.
    pub(crate) fn unused(&self, used: &[bool]) -> Result<()> {
        let unused: Vec<String> = self
            .list
            .iter()
            .zip(used)
            .filter(|(_, u)| !**u)
            .map(|((target, ty), _)| {
                let what = match target {
                    TypeOverride::Format(f) => format!("no schema has `format: {f}`"),
                    TypeOverride::Path(p) => format!(
                        "no field is at `{p}` (the kind, then property names from its \
                         root; list items and map values add no segment)"
                    ),
                };
                format!("type override `{target}={ty}`: {what}")
            })
            .collect();
        if unused.is_empty() {
            Ok(())
        } else {
            Err(Error::Environment(unused.join("; ")))
        }
    }
}

/// Overrides need Rust types, and annotated output types that give their schema back.
pub(crate) fn check(settings: &crate::Settings) -> Result<()> {
    for (target, ty) in &settings.type_overrides {
        if let Err(e) = syn::parse_str::<syn::Type>(ty) {
            return Err(Error::Environment(format!(
                "type override `{target}={ty}`: `{ty}` is not a Rust type: {e}"
            )));
        }
    }
    let mut targets: Vec<&TypeOverride> = settings.type_overrides.iter().map(|(t, _)| t).collect();
    targets.sort();
    if let Some(w) = targets.windows(2).find(|w| w[0] == w[1]) {
        return Err(Error::Environment(format!(
            "type override `{}` is given twice",
            w[0]
        )));
    }
    if settings.annotated && !settings.type_overrides.is_empty() {
        return Err(Error::Environment(
            "type overrides do not combine with annotated output (its types must give their \
             schema back)"
                .into(),
        ));
    }
    Ok(())
}
