//! `/openapi.json` (SPEC §11): served without a token, OpenAPI 3.1, and describing every route of
//! SPEC §3 and §12 under both versions (the beta-only ones under beta), with the error body for
//! every error status. Its conformance to
//! the running service is fuzzed by `tools/schemathesis.sh` (not in CI).

use serde_json::Value;

use crate::support::TestServer;

/// SPEC §3 and §12.1: every path and its methods, after the version.
const ROUTES: &[(&str, &[&str])] = &[
    ("/", &["get"]),
    ("/$metadata", &["get"]),
    ("/$batch", &["post"]),
    ("/reports/azureADLicenseUsage", &["get", "post"]),
    ("/reports/azureADLicenseUsage/$count", &["get"]),
    (
        "/reports/azureADLicenseUsage/{id}",
        &["get", "patch", "delete"],
    ),
    (
        "/reports/azureADLicenseUsage('{id}')",
        &["get", "patch", "delete"],
    ),
    (
        "/reports/getAzureADLicenseUsage(period='{period}')",
        &["get"],
    ),
    (
        "/reports/microsoft.graph.getAzureADLicenseUsage(period='{period}')",
        &["get"],
    ),
    ("/reports/azureADFeatureUsage", &["get", "post"]),
    ("/reports/azureADFeatureUsage/$count", &["get"]),
    (
        "/reports/azureADFeatureUsage/{id}",
        &["get", "patch", "delete"],
    ),
    (
        "/reports/azureADFeatureUsage('{id}')",
        &["get", "patch", "delete"],
    ),
    (
        "/reports/getAzureADFeatureUsage(period='{period}')",
        &["get"],
    ),
    (
        "/reports/microsoft.graph.getAzureADFeatureUsage(period='{period}')",
        &["get"],
    ),
    ("/reports/azureADUserFeatureUsage", &["get", "post"]),
    ("/reports/azureADUserFeatureUsage/$count", &["get"]),
    (
        "/reports/azureADUserFeatureUsage/{id}",
        &["get", "patch", "delete"],
    ),
    (
        "/reports/azureADUserFeatureUsage('{id}')",
        &["get", "patch", "delete"],
    ),
    ("/reports/getAzureADUserFeatureUsage()", &["get"]),
    (
        "/reports/microsoft.graph.getAzureADUserFeatureUsage()",
        &["get"],
    ),
    ("/reports", &["get"]),
    ("/subscribedSkus", &["get", "post"]),
    ("/subscribedSkus/{key}", &["get", "patch", "delete"]),
    ("/users", &["get", "post"]),
    ("/users/$count", &["get"]),
    ("/users/{key}", &["get", "patch", "delete"]),
    ("/users/{key}/assignLicense", &["post"]),
    ("/users/{key}/licenseDetails", &["get"]),
    ("/directory/subscriptions", &["get", "post"]),
    ("/directory/subscriptions/$count", &["get"]),
    ("/directory/subscriptions/{id}", &["get", "patch", "delete"]),
    (
        "/directory/subscriptions('{id}')",
        &["get", "patch", "delete"],
    ),
    (
        "/directory/subscriptions(commerceSubscriptionId='{commerceSubscriptionId}')",
        &["get", "patch", "delete"],
    ),
];

/// SPEC §12.3, §13.3: the routes Graph has on beta only, and tally's own.
const BETA_ROUTES: &[(&str, &[&str])] = &[
    ("/reports/azureADPremiumLicenseInsight", &["get"]),
    ("/reports/licenseReclaim", &["get"]),
    ("/reports/licenseCosts", &["get"]),
    ("/reports/licensePrices", &["get"]),
    ("/reports/licensePrices/$count", &["get"]),
    ("/reports/licensePrices/{skuId}", &["get", "put", "delete"]),
    (
        "/reports/licensePrices('{skuId}')",
        &["get", "put", "delete"],
    ),
    ("/reports/licenseAlertRules", &["get", "post"]),
    ("/reports/licenseAlertRules/$count", &["get"]),
    (
        "/reports/licenseAlertRules/{id}",
        &["get", "patch", "delete"],
    ),
    (
        "/reports/licenseAlertRules('{id}')",
        &["get", "patch", "delete"],
    ),
];

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

async fn document(server: &TestServer) -> Value {
    let text = server
        .fetch_public("/openapi.json", "application/json")
        .await;
    serde_json::from_str(&text).expect("the document is JSON")
}

/// Follows a local `$ref` (`#/components/...`).
fn resolve<'a>(document: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(reference) => {
            let pointer = reference.strip_prefix('#').expect("a local $ref");
            let target = document
                .pointer(pointer)
                .unwrap_or_else(|| panic!("{reference} resolves"));
            resolve(document, target)
        }
        None => value,
    }
}

#[tokio::test]
async fn is_openapi_3_1_without_a_token() {
    let server = TestServer::start();
    let document = document(&server).await;
    assert!(
        document["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        document["openapi"]
    );
    assert_eq!(document["info"]["title"], "tally");
    let scheme = &document["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    assert_eq!(document["security"][0]["bearer"], serde_json::json!([]));
}

#[tokio::test]
async fn covers_every_route_under_both_versions_and_nothing_else() {
    let server = TestServer::start();
    let document = document(&server).await;
    let paths = document["paths"].as_object().unwrap();
    let mut expected = Vec::new();
    for version in ["v1.0", "beta"] {
        let beta = if version == "beta" { BETA_ROUTES } else { &[] };
        for (route, methods) in ROUTES.iter().chain(beta) {
            let path = format!("/{version}{route}");
            expected.push(path.clone());
            let item = paths
                .get(&path)
                .unwrap_or_else(|| panic!("{path} is described"));
            let mut described: Vec<&str> = METHODS
                .iter()
                .copied()
                .filter(|method| item.get(*method).is_some())
                .collect();
            let mut methods = methods.to_vec();
            described.sort_unstable();
            methods.sort_unstable();
            assert_eq!(described, methods, "methods of {path}");
        }
    }
    // The sign-in endpoint, outside the versions (SPEC §12.4).
    expected.extend(
        [
            "/{tenant}/oauth2/v2.0/token",
            "/{tenant}/v2.0/.well-known/openid-configuration",
            "/{tenant}/discovery/v2.0/keys",
        ]
        .map(String::from),
    );
    let mut actual: Vec<&String> = paths.keys().collect();
    actual.sort();
    expected.sort();
    assert_eq!(actual, expected.iter().collect::<Vec<_>>());
    // Both versions behave the same, so they are described the same, bar the operation ids
    // (`get_v1_0_…`, `get_beta_…`, also named by the links).
    for (route, _) in ROUTES {
        let spelled = |version: &str| {
            paths[&format!("/{version}{route}")]
                .to_string()
                .replace("_v1_0_", "_VERSION_")
                .replace("_beta_", "_VERSION_")
        };
        assert_eq!(spelled("v1.0"), spelled("beta"), "{route}");
    }
}

#[tokio::test]
async fn every_operation_lists_its_error_statuses_with_the_graph_error_body() {
    let server = TestServer::start();
    let document = document(&server).await;
    let error_schema = &document["components"]["schemas"]["ErrorResponse"];
    assert_eq!(
        error_schema["properties"]["error"]["required"],
        serde_json::json!(["code", "message", "innerError"])
    );
    let mut operation_ids = std::collections::HashSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        if !path.starts_with("/v1.0") && !path.starts_with("/beta") {
            continue; // The sign-in endpoint answers with Entra's OAuth errors, not Graph's.
        }
        for method in METHODS {
            let Some(operation) = item.get(*method) else {
                continue;
            };
            let id = operation["operationId"].as_str().unwrap();
            assert!(operation_ids.insert(id.to_owned()), "duplicate {id}");
            let responses = operation["responses"].as_object().unwrap();
            let mut needed = vec!["400", "401", "403", "405", "429", "503"];
            if path.contains("{id}") || path.contains("{key}") {
                needed.push("404");
            }
            // The directory checks no If-Match (Graph's directory sends no ETags).
            if (*method == "patch" || *method == "delete") && path.contains("{id}") {
                needed.push("412");
            }
            if operation.get("requestBody").is_some() {
                needed.extend(["413", "415"]);
            }
            for status in needed {
                let response = responses
                    .get(status)
                    .unwrap_or_else(|| panic!("{method} {path} lists {status}"));
                let response = resolve(&document, response);
                let schema = &response["content"]["application/json"]["schema"];
                assert_eq!(
                    resolve(&document, schema),
                    error_schema,
                    "{method} {path} {status}"
                );
            }
            assert!(
                responses.keys().any(|status| status.starts_with('2')),
                "{method} {path} has a success"
            );
        }
    }
}

#[tokio::test]
async fn the_schemas_describe_the_model() {
    let server = TestServer::start();
    let document = document(&server).await;
    let schemas = &document["components"]["schemas"];
    assert_eq!(
        schemas["AzureADLicenseType"]["enum"],
        serde_json::json!([
            "none",
            "free",
            "basic",
            "premiumP1",
            "premiumP2",
            "unknownFutureValue"
        ])
    );
    let usage = &schemas["AzureADLicenseUsage"]["properties"];
    for property in [
        "id",
        "snapshotDateTime",
        "licenseInfoDetails",
        "@odata.etag",
    ] {
        assert!(usage.get(property).is_some(), "{property}");
    }
    let detail = &schemas["LicenseInfoDetail"]["properties"];
    for property in [
        "licenseType",
        "totalLicenseCount",
        "totalAssignedCount",
        "totalUsageCount",
    ] {
        assert!(detail.get(property).is_some(), "{property}");
    }
    let collection = &schemas["AzureADLicenseUsageCollection"]["properties"];
    for property in ["@odata.nextLink", "@odata.count", "value"] {
        assert!(collection.get(property).is_some(), "{property}");
    }
    let parameters = document["components"]["parameters"].as_object().unwrap();
    let names: Vec<&str> = parameters
        .values()
        .filter_map(|parameter| parameter["name"].as_str())
        .collect();
    for option in [
        "$filter",
        "$select",
        "$orderby",
        "$top",
        "$skip",
        "$count",
        "$skiptoken",
    ] {
        assert!(names.contains(&option), "{option}");
    }
    // Every $ref resolves.
    fn walk(document: &Value, value: &Value) {
        match value {
            Value::Object(map) => {
                if map.contains_key("$ref") {
                    resolve(document, value);
                }
                map.values().for_each(|value| walk(document, value));
            }
            Value::Array(items) => items.iter().for_each(|value| walk(document, value)),
            _ => {}
        }
    }
    walk(&document, &document);
}
