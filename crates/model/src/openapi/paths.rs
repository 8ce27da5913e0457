//! The paths of one resource under one version: the collection (GET, POST), `/$count`, one
//! object by `/{id}` and by `('{id}')` (GET, PATCH, DELETE), and the function under its plain
//! and its `microsoft.graph.`-qualified name.

use serde_json::{json, Map, Value};

use super::schemas::replaces_whole_collection;
use super::words::{noun, schema_name};
use super::{parameters, schema_ref, Object};
use tally_odata::schema::Property;

use crate::resources::{FunctionDef, FunctionKind, ResourceDef, Writes};

/// A version's path prefix and how operation ids spell it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Version {
    pub prefix: &'static str,
    pub id: &'static str,
}

/// The versions; a beta-only resource has paths under `/beta` only.
pub(super) const VERSIONS: [Version; 2] = [
    Version {
        prefix: "/v1.0",
        id: "v1_0",
    },
    Version {
        prefix: "/beta",
        id: "beta",
    },
];

/// Adds `def`'s paths under `version` to `paths` (none under `/v1.0` for a beta-only one).
pub(super) fn add(paths: &mut Object, def: &ResourceDef, version: Version) {
    if def.beta_only && version.prefix != "/beta" {
        return;
    }
    let base = format!("{}/{}", version.prefix, def.path());
    let key = def.entity.key().name;
    paths.insert(base.clone(), collection(def, version));
    paths.insert(format!("{base}/$count"), count(def, version));
    paths.insert(
        format!("{base}/{{{key}}}"),
        object(def, version, Form::Segment),
    );
    paths.insert(
        format!("{base}('{{{key}}}')"),
        object(def, version, Form::Key),
    );
    if let Some(key) = def.alternate_key {
        let path = format!("{base}({key}='{{{key}}}')");
        paths.insert(path, object(def, version, Form::Alternate(key)));
    }
    if let Some(function_def) = &def.function {
        for qualified in [false, true] {
            let (path, item) = function(def, function_def, version, qualified);
            paths.insert(path, item);
        }
    }
}

fn collection(def: &ResourceDef, version: Version) -> Value {
    let noun = noun(def);
    let name = schema_name(def.entity.short_name());
    let ids = format!("{}_{}_{}", version.id, def.singleton.name, def.collection);
    let key_ids = format!(
        "{}_key_{}_{}",
        version.id, def.singleton.name, def.collection
    );
    let mut links = Map::new();
    for (method, verb) in [("get", "Get"), ("patch", "Patch"), ("delete", "Delete")] {
        let upper = method.to_uppercase();
        links.insert(
            format!("{verb}Created"),
            json!({
                "operationId": format!("{method}_{ids}_id"),
                "parameters": { "id": "$response.body#/id" },
                "description": format!("{upper} the created {}.", noun.one),
            }),
        );
        links.insert(
            format!("{verb}CreatedKey"),
            json!({
                "operationId": format!("{method}_{key_ids}_id"),
                "parameters": { "id": "$response.body#/id" },
                "description": format!("{upper} the created {} (key form).", noun.one),
            }),
        );
    }
    let mut created = ok("Created.", headers(true, true), &name);
    created["links"] = Value::Object(links);
    let mut item = json!({
        "get": {
            "operationId": format!("get_{ids}"),
            "summary": format!("List {} (paged; follow @odata.nextLink)", noun.many),
            "tags": [def.collection],
            "parameters": query_options(def),
            "responses": responses(
                [("200", page(def))],
                &[TIMED_OUT],
            ),
        },
        "post": {
            "operationId": format!("post_{ids}"),
            "summary": format!("Create {}", noun.a()),
            "tags": [def.collection],
            "parameters": [parameter("prefer")],
            "requestBody": body(&format!("{name}Create")),
            "responses": responses(
                [
                    ("201", created),
                    ("204", json!({
                        "description": "Created, with `Prefer: return=minimal`.",
                        "headers": headers(true, true),
                    })),
                ],
                &[TOO_LARGE, UNSUPPORTED],
            ),
        },
    });
    if def.writes == Writes::PutDelete {
        // Created by a PUT to the object's own URL.
        if let Some(item) = item.as_object_mut() {
            item.remove("post");
        }
    }
    item
}

fn count(def: &ResourceDef, version: Version) -> Value {
    json!({
        "get": {
            "operationId": format!("get_{}_{}_{}_count", version.id, def.singleton.name, def.collection),
            "summary": format!("Count {} (with $filter)", noun(def).many),
            "tags": [def.collection],
            "parameters": [parameter(&parameters::filter(def))],
            "responses": responses(
                [("200", json!({
                    "description": "The count.",
                    "headers": headers(false, false),
                    "content": {
                        "text/plain": {
                            "schema": { "type": "string", "pattern": "^[0-9]+$" },
                        },
                    },
                }))],
                &[TIMED_OUT],
            ),
        },
    })
}

/// How a path names one object.
#[derive(Clone, Copy)]
enum Form {
    /// `/{id}`.
    Segment,
    /// `('{id}')`, OData's key form.
    Key,
    /// `(commerceSubscriptionId='{commerceSubscriptionId}')`: the resource's alternate key.
    Alternate(&'static Property),
}

/// One object, by `/{id}`, `('{id}')` or its alternate key.
fn object(def: &ResourceDef, version: Version, form: Form) -> Value {
    let noun = noun(def);
    let name = schema_name(def.entity.short_name());
    let (singleton, collection) = (def.singleton.name, def.collection);
    let key = def.entity.key();
    let (ids, parameter_name, described, schema) = match form {
        Form::Segment => (
            format!("{}_{singleton}_{collection}_id", version.id),
            key.name,
            format!("The {}'s {key}.", noun.one),
            json!({ "type": "string", "format": "uuid" }),
        ),
        Form::Key => (
            format!("{}_key_{singleton}_{collection}_id", version.id),
            key.name,
            format!("The {}'s {key} (OData key form).", noun.one),
            json!({ "type": "string", "format": "uuid" }),
        ),
        Form::Alternate(alternate) => (
            format!(
                "{}_alternate_{singleton}_{collection}_{alternate}",
                version.id
            ),
            alternate.name,
            format!("The {}'s {alternate} (an alternate key).", noun.one),
            json!({ "type": "string" }),
        ),
    };
    let update = match replaces_whole_collection(def) {
        Some(replaces) => format!("Update {} (partial; {replaces})", noun.a()),
        None => format!("Update {} (partial)", noun.a()),
    };
    let mut minimal_headers = headers(true, false);
    minimal_headers["Preference-Applied"] = json!({ "schema": { "type": "string" } });
    let mut item = json!({
        "parameters": [{
            "name": parameter_name,
            "in": "path",
            "required": true,
            "description": described,
            "schema": schema,
        }],
        "get": {
            "operationId": format!("get_{ids}"),
            "summary": format!("Get one {}", noun.one),
            "tags": [def.collection],
            "parameters": [parameter(&parameters::select(def)), parameter("ifNoneMatch")],
            "responses": responses(
                [
                    ("200", ok(&format!("The {}.", noun.one), headers(true, false), &name)),
                    ("304", json!({
                        "description": "Not modified: If-None-Match matches the current ETag.",
                        "headers": headers(true, false),
                    })),
                ],
                &[NOT_FOUND],
            ),
        },
        "patch": {
            "operationId": format!("patch_{ids}"),
            "summary": update,
            "tags": [def.collection],
            "parameters": [parameter("ifMatch"), parameter("prefer")],
            "requestBody": body(&format!("{name}Patch")),
            "responses": responses(
                [
                    (
                        "200",
                        ok(&format!("The whole updated {}.", noun.one), headers(true, false), &name),
                    ),
                    ("204", json!({
                        "description": "Updated, with `Prefer: return=minimal`.",
                        "headers": minimal_headers,
                    })),
                ],
                &[NOT_FOUND, PRECONDITION_FAILED, TOO_LARGE, UNSUPPORTED],
            ),
        },
        "delete": {
            "operationId": format!("delete_{ids}"),
            "summary": format!("Delete {}", noun.a()),
            "tags": [def.collection],
            "parameters": [parameter("ifMatch")],
            "responses": responses(
                [("204", json!({ "description": "Deleted.", "headers": headers(false, false) }))],
                &[NOT_FOUND, PRECONDITION_FAILED],
            ),
        },
    });
    if def.writes == Writes::PutDelete {
        if let Some(item) = item.as_object_mut() {
            item.remove("patch");
            item.insert(
                "put".into(),
                json!({
                    "operationId": format!("put_{ids}"),
                    "summary": format!("Create or replace {} (the whole object)", noun.a()),
                    "tags": [def.collection],
                    "parameters": [parameter("ifMatch"), parameter("prefer")],
                    "requestBody": body(&format!("{name}Put")),
                    "responses": responses(
                        [
                            (
                                "200",
                                ok(&format!("The {} as stored.", noun.one), headers(true, false), &name),
                            ),
                            ("204", json!({
                                "description": "Stored, with `Prefer: return=minimal`.",
                                "headers": minimal_headers,
                            })),
                        ],
                        &[PRECONDITION_FAILED, TOO_LARGE, UNSUPPORTED],
                    ),
                }),
            );
        }
    }
    item
}

/// The function's path and path item, under its plain or its qualified name.
fn function(
    def: &ResourceDef,
    function: &FunctionDef,
    version: Version,
    qualified: bool,
) -> (String, Value) {
    let noun = noun(def);
    let (prefix, id_prefix, how) = if qualified {
        (
            "microsoft.graph.",
            "microsoft_graph_",
            "qualified name, as SDKs call it",
        )
    } else {
        ("", "", "short name")
    };
    let name = function.name;
    let (call, id_suffix, what, path_parameters) = match function.kind {
        FunctionKind::Window => (
            "(period='{period}')",
            "_period_period",
            format!("the tenant's {} of the period, oldest first", noun.many),
            json!([{
                "name": "period",
                "in": "path",
                "required": true,
                "description": "D7, D30, D90 or D180 (case-insensitive); any other value is a 400 InvalidArgument.",
                "schema": schema_ref("Period"),
            }]),
        ),
        FunctionKind::LatestPer(property) => (
            "()",
            "",
            format!(
                "the tenant's latest {} per {}, oldest first",
                noun.one, property.name
            ),
            Value::Null,
        ),
    };
    let mut item = json!({
        "get": {
            "operationId": format!(
                "get_{}_{}_{id_prefix}{name}{id_suffix}",
                version.id, def.singleton.name
            ),
            "summary": format!("The report function ({how}): {what}"),
            "tags": ["report"],
            "parameters": query_options(def),
            "responses": responses([("200", page(def))], &[TIMED_OUT]),
        },
    });
    if !path_parameters.is_null() {
        item["parameters"] = path_parameters;
    }
    (
        format!(
            "{}/{}/{prefix}{name}{call}",
            version.prefix, def.singleton.name
        ),
        item,
    )
}

/// The query options of a read of the collection, in the order Graph documents them.
fn query_options(def: &ResourceDef) -> Value {
    json!([
        parameter(&parameters::filter(def)),
        parameter(&parameters::select(def)),
        parameter(&parameters::orderby(def)),
        parameter("top"),
        parameter("skip"),
        parameter("count"),
        parameter("skiptoken"),
    ])
}

/// The 200 of a read of the collection.
fn page(def: &ResourceDef) -> Value {
    let name = schema_name(def.entity.short_name());
    ok(
        &format!("A page of {}.", noun(def).many),
        headers(false, false),
        &format!("{name}Collection"),
    )
}

/// A response with a JSON body of schema `schema`.
fn ok(description: &str, headers: Value, schema: &str) -> Value {
    json!({
        "description": description,
        "headers": headers,
        "content": { "application/json": { "schema": schema_ref(schema) } },
    })
}

fn body(schema: &str) -> Value {
    json!({
        "required": true,
        "content": { "application/json": { "schema": schema_ref(schema) } },
    })
}

/// The headers of a success: the request ids, and the ETag and Location if asked for.
fn headers(etag: bool, location: bool) -> Value {
    let mut headers = json!({
        "request-id": component("headers", "RequestId"),
        "client-request-id": component("headers", "ClientRequestId"),
    });
    if etag {
        headers["ETag"] = component("headers", "ETag");
    }
    if location {
        headers["Location"] = component("headers", "Location");
    }
    headers
}

/// An error status and its response in `components.responses`.
pub type Status = (&'static str, &'static str);

pub const NOT_FOUND: Status = ("404", "NotFound");
const PRECONDITION_FAILED: Status = ("412", "PreconditionFailed");
pub const TOO_LARGE: Status = ("413", "RequestEntityTooLarge");
pub const UNSUPPORTED: Status = ("415", "UnsupportedMediaType");
/// A read over the query budget (`--query-timeout`): lists, counts and functions.
pub const TIMED_OUT: Status = ("504", "GatewayTimeout");

/// The errors every operation may answer.
const ERRORS: [Status; 7] = [
    ("400", "BadRequest"),
    ("401", "Unauthorized"),
    ("403", "Forbidden"),
    ("405", "MethodNotAllowed"),
    ("429", "TooManyRequests"),
    ("500", "InternalServerError"),
    ("503", "ServiceUnavailable"),
];

/// An operation's responses: its successes, the common errors and its own (`extra`).
fn responses<const N: usize>(successes: [(&str, Value); N], extra: &[Status]) -> Value {
    let mut responses = Map::new();
    for (status, response) in successes {
        responses.insert(status.into(), response);
    }
    Value::Object(with_errors(responses, extra))
}

/// `responses` with the errors every operation may answer, and `extra`.
pub fn with_errors(mut responses: Object, extra: &[Status]) -> Object {
    for (status, name) in ERRORS.iter().chain(extra) {
        responses.insert((*status).into(), component("responses", name));
    }
    responses
}

fn parameter(name: &str) -> Value {
    component("parameters", name)
}

fn component(kind: &str, name: &str) -> Value {
    json!({ "$ref": format!("#/components/{kind}/{name}") })
}
