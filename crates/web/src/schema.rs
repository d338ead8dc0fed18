//! Exact JSON Schemas for request fields, so the OpenAPI document states what the validators
//! accept: the same limits (`maxLength` counts characters as sent), the same forbidden
//! characters (`pattern`), blank strings where a blank counts as absent. The request structs
//! use these through `#[schema(schema_with = …)]`.

use utoipa::openapi::schema::{AnyOfBuilder, ArrayBuilder, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{KnownFormat, RefOr};

/// `string` (or `string | null`) display text of at most `max` characters.
pub fn text(max: usize, nullable: bool, description: &str) -> Schema {
    ObjectBuilder::new()
        .schema_type(string_type(nullable))
        .max_length(Some(max))
        .pattern(Some(fml_domain::text::pattern()))
        .description(Some(description))
        .build()
        .into()
}

/// `string | null` from a fixed list (values compared as the description says).
pub fn one_of_strings(values: impl IntoIterator<Item = String>, description: &str) -> Schema {
    ObjectBuilder::new()
        .schema_type(string_type(true))
        .enum_values(Some(values.into_iter().map(serde_json::Value::String).chain([serde_json::Value::Null])))
        .description(Some(description))
        .build()
        .into()
}

/// `boolean | null`.
pub fn flag(description: &str) -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::Boolean, Type::Null]))
        .description(Some(description))
        .build()
        .into()
}

/// `boolean`, or the strings Zapier sends for one: "true"/"false" in any case, or blank.
pub fn lenient_flag(description: &str) -> Schema {
    AnyOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(SchemaType::Array(vec![Type::Boolean, Type::Null])))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^[ \\t\\r\\n]*([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])?[ \\t\\r\\n]*$")),
        )
        .description(Some(description))
        .build()
        .into()
}

/// A `string` (or `string | null`) of at most `max` characters with a format.
pub fn formatted(format: KnownFormat, max: usize, nullable: bool, description: &str) -> Schema {
    ObjectBuilder::new()
        .schema_type(string_type(nullable))
        .format(Some(SchemaFormat::KnownFormat(format)))
        .max_length(Some(max))
        .description(Some(description))
        .build()
        .into()
}

/// A non-empty array of strings from a fixed list, or null.
pub fn nonempty_list(values: impl IntoIterator<Item = String>, description: &str) -> Schema {
    let item = ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values));
    ArrayBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::Array, Type::Null]))
        .items(RefOr::T(Schema::Object(item.build())))
        .min_items(Some(1))
        .description(Some(description))
        .build()
        .into()
}

fn string_type(nullable: bool) -> SchemaType {
    if nullable { SchemaType::Array(vec![Type::String, Type::Null]) } else { SchemaType::Type(Type::String) }
}
