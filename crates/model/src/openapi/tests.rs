//! The document's tests: the whole document pinned by a snapshot (`src/snapshots/`), and what a
//! snapshot cannot show: every resource under both versions alike, nullable properties
//! admitting null, every `$ref` resolving, every component used, every operation id unique.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use tally_odata::schema::{Property, Type};

use super::paths::VERSIONS;
use super::*;

fn parsed() -> Value {
    serde_json::from_str(document()).expect("the document is JSON")
}

#[test]
fn document_is_the_snapshot() {
    // The text as served, beside `$metadata`'s snapshot rather than in `openapi/snapshots/`.
    insta::with_settings!({ snapshot_path => "../snapshots" }, {
        insta::assert_snapshot!("openapi", document());
    });
}

/// The path of each operation of `def` under `prefix`.
fn paths_of(def: &ResourceDef, prefix: &str) -> Vec<String> {
    let base = format!("{prefix}/{}", def.path());
    let key = def.entity.key().name;
    let mut paths = vec![
        base.clone(),
        format!("{base}/$count"),
        format!("{base}/{{{key}}}"),
        format!("{base}('{{{key}}}')"),
    ];
    if let Some(function) = &def.function {
        let call = match function.kind {
            crate::resources::FunctionKind::Window => "(period='{period}')",
            crate::resources::FunctionKind::LatestPer(_) => "()",
        };
        let singleton = def.singleton.name;
        paths.push(format!("{prefix}/{singleton}/{}{call}", function.name));
        paths.push(format!(
            "{prefix}/{singleton}/microsoft.graph.{}{call}",
            function.name
        ));
    }
    paths
}

/// The schemas of a resource's bodies, by how it is written.
fn body_schemas(def: &ResourceDef) -> &'static [&'static str] {
    match def.writes {
        crate::resources::Writes::PostPatchDelete => &["Create", "Patch"],
        crate::resources::Writes::PutDelete => &["Put"],
    }
}

#[test]
fn every_resource_is_under_both_versions_alike() {
    let document = parsed();
    let [v1, beta] = VERSIONS;
    for def in ALL.iter().filter(|def| def.beta_only) {
        for path in paths_of(def, v1.prefix) {
            assert!(
                document["paths"].get(&path).is_none(),
                "{path} is beta-only"
            );
        }
        for path in paths_of(def, beta.prefix) {
            assert!(document["paths"][&path].is_object(), "{path} is missing");
        }
    }
    for def in ALL.iter().filter(|def| !def.beta_only) {
        for (path, beta_path) in paths_of(def, v1.prefix)
            .into_iter()
            .zip(paths_of(def, beta.prefix))
        {
            let item = &document["paths"][&path];
            assert!(item.is_object(), "{path} is missing");
            // The same item but for the operation ids.
            let mut expected = item.to_string();
            for method in ["get", "post", "patch", "delete"] {
                expected = expected.replace(
                    &format!("\"{method}_{}_", v1.id),
                    &format!("\"{method}_{}_", beta.id),
                );
            }
            let beta_item = document["paths"][&beta_path].to_string();
            assert_eq!(beta_item, expected, "{beta_path}");
        }
    }
    for def in ALL {
        let name = words::schema_name(def.entity.short_name());
        for suffix in ["", "Collection"].iter().chain(body_schemas(def)) {
            let schema = format!("{name}{suffix}");
            let schema = &document["components"]["schemas"][&schema];
            assert!(schema.is_object(), "{name}{suffix}");
        }
        let tag = json!({ "name": def.collection });
        let tags = document["tags"].as_array().expect("tags");
        assert!(tags.contains(&tag), "{tag}");
    }
}

/// Whether `schema` admits null: `"type": [.., "null"]`, or `anyOf` with `{"type": "null"}`.
fn admits_null(schema: &Value) -> bool {
    let null = json!("null");
    let types = schema["type"].as_array().is_some_and(|t| t.contains(&null));
    let any_of = schema["anyOf"]
        .as_array()
        .is_some_and(|a| a.contains(&json!({ "type": "null" })));
    types || any_of
}

/// That `schema` describes each of `properties`, admitting null exactly where it is nullable.
fn check_properties(schema: &Value, properties: &[Property], name: &str) {
    for property in properties {
        let described = &schema["properties"][property.name];
        assert!(described.is_object(), "{name}.{}", property.name);
        if !matches!(property.ty, Type::Collection(_) | Type::Primitives(_)) {
            let nullable = property.nullable;
            assert_eq!(admits_null(described), nullable, "{name}.{}", property.name);
        }
    }
}

/// The `required` list of a request body of `properties`; none when it would be empty.
fn required(properties: &[Property]) -> Option<Value> {
    let names: Vec<&str> = properties
        .iter()
        .filter(|p| p.required)
        .map(|p| p.name)
        .collect();
    (!names.is_empty()).then(|| json!(names))
}

#[test]
fn nullable_properties_admit_null_and_required_ones_are_required() {
    let document = parsed();
    let schemas = &document["components"]["schemas"];
    for def in ALL {
        let name = words::schema_name(def.entity.short_name());
        check_properties(&schemas[&name], def.entity.properties, &name);
        let body = format!("{name}{}", body_schemas(def)[0]);
        let create = &schemas[&body];
        let key = def.entity.key().name;
        assert!(create["properties"].get(key).is_none(), "{body}.{key}");
        let expected = required(def.entity.properties);
        assert_eq!(create.get("required"), expected.as_ref(), "{body}");
        for (_, item) in schemas::collections(def.entity.properties) {
            let name = words::schema_name(item.short_name());
            check_properties(&schemas[&name], item.properties, &name);
            let input = &schemas[format!("{name}Input")];
            let expected = required(item.properties);
            assert_eq!(input.get("required"), expected.as_ref(), "{name}Input");
        }
    }
}

fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
    match value {
        Value::Object(object) => {
            for (key, inner) in object {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => found.push(target),
                    _ => refs(inner, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, found)),
        _ => {}
    }
}

#[test]
fn every_ref_resolves() {
    let document = parsed();
    let mut found = Vec::new();
    refs(&document, &mut found);
    assert!(found.len() > 100);
    for target in found {
        let pointer = target
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{target} is not local"));
        assert!(
            document.pointer(pointer).is_some(),
            "{target} resolves to nothing"
        );
    }
}

#[test]
fn every_schema_is_used() {
    let document = parsed();
    let mut found = Vec::new();
    refs(&document, &mut found);
    let used: BTreeSet<&str> = found.into_iter().collect();
    for kind in ["schemas", "parameters", "responses", "headers"] {
        for name in document["components"][kind].as_object().expect(kind).keys() {
            let target = format!("#/components/{kind}/{name}");
            assert!(used.contains(target.as_str()), "{target} is never used");
        }
    }
}

#[test]
fn operation_ids_are_unique_and_links_name_them() {
    let document = parsed();
    let mut ids = BTreeSet::new();
    let mut linked = Vec::new();
    for item in document["paths"].as_object().expect("paths").values() {
        for (method, operation) in item.as_object().expect("path item") {
            if method == "parameters" {
                continue;
            }
            let id = operation["operationId"].as_str().expect("operationId");
            assert!(ids.insert(id.to_owned()), "{id} twice");
            for response in operation["responses"]
                .as_object()
                .expect("responses")
                .values()
            {
                if let Some(links) = response.get("links").and_then(Value::as_object) {
                    linked.extend(links.values().map(|link| link["operationId"].clone()));
                }
            }
        }
    }
    assert!(!linked.is_empty());
    for id in linked {
        assert!(ids.contains(id.as_str().expect("a string")), "{id}");
    }
}
