//! The OpenAPI 3.1 document served at `/openapi.json`, written from the resources'
//! descriptions ([`crate::resources::ALL`]).
//!
//! `base.json` holds what describes no resource: `info`, the security scheme, the service
//! document, `$metadata` and `$batch` under each version, and the shared parameters, headers,
//! responses and schemas. To it are added, per resource and version, its paths ([`paths`]),
//! and per resource its schemas ([`schemas`]), its `$filter`, `$select` and `$orderby`
//! ([`parameters`]) and its tag.

mod parameters;
mod paths;
mod schemas;
mod words;

use std::sync::OnceLock;

use serde_json::{json, Map, Value};

use crate::resources::{ResourceDef, ALL};

/// A JSON object.
pub type Object = Map<String, Value>;

/// The parts of the document that describe no resource.
const BASE: &str = include_str!("base.json");

/// The order of the top-level members in the text (`serde_json` sorts the rest by name).
const TOP_LEVEL: [&str; 7] = [
    "openapi",
    "info",
    "servers",
    "security",
    "tags",
    "paths",
    "components",
];

/// The document of the reports and what `base.json` describes, as JSON text.
pub fn document() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| render(&build(ALL)))
}

/// The document with what `extend` adds to its `paths` and `components.schemas` (the server's
/// route table describes its other endpoints this way), as JSON text.
pub fn document_with(extend: impl FnOnce(&mut Object, &mut Object)) -> String {
    let mut document = build(ALL);
    let mut paths = take_object(&mut document, "paths");
    let mut components = take_object(&mut document, "components");
    let mut schemas = take_object(&mut components, "schemas");
    extend(&mut paths, &mut schemas);
    components.insert("schemas".into(), Value::Object(schemas));
    document.insert("paths".into(), Value::Object(paths));
    document.insert("components".into(), Value::Object(components));
    render(&document)
}

pub use paths::{with_errors, Status, NOT_FOUND, TIMED_OUT, TOO_LARGE, UNSUPPORTED};
pub use schemas::{add_entity_type, entity_input};

/// The document describing `resources`.
fn build(resources: &[&ResourceDef]) -> Object {
    // base.json is checked in and parsed by the tests: one that is not a JSON object is a
    // programming error, found by `cargo test` before it could be served.
    let Ok(Value::Object(mut document)) = serde_json::from_str::<Value>(BASE) else {
        panic!("openapi/base.json must be a JSON object");
    };

    let mut tags: Vec<Value> = resources
        .iter()
        .map(|def| json!({ "name": def.collection }))
        .collect();
    if let Some(Value::Array(base_tags)) = document.remove("tags") {
        tags.extend(base_tags);
    }
    document.insert("tags".into(), Value::Array(tags));

    let mut paths = take_object(&mut document, "paths");
    for version in paths::VERSIONS {
        for def in resources {
            paths::add(&mut paths, def, version);
        }
    }
    document.insert("paths".into(), Value::Object(paths));

    let mut components = take_object(&mut document, "components");
    let mut schemas = take_object(&mut components, "schemas");
    let mut parameters = take_object(&mut components, "parameters");
    for def in resources {
        schemas::add(&mut schemas, def);
        parameters::add(&mut parameters, def);
    }
    components.insert("schemas".into(), Value::Object(schemas));
    components.insert("parameters".into(), Value::Object(parameters));
    document.insert("components".into(), Value::Object(components));
    document
}

/// Removes `object[key]`, an object (an empty one if it is missing).
fn take_object(object: &mut Object, key: &str) -> Object {
    match object.remove(key) {
        Some(Value::Object(inner)) => inner,
        _ => Map::new(),
    }
}

/// `document` as pretty-printed JSON, its top-level members in [`TOP_LEVEL`]'s order.
fn render(document: &Object) -> String {
    let mut keys: Vec<&str> = TOP_LEVEL
        .iter()
        .copied()
        .filter(|key| document.contains_key(*key))
        .collect();
    keys.extend(
        document
            .keys()
            .map(String::as_str)
            .filter(|key| !TOP_LEVEL.contains(key)),
    );
    let members: Vec<String> = keys
        .iter()
        .filter_map(|key| {
            let value = document.get(*key)?;
            // A JSON string holds no raw newline, so each line break is between tokens.
            let value = format!("{value:#}").replace('\n', "\n  ");
            Some(format!("  {}: {value}", Value::from(*key)))
        })
        .collect();
    format!("{{\n{}\n}}\n", members.join(",\n"))
}

/// A reference to the schema `name`.
pub fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

#[cfg(test)]
mod tests;
