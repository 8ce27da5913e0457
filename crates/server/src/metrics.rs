//! Prometheus metrics on `/metrics`: requests by route and status, their latency, and (recorded
//! by the store) the size of each group commit. Metrics go through the `metrics` facade, so the
//! store records without knowing about Prometheus; `metrics-exporter-prometheus` renders them
//! here, on the application's own listener.
//!
//! Route labels are a fixed, small set ([`route_label`]), never raw paths or ids, so that the
//! number of series stays bounded whatever clients send.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::error::ApiError;
use crate::resource::{Resolution, ResolvedPath};

/// Requests answered, by `route`, `method` and `status`.
pub const REQUESTS: &str = "tally_http_requests_total";
/// Time from the request's arrival to its response's headers, by `route` and `method`.
pub const DURATION: &str = "tally_http_request_duration_seconds";

const DURATION_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];

/// The process's recorder, installed on first use. Histograms are drained every few seconds
/// (the exporter's "upkeep"), so memory stays bounded even if nobody scrapes.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(DURATION.to_owned()), DURATION_BUCKETS)
            .and_then(|builder| {
                builder.set_buckets_for_metric(
                    Matcher::Full(tally_store::metrics::COMMIT_BATCH_SIZE.to_owned()),
                    BATCH_BUCKETS,
                )
            })
            .map(PrometheusBuilder::build_recorder)
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        if ::metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed; /metrics may be empty");
        }
        ::metrics::describe_counter!(
            REQUESTS,
            "HTTP requests answered, by route, method and status."
        );
        ::metrics::describe_histogram!(
            DURATION,
            ::metrics::Unit::Seconds,
            "Time to answer an HTTP request, by route and method."
        );
        tally_store::metrics::describe();
        let upkeep = handle.clone();
        let spawned = std::thread::Builder::new()
            .name("metrics-upkeep".into())
            .spawn(move || loop {
                std::thread::sleep(Duration::from_secs(5));
                upkeep.run_upkeep();
            });
        if let Err(error) = spawned {
            tracing::warn!(%error, "cannot start the metrics upkeep thread");
        }
        handle
    })
}

/// `GET /metrics`: the Prometheus text format.
pub async fn render() -> Response {
    let text = handle().render();
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        text,
    )
        .into_response()
}

/// Middleware: counts and times every request (a `$batch` counts once, as `batch`), labelled by
/// the path [`crate::resource::resolve_path`] resolved before it.
pub async fn track(request: Request, next: Next) -> Response {
    let resolved = request
        .extensions()
        .get::<Resolution>()
        .and_then(|resolution| resolution.0.as_ref());
    let route = route_label(request.uri().path(), resolved);
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    ::metrics::counter!(REQUESTS, "route" => route, "method" => method, "status" => status)
        .increment(1);
    ::metrics::histogram!(DURATION, "route" => route, "method" => method)
        .record(started.elapsed().as_secs_f64());
    response
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PATCH => "PATCH",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The route a path names, from a fixed set: `service`, `metadata`, `batch`, `reports`,
/// `collection`, `collection_count`, `entity`, `function`, `function_count`, `unknown` (an API
/// path that names nothing) under `/v1.0` and `/beta`; `healthz`, `readyz`, `metrics`,
/// `openapi`, `dashboard`, `signin_token`, `signin_discovery` and `other` outside.
pub fn route_label(path: &str, resolved: Option<&Result<ResolvedPath, ApiError>>) -> &'static str {
    let Some(resolved) = resolved else {
        return match path {
            "/healthz" => "healthz",
            "/readyz" => "readyz",
            "/metrics" => "metrics",
            "/openapi.json" => "openapi",
            _ if crate::dashboard::ASSETS
                .iter()
                .any(|asset| asset.path == path) =>
            {
                "dashboard"
            }
            _ => crate::signin::route_label(path).unwrap_or("other"),
        };
    };
    match resolved {
        Ok(resolved) => resolved.resource.label(),
        Err(_) => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use crate::resource;

    #[test]
    fn routes_are_labelled_without_ids() {
        let cases = [
            ("/v1.0/", "service"),
            ("/beta", "service"),
            ("/v1.0/$metadata", "metadata"),
            ("/v1.0/$batch", "batch"),
            ("/v1.0/reports", "reports"),
            ("/v1.0/users", "users"),
            ("/v1.0/users/a@b.example/assignLicense", "assign_license"),
            ("/beta/subscribedSkus/x_y", "subscribed_sku"),
            ("/v1.0/reports/azureADLicenseUsage", "collection"),
            (
                "/beta/reports/azureADLicenseUsage/$count",
                "collection_count",
            ),
            (
                "/v1.0/reports/azureADLicenseUsage/0b4a7c52-4a6e-4d4f-9a39-2c8a3c1f9d11",
                "entity",
            ),
            ("/v1.0/reports/azureADLicenseUsage('x')", "entity"),
            (
                "/v1.0/reports/getAzureADLicenseUsage(period='D7')",
                "function",
            ),
            (
                "/v1.0/reports/microsoft.graph.getAzureADLicenseUsage(period=%27D7%27)/$count",
                "function_count",
            ),
            ("/v1.0/users/123", "user"),
            ("/v1.0/groups/123", "unknown"),
            ("/healthz", "healthz"),
            ("/metrics", "metrics"),
            ("/openapi.json", "openapi"),
            ("/", "dashboard"),
            ("/wp-admin/123", "other"),
        ];
        for (path, label) in cases {
            let resolved = resource::resolve(path);
            assert_eq!(super::route_label(path, resolved.as_ref()), label, "{path}");
        }
    }
}
