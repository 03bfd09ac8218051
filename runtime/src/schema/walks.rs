//! Which of the pipeline's per-object walks a version's schema gives anything to do,
//! found once per version (when the CRD is compiled) instead of walking every object
//! for nothing: a 1.4 MB schema without embedded resources or defaults (argo-cd's
//! ApplicationSet) spent a fifth of its validation in walks that could not act.

use serde_json::Value;

/// The walks a schema needs. Each flag is conservative: `false` only when the keyword
/// the walk acts on appears nowhere in the schema, so that skipping the walk cannot
/// change a verdict. [`Walks::default`] runs every walk (for a schema not scanned).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Walks {
    /// `x-kubernetes-embedded-resource: true` somewhere: the embedded resources'
    /// decoding, metadata pruning and `schemaobjectmeta.Validate`.
    pub embedded: bool,
    /// `x-kubernetes-list-type` somewhere: set and map uniqueness.
    pub list_types: bool,
    /// `default` somewhere: defaulting.
    pub defaults: bool,
    /// `x-kubernetes-validations` somewhere: CEL rules to compile.
    pub rules: bool,
}

impl Default for Walks {
    fn default() -> Self {
        Walks {
            embedded: true,
            list_types: true,
            defaults: true,
            rules: true,
        }
    }
}

impl Walks {
    /// Scan a schema once: which keywords it uses anywhere (a property named like a
    /// keyword counts too, which only runs a walk that finds nothing).
    pub fn of(schema: &Value) -> Walks {
        let mut w = Walks {
            embedded: false,
            list_types: false,
            defaults: false,
            rules: false,
        };
        w.scan(schema);
        w
    }

    fn scan(&mut self, s: &Value) {
        match s {
            Value::Object(m) => {
                for (k, v) in m {
                    match k.as_str() {
                        "x-kubernetes-embedded-resource" => {
                            self.embedded |= v.as_bool() == Some(true);
                        }
                        "x-kubernetes-list-type" => self.list_types = true,
                        "default" => self.defaults = true,
                        "x-kubernetes-validations" => self.rules = true,
                        _ => {}
                    }
                    self.scan(v);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| self.scan(v)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_keywords_at_any_depth() {
        let plain = json!({"type": "object", "properties": {"spec": {"type": "object",
            "properties": {"n": {"type": "integer"}}}}});
        let none = Walks {
            embedded: false,
            list_types: false,
            defaults: false,
            rules: false,
        };
        assert_eq!(Walks::of(&plain), none);
        let deep = json!({"type": "object", "properties": {"spec": {"type": "object",
            "properties": {"items": {"type": "array", "x-kubernetes-list-type": "set",
                "items": {"type": "object", "x-kubernetes-embedded-resource": true,
                    "properties": {"n": {"type": "integer", "default": 1}}}}},
            "x-kubernetes-validations": [{"rule": "true"}]}}});
        assert_eq!(Walks::of(&deep), Walks::default());
    }

    #[test]
    fn embedded_resource_false_is_no_embedded_resource() {
        let s = json!({"properties": {"t": {"x-kubernetes-embedded-resource": false}}});
        assert!(!Walks::of(&s).embedded);
        // A property named `default` is conservatively a default.
        let s = json!({"properties": {"default": {"type": "string"}}});
        assert!(Walks::of(&s).defaults);
    }
}
