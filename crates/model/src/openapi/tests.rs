//! The document's tests: `azureADLicenseUsage` described as the hand-written document did
//! (its schemas and parameters are pasted from it below), every resource under both versions,
//! every `$ref` resolving, every operation id unique.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::paths::VERSIONS;
use super::*;

fn parsed() -> Value {
    serde_json::from_str(document()).expect("the document is JSON")
}

#[test]
fn is_openapi_3_1_json() {
    let document = parsed();
    let version = document["openapi"].as_str().expect("openapi is a string");
    assert!(version.starts_with("3.1."), "{version}");
    assert!(document["info"]["title"].is_string());
    assert!(super::document().starts_with("{\n  \"openapi\": \"3.1."));
}

/// The paths and methods of the hand-written document, under each version.
const ORIGINAL_PATHS: [(&str, &[&str]); 9] = [
    ("/", &["get"]),
    ("/$metadata", &["get"]),
    ("/$batch", &["post"]),
    ("/reports/azureADLicenseUsage", &["get", "post"]),
    ("/reports/azureADLicenseUsage/$count", &["get"]),
    (
        "/reports/azureADLicenseUsage/{id}",
        &["parameters", "get", "patch", "delete"],
    ),
    (
        "/reports/azureADLicenseUsage('{id}')",
        &["parameters", "get", "patch", "delete"],
    ),
    (
        "/reports/getAzureADLicenseUsage(period='{period}')",
        &["parameters", "get"],
    ),
    (
        "/reports/microsoft.graph.getAzureADLicenseUsage(period='{period}')",
        &["parameters", "get"],
    ),
];

#[test]
fn every_path_of_the_original_has_its_methods() {
    let document = parsed();
    for version in ["/v1.0", "/beta"] {
        for (path, methods) in ORIGINAL_PATHS {
            let path = format!("{version}{path}");
            let item = document["paths"][&path]
                .as_object()
                .unwrap_or_else(|| panic!("{path} is missing"));
            let expected: BTreeSet<&str> = methods.iter().copied().collect();
            let actual: BTreeSet<&str> = item.keys().map(String::as_str).collect();
            assert_eq!(actual, expected, "{path}");
        }
    }
}

#[test]
fn license_usage_schemas_are_the_originals() {
    let document = parsed();
    let schemas = &document["components"]["schemas"];
    for (name, original) in original_schemas() {
        assert_eq!(schemas[name], original, "{name}");
    }
}

#[test]
fn license_usage_query_options_are_the_originals() {
    let document = parsed();
    let parameters = &document["components"]["parameters"];
    for (name, original) in original_parameters() {
        let name = format!("azureADLicenseUsage.{name}");
        assert_eq!(parameters[&name], original, "{name}");
    }
}

#[test]
fn license_usage_function_is_the_originals() {
    let document = parsed();
    let path = "/v1.0/reports/getAzureADLicenseUsage(period='{period}')";
    // The original's, with its $filter, $select and $orderby renamed for the resource, and the
    // 504 of a read over its budget (issue 15).
    let original = original_function();
    assert_eq!(document["paths"][path], original);
}

/// The path of each operation of `def` under `prefix`.
fn paths_of(def: &ResourceDef, prefix: &str) -> Vec<String> {
    let base = format!("{prefix}/reports/{}", def.collection);
    let call = match def.function.kind {
        crate::resources::FunctionKind::Window => "(period='{period}')",
        crate::resources::FunctionKind::LatestPer(_) => "()",
    };
    vec![
        base.clone(),
        format!("{base}/$count"),
        format!("{base}/{{id}}"),
        format!("{base}('{{id}}')"),
        format!("{prefix}/reports/{}{call}", def.function.name),
        format!(
            "{prefix}/reports/microsoft.graph.{}{call}",
            def.function.name
        ),
    ]
}

#[test]
fn every_resource_is_under_both_versions_alike() {
    let document = parsed();
    let [v1, beta] = VERSIONS;
    for def in ALL {
        for (path, beta_path) in paths_of(def, v1.prefix)
            .into_iter()
            .zip(paths_of(def, beta.prefix))
        {
            let item = &document["paths"][&path];
            assert!(item.is_object(), "{path} is missing");
            // The same item but for the operation ids.
            let expected = item
                .to_string()
                .replace(&format!("\"get_{}_", v1.id), &format!("\"get_{}_", beta.id))
                .replace(
                    &format!("\"post_{}_", v1.id),
                    &format!("\"post_{}_", beta.id),
                )
                .replace(
                    &format!("\"patch_{}_", v1.id),
                    &format!("\"patch_{}_", beta.id),
                )
                .replace(
                    &format!("\"delete_{}_", v1.id),
                    &format!("\"delete_{}_", beta.id),
                );
            assert_eq!(
                document["paths"][&beta_path].to_string(),
                expected,
                "{beta_path}"
            );
        }
        let name = words::schema_name(def.entity.short_name());
        for suffix in ["", "Create", "Patch", "Collection"] {
            let schema = format!("{name}{suffix}");
            assert!(
                document["components"]["schemas"][&schema].is_object(),
                "{schema}"
            );
        }
        let tag = json!({ "name": def.collection });
        let tags = document["tags"].as_array().expect("tags");
        assert!(tags.contains(&tag), "{tag}");
    }
    assert_eq!(
        document["paths"]["/beta/reports/getAzureADUserFeatureUsage()"]["get"]["operationId"],
        "get_beta_reports_getAzureADUserFeatureUsage"
    );
    assert!(
        document["paths"]["/v1.0/reports/getAzureADUserFeatureUsage()"]
            .get("parameters")
            .is_none()
    );
}

#[test]
fn nullable_properties_admit_null() {
    let document = parsed();
    let properties = &document["components"]["schemas"]["AzureADUserFeatureUsage"]["properties"];
    assert_eq!(
        properties["userDisplayName"],
        json!({ "type": ["string", "null"] })
    );
    assert_eq!(properties["userId"], json!({ "type": "string" }));
    assert_eq!(
        properties["licenseAssigned"],
        json!({ "anyOf": [{ "$ref": "#/components/schemas/AzureADLicenseType" }, { "type": "null" }] })
    );
    let usage = &document["components"]["schemas"]["AzureADFeatureUsageCreate"];
    assert_eq!(
        usage["required"],
        json!(["snapshotDateTime", "featureName"])
    );
    assert_eq!(usage["properties"]["usage"]["minimum"], 0);
    assert!(usage["properties"].get("id").is_none());
    let detail = &document["components"]["schemas"]["FeatureUsageDetailInput"];
    assert!(
        detail.get("required").is_none(),
        "an empty required is left out"
    );
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

/// The hand-written document's schemas of `azureADLicenseUsage`.
fn original_schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "AzureADLicenseType",
            json!({
                "type": "string",
                "enum": [
                    "none",
                    "free",
                    "basic",
                    "premiumP1",
                    "premiumP2",
                    "unknownFutureValue"
                ],
                "description": "microsoft.graph.azureADLicenseType; case-sensitive member names."
            }),
        ),
        (
            "LicenseInfoDetail",
            json!({
                "type": "object",
                "description": "microsoft.graph.licenseInfoDetail as returned (all three counts, null when absent).",
                "properties": {
                    "@odata.type": {
                        "type": "string",
                        "const": "microsoft.graph.licenseInfoDetail"
                    },
                    "licenseType": {
                        "$ref": "#/components/schemas/AzureADLicenseType"
                    },
                    "totalLicenseCount": {
                        "type": [
                            "integer",
                            "null"
                        ],
                        "format": "int32",
                        "minimum": 0,
                        "maximum": 2147483647
                    },
                    "totalAssignedCount": {
                        "type": [
                            "integer",
                            "null"
                        ],
                        "format": "int32",
                        "minimum": 0,
                        "maximum": 2147483647
                    },
                    "totalUsageCount": {
                        "type": [
                            "integer",
                            "null"
                        ],
                        "format": "int32",
                        "minimum": 0,
                        "maximum": 2147483647
                    }
                },
                "required": [
                    "licenseType",
                    "totalLicenseCount",
                    "totalAssignedCount",
                    "totalUsageCount"
                ]
            }),
        ),
        (
            "LicenseInfoDetailInput",
            json!({
                "type": "object",
                "description": "microsoft.graph.licenseInfoDetail in a request body; an absent count is null.",
                "properties": {
                    "@odata.type": {
                        "type": "string",
                        "enum": [
                            "microsoft.graph.licenseInfoDetail",
                            "#microsoft.graph.licenseInfoDetail"
                        ]
                    },
                    "licenseType": {
                        "$ref": "#/components/schemas/AzureADLicenseType"
                    },
                    "totalLicenseCount": {
                        "type": [
                            "integer",
                            "null"
                        ],
                        "format": "int32",
                        "minimum": 0,
                        "maximum": 2147483647
                    },
                    "totalAssignedCount": {
                        "type": [
                            "integer",
                            "null"
                        ],
                        "format": "int32",
                        "minimum": 0,
                        "maximum": 2147483647
                    },
                    "totalUsageCount": {
                        "type": [
                            "integer",
                            "null"
                        ],
                        "format": "int32",
                        "minimum": 0,
                        "maximum": 2147483647
                    }
                },
                "required": [
                    "licenseType"
                ],
                "additionalProperties": false
            }),
        ),
        (
            "AzureADLicenseUsage",
            json!({
                "type": "object",
                "description": "microsoft.graph.azureADLicenseUsage as returned. With $select only the selected properties (and id) are present.",
                "properties": {
                    "@odata.context": {
                        "type": "string"
                    },
                    "@odata.type": {
                        "type": "string",
                        "const": "#microsoft.graph.azureADLicenseUsage"
                    },
                    "@odata.etag": {
                        "type": "string",
                        "pattern": "^W/\""
                    },
                    "id": {
                        "type": "string",
                        "format": "uuid",
                        "readOnly": true
                    },
                    "snapshotDateTime": {
                        "type": "string",
                        "format": "date-time",
                        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,7})?(Z|[+-][0-9]{2}:[0-9]{2})$",
                        "description": "An OData DateTimeOffset, returned exactly as sent (offset and up to 7 fractional digits).",
                        "examples": [
                            "2016-12-31T23:56:55.0631898+03:00"
                        ]
                    },
                    "licenseInfoDetails": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/LicenseInfoDetail"
                        }
                    }
                },
                "required": [
                    "id"
                ]
            }),
        ),
        (
            "AzureADLicenseUsageCreate",
            json!({
                "type": "object",
                "description": "A new snapshot. licenseInfoDetails defaults to [] and has at most one entry per licenseType; id is read-only.",
                "properties": {
                    "@odata.type": {
                        "type": "string",
                        "enum": [
                            "microsoft.graph.azureADLicenseUsage",
                            "#microsoft.graph.azureADLicenseUsage"
                        ]
                    },
                    "snapshotDateTime": {
                        "type": "string",
                        "format": "date-time",
                        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,7})?(Z|[+-][0-9]{2}:[0-9]{2})$",
                        "description": "An OData DateTimeOffset, returned exactly as sent (offset and up to 7 fractional digits).",
                        "examples": [
                            "2016-12-31T23:56:55.0631898+03:00"
                        ]
                    },
                    "licenseInfoDetails": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/LicenseInfoDetailInput"
                        }
                    }
                },
                "required": [
                    "snapshotDateTime"
                ],
                "additionalProperties": false
            }),
        ),
        (
            "AzureADLicenseUsagePatch",
            json!({
                "type": "object",
                "description": "A partial update: absent properties keep their values; licenseInfoDetails replaces the whole collection; id, if present, must equal the key.",
                "properties": {
                    "@odata.type": {
                        "type": "string",
                        "enum": [
                            "microsoft.graph.azureADLicenseUsage",
                            "#microsoft.graph.azureADLicenseUsage"
                        ]
                    },
                    "id": {
                        "type": "string",
                        "format": "uuid"
                    },
                    "snapshotDateTime": {
                        "type": "string",
                        "format": "date-time",
                        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,7})?(Z|[+-][0-9]{2}:[0-9]{2})$",
                        "description": "An OData DateTimeOffset, returned exactly as sent (offset and up to 7 fractional digits).",
                        "examples": [
                            "2016-12-31T23:56:55.0631898+03:00"
                        ]
                    },
                    "licenseInfoDetails": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/LicenseInfoDetailInput"
                        }
                    }
                },
                "additionalProperties": false
            }),
        ),
        (
            "AzureADLicenseUsageCollection",
            json!({
                "type": "object",
                "properties": {
                    "@odata.context": {
                        "type": "string"
                    },
                    "@odata.count": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "With $count=true: the size of the whole filtered result."
                    },
                    "@odata.nextLink": {
                        "type": "string",
                        "format": "uri",
                        "description": "The next page (an opaque $skiptoken); absent on the last page."
                    },
                    "value": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/AzureADLicenseUsage"
                        }
                    }
                },
                "required": [
                    "value"
                ]
            }),
        ),
    ]
}

/// The hand-written document's `$filter`, `$select` and `$orderby`.
fn original_parameters() -> Vec<(&'static str, Value)> {
    vec![
        (
            "filter",
            json!({
                "name": "$filter",
                "in": "query",
                "description": "OData $filter over id, snapshotDateTime and licenseInfoDetails (any/all lambdas, $count, in, not).",
                "schema": {
                    "type": "string",
                    "minLength": 1
                },
                "examples": {
                    "lambda": {
                        "value": "licenseInfoDetails/any(d: d/licenseType eq 'premiumP2' and d/totalUsageCount gt 10)"
                    }
                }
            }),
        ),
        (
            "select",
            json!({
                "name": "$select",
                "in": "query",
                "description": "Comma-separated properties (or *); id is always returned.",
                "schema": {
                    "type": "string",
                    "pattern": "^ *(\\*|id|snapshotDateTime|licenseInfoDetails) *(, *(\\*|id|snapshotDateTime|licenseInfoDetails) *)*$"
                },
                "examples": {
                    "two": {
                        "value": "id,snapshotDateTime"
                    }
                }
            }),
        ),
        (
            "orderby",
            json!({
                "name": "$orderby",
                "in": "query",
                "description": "id or snapshotDateTime, asc or desc; ties broken by id.",
                "schema": {
                    "type": "string",
                    "pattern": "^ *(id|snapshotDateTime)( +(asc|desc))? *(, *(id|snapshotDateTime)( +(asc|desc))? *)*$"
                },
                "examples": {
                    "newest": {
                        "value": "snapshotDateTime desc"
                    }
                }
            }),
        ),
    ]
}

/// The hand-written document's `getAzureADLicenseUsage(period='{period}')` under `/v1.0`.
fn original_function() -> Value {
    json!({
        "parameters": [
            {
                "name": "period",
                "in": "path",
                "required": true,
                "description": "D7, D30, D90 or D180 (case-insensitive); any other value is a 400 InvalidArgument.",
                "schema": {
                    "$ref": "#/components/schemas/Period"
                }
            }
        ],
        "get": {
            "operationId": "get_v1_0_reports_getAzureADLicenseUsage_period_period",
            "summary": "The report function (short name): the tenant's snapshots of the period, oldest first",
            "tags": [
                "report"
            ],
            "parameters": [
                {
                    "$ref": "#/components/parameters/azureADLicenseUsage.filter"
                },
                {
                    "$ref": "#/components/parameters/azureADLicenseUsage.select"
                },
                {
                    "$ref": "#/components/parameters/azureADLicenseUsage.orderby"
                },
                {
                    "$ref": "#/components/parameters/top"
                },
                {
                    "$ref": "#/components/parameters/skip"
                },
                {
                    "$ref": "#/components/parameters/count"
                },
                {
                    "$ref": "#/components/parameters/skiptoken"
                }
            ],
            "responses": {
                "200": {
                    "description": "A page of snapshots.",
                    "headers": {
                        "request-id": {
                            "$ref": "#/components/headers/RequestId"
                        },
                        "client-request-id": {
                            "$ref": "#/components/headers/ClientRequestId"
                        }
                    },
                    "content": {
                        "application/json": {
                            "schema": {
                                "$ref": "#/components/schemas/AzureADLicenseUsageCollection"
                            }
                        }
                    }
                },
                "400": {
                    "$ref": "#/components/responses/BadRequest"
                },
                "401": {
                    "$ref": "#/components/responses/Unauthorized"
                },
                "403": {
                    "$ref": "#/components/responses/Forbidden"
                },
                "405": {
                    "$ref": "#/components/responses/MethodNotAllowed"
                },
                "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                },
                "500": {
                    "$ref": "#/components/responses/InternalServerError"
                },
                "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                },
                "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                }
            }
        }
    })
}
