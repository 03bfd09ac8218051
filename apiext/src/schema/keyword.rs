//! The keywords of a schema node (the fields of apiextensions.k8s.io/v1
//! `JSONSchemaProps`), recognised with one switch on the key's length and a comparison
//! or two: the walks classify every key of every node, and a chain of string
//! comparisons per key was most of their cost. [`Kw`] holds a node's keywords, read
//! in one pass.

use crate::doc::Doc;

/// A `JSONSchemaProps` field, in the Go struct's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keyword {
    /// `id`
    Id,
    /// `$schema`
    Schema,
    /// `$ref`
    Ref,
    /// `description`
    Description,
    /// `type`
    Type,
    /// `format`
    Format,
    /// `title`
    Title,
    /// `default`
    Default,
    /// `maximum`
    Maximum,
    /// `exclusiveMaximum`
    ExclusiveMaximum,
    /// `minimum`
    Minimum,
    /// `exclusiveMinimum`
    ExclusiveMinimum,
    /// `maxLength`
    MaxLength,
    /// `minLength`
    MinLength,
    /// `pattern`
    Pattern,
    /// `maxItems`
    MaxItems,
    /// `minItems`
    MinItems,
    /// `uniqueItems`
    UniqueItems,
    /// `multipleOf`
    MultipleOf,
    /// `enum`
    Enum,
    /// `maxProperties`
    MaxProperties,
    /// `minProperties`
    MinProperties,
    /// `required`
    Required,
    /// `items`
    Items,
    /// `allOf`
    AllOf,
    /// `oneOf`
    OneOf,
    /// `anyOf`
    AnyOf,
    /// `not`
    Not,
    /// `properties`
    Properties,
    /// `additionalProperties`
    AdditionalProperties,
    /// `patternProperties`
    PatternProperties,
    /// `dependencies`
    Dependencies,
    /// `additionalItems`
    AdditionalItems,
    /// `definitions`
    Definitions,
    /// `externalDocs`
    ExternalDocs,
    /// `example`
    Example,
    /// `nullable`
    Nullable,
    /// `x-kubernetes-preserve-unknown-fields`
    XPreserveUnknownFields,
    /// `x-kubernetes-embedded-resource`
    XEmbeddedResource,
    /// `x-kubernetes-int-or-string`
    XIntOrString,
    /// `x-kubernetes-list-map-keys`
    XListMapKeys,
    /// `x-kubernetes-list-type`
    XListType,
    /// `x-kubernetes-map-type`
    XMapType,
    /// `x-kubernetes-validations`
    XValidations,
}

impl Keyword {
    /// Every keyword, in the Go struct's order.
    pub(crate) const ALL: &[Keyword] = &[
        Keyword::Id,
        Keyword::Schema,
        Keyword::Ref,
        Keyword::Description,
        Keyword::Type,
        Keyword::Format,
        Keyword::Title,
        Keyword::Default,
        Keyword::Maximum,
        Keyword::ExclusiveMaximum,
        Keyword::Minimum,
        Keyword::ExclusiveMinimum,
        Keyword::MaxLength,
        Keyword::MinLength,
        Keyword::Pattern,
        Keyword::MaxItems,
        Keyword::MinItems,
        Keyword::UniqueItems,
        Keyword::MultipleOf,
        Keyword::Enum,
        Keyword::MaxProperties,
        Keyword::MinProperties,
        Keyword::Required,
        Keyword::Items,
        Keyword::AllOf,
        Keyword::OneOf,
        Keyword::AnyOf,
        Keyword::Not,
        Keyword::Properties,
        Keyword::AdditionalProperties,
        Keyword::PatternProperties,
        Keyword::Dependencies,
        Keyword::AdditionalItems,
        Keyword::Definitions,
        Keyword::ExternalDocs,
        Keyword::Example,
        Keyword::Nullable,
        Keyword::XPreserveUnknownFields,
        Keyword::XEmbeddedResource,
        Keyword::XIntOrString,
        Keyword::XListMapKeys,
        Keyword::XListType,
        Keyword::XMapType,
        Keyword::XValidations,
    ];

    /// The keyword `key` names, if it is one.
    #[inline]
    pub(crate) fn of(key: &str) -> Option<Keyword> {
        use Keyword::*;
        // Each inner match compares strings of one known length.
        match key.len() {
            2 => match key {
                "id" => Some(Id),
                _ => None,
            },
            3 => match key {
                "not" => Some(Not),
                _ => None,
            },
            4 => match key {
                "$ref" => Some(Ref),
                "type" => Some(Type),
                "enum" => Some(Enum),
                _ => None,
            },
            5 => match key {
                "title" => Some(Title),
                "items" => Some(Items),
                "allOf" => Some(AllOf),
                "oneOf" => Some(OneOf),
                "anyOf" => Some(AnyOf),
                _ => None,
            },
            6 => match key {
                "format" => Some(Format),
                _ => None,
            },
            7 => match key {
                "$schema" => Some(Schema),
                "default" => Some(Default),
                "maximum" => Some(Maximum),
                "minimum" => Some(Minimum),
                "pattern" => Some(Pattern),
                "example" => Some(Example),
                _ => None,
            },
            8 => match key {
                "maxItems" => Some(MaxItems),
                "minItems" => Some(MinItems),
                "required" => Some(Required),
                "nullable" => Some(Nullable),
                _ => None,
            },
            9 => match key {
                "maxLength" => Some(MaxLength),
                "minLength" => Some(MinLength),
                _ => None,
            },
            10 => match key {
                "multipleOf" => Some(MultipleOf),
                "properties" => Some(Properties),
                _ => None,
            },
            11 => match key {
                "description" => Some(Description),
                "uniqueItems" => Some(UniqueItems),
                "definitions" => Some(Definitions),
                _ => None,
            },
            12 => match key {
                "dependencies" => Some(Dependencies),
                "externalDocs" => Some(ExternalDocs),
                _ => None,
            },
            13 => match key {
                "maxProperties" => Some(MaxProperties),
                "minProperties" => Some(MinProperties),
                _ => None,
            },
            15 => match key {
                "additionalItems" => Some(AdditionalItems),
                _ => None,
            },
            16 => match key {
                "exclusiveMaximum" => Some(ExclusiveMaximum),
                "exclusiveMinimum" => Some(ExclusiveMinimum),
                _ => None,
            },
            17 => match key {
                "patternProperties" => Some(PatternProperties),
                _ => None,
            },
            20 => match key {
                "additionalProperties" => Some(AdditionalProperties),
                _ => None,
            },
            21 => match key {
                "x-kubernetes-map-type" => Some(XMapType),
                _ => None,
            },
            22 => match key {
                "x-kubernetes-list-type" => Some(XListType),
                _ => None,
            },
            24 => match key {
                "x-kubernetes-validations" => Some(XValidations),
                _ => None,
            },
            26 => match key {
                "x-kubernetes-int-or-string" => Some(XIntOrString),
                "x-kubernetes-list-map-keys" => Some(XListMapKeys),
                _ => None,
            },
            30 => match key {
                "x-kubernetes-embedded-resource" => Some(XEmbeddedResource),
                _ => None,
            },
            36 => match key {
                "x-kubernetes-preserve-unknown-fields" => Some(XPreserveUnknownFields),
                _ => None,
            },
            _ => None,
        }
    }

    /// The keyword as written in a schema.
    pub(crate) fn name(self) -> &'static str {
        use Keyword::*;
        match self {
            Id => "id",
            Schema => "$schema",
            Ref => "$ref",
            Description => "description",
            Type => "type",
            Format => "format",
            Title => "title",
            Default => "default",
            Maximum => "maximum",
            ExclusiveMaximum => "exclusiveMaximum",
            Minimum => "minimum",
            ExclusiveMinimum => "exclusiveMinimum",
            MaxLength => "maxLength",
            MinLength => "minLength",
            Pattern => "pattern",
            MaxItems => "maxItems",
            MinItems => "minItems",
            UniqueItems => "uniqueItems",
            MultipleOf => "multipleOf",
            Enum => "enum",
            MaxProperties => "maxProperties",
            MinProperties => "minProperties",
            Required => "required",
            Items => "items",
            AllOf => "allOf",
            OneOf => "oneOf",
            AnyOf => "anyOf",
            Not => "not",
            Properties => "properties",
            AdditionalProperties => "additionalProperties",
            PatternProperties => "patternProperties",
            Dependencies => "dependencies",
            AdditionalItems => "additionalItems",
            Definitions => "definitions",
            ExternalDocs => "externalDocs",
            Example => "example",
            Nullable => "nullable",
            XPreserveUnknownFields => "x-kubernetes-preserve-unknown-fields",
            XEmbeddedResource => "x-kubernetes-embedded-resource",
            XIntOrString => "x-kubernetes-int-or-string",
            XListMapKeys => "x-kubernetes-list-map-keys",
            XListType => "x-kubernetes-list-type",
            XMapType => "x-kubernetes-map-type",
            XValidations => "x-kubernetes-validations",
        }
    }
}

/// The keywords of a schema node, found in one pass over its keys and kept by
/// [`Keyword`]: the walks (`schema::openapi`, `structural::invariants`, `defaults`) read
/// about twenty per node, and a map lookup for each was most of their cost.
pub(crate) struct Kw<'a, D> {
    slots: [Option<&'a D>; Keyword::ALL.len()],
}

impl<'a, D: Doc> Kw<'a, D> {
    pub(crate) fn of(s: &'a D) -> Self {
        let mut kw = Kw {
            slots: [None; Keyword::ALL.len()],
        };
        for (k, v) in s.entries() {
            if let Some(k) = Keyword::of(k) {
                kw.slots[k as usize] = Some(v);
            }
        }
        kw
    }

    pub(crate) fn get(&self, k: Keyword) -> Option<&'a D> {
        self.slots[k as usize]
    }

    pub(crate) fn flag(&self, k: Keyword) -> bool {
        self.get(k).is_some_and(D::is_true)
    }

    pub(crate) fn ty(&self) -> &'a str {
        self.get(Keyword::Type)
            .and_then(D::as_str)
            .unwrap_or_default()
    }
    pub(crate) fn default(&self) -> Option<&'a D> {
        self.get(Keyword::Default)
    }
    pub(crate) fn id(&self) -> Option<&'a D> {
        self.get(Keyword::Id)
    }
    pub(crate) fn dollar_schema(&self) -> Option<&'a D> {
        self.get(Keyword::Schema)
    }
    pub(crate) fn reference(&self) -> Option<&'a D> {
        self.get(Keyword::Ref)
    }
    pub(crate) fn additional_items(&self) -> Option<&'a D> {
        self.get(Keyword::AdditionalItems)
    }
    pub(crate) fn pattern_properties(&self) -> Option<&'a D> {
        self.get(Keyword::PatternProperties)
    }
    pub(crate) fn definitions(&self) -> Option<&'a D> {
        self.get(Keyword::Definitions)
    }
    pub(crate) fn dependencies(&self) -> Option<&'a D> {
        self.get(Keyword::Dependencies)
    }
    pub(crate) fn items(&self) -> Option<&'a D> {
        self.get(Keyword::Items)
    }
    pub(crate) fn embedded(&self) -> bool {
        self.flag(Keyword::XEmbeddedResource)
    }
    pub(crate) fn unique_items(&self) -> bool {
        self.flag(Keyword::UniqueItems)
    }
    pub(crate) fn additional_properties(&self) -> Option<&'a D> {
        self.get(Keyword::AdditionalProperties)
    }
    /// `properties`, if an object.
    pub(crate) fn properties(&self) -> Option<&'a D> {
        self.get(Keyword::Properties).and_then(D::as_object)
    }
    /// `not`, if an object.
    pub(crate) fn not(&self) -> Option<&'a D> {
        self.get(Keyword::Not).and_then(D::as_object)
    }
    pub(crate) fn all_of(&self) -> Option<&'a D> {
        self.get(Keyword::AllOf)
    }
    pub(crate) fn one_of(&self) -> Option<&'a D> {
        self.get(Keyword::OneOf)
    }
    pub(crate) fn any_of(&self) -> Option<&'a D> {
        self.get(Keyword::AnyOf)
    }
    pub(crate) fn preserve_unknown(&self) -> Option<&'a D> {
        self.get(Keyword::XPreserveUnknownFields)
    }
    pub(crate) fn int_or_string(&self) -> bool {
        self.flag(Keyword::XIntOrString)
    }
    pub(crate) fn map_type(&self) -> Option<&'a D> {
        self.get(Keyword::XMapType)
    }
    pub(crate) fn list_type(&self) -> Option<&'a D> {
        self.get(Keyword::XListType)
    }
    pub(crate) fn list_map_keys(&self) -> Option<&'a D> {
        self.get(Keyword::XListMapKeys)
    }
    pub(crate) fn validations(&self) -> Option<&'a D> {
        self.get(Keyword::XValidations)
    }

    /// The schemas under `properties`, in key order.
    pub(crate) fn props(&self) -> impl Iterator<Item = (&'a str, &'a D)> + use<'a, D> {
        self.properties()
            .into_iter()
            .flat_map(D::sorted_entries)
            .filter(|(_, v)| v.is_object())
    }

    /// The schemas under `properties`, in any order.
    pub(crate) fn props_any_order(&self) -> impl Iterator<Item = (&'a str, &'a D)> + use<'a, D> {
        self.properties()
            .into_iter()
            .flat_map(D::entries)
            .filter(|(_, v)| v.is_object())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_and_nothing_else() {
        assert_eq!(Keyword::ALL.len(), 44);
        for &k in Keyword::ALL {
            assert_eq!(Keyword::of(k.name()), Some(k));
        }
        for k in [
            "",
            "Type",
            "types",
            "typ",
            "x-kubernetes-list-map-key",
            "$refs",
            "ID",
            "descriptio",
        ] {
            assert_eq!(Keyword::of(k), None, "{k}");
        }
    }
}
