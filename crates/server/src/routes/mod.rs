//! The Graph API under `/v1.0` and `/beta`: one entry point that applies the checks in the order
//! SPEC §10 fixes (token, path, method, permission), then hands over to the resource's handler.

mod batch;
mod collection;
mod context;
mod entity;
mod listing;
mod report;
mod service;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::resource::{self, ApiVersion, Resource};
use crate::state::AppState;
pub use context::ApiRequest;

/// Serves every request under `/v1.0` and `/beta`.
pub async fn api(State(state): State<AppState>, request: Request) -> Response {
    match handle(state, request).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

/// [`handle`] behind a box: batch items run through `handle`, which runs the batch, and the
/// box keeps that recursion's future type finite.
pub(crate) fn handle_boxed(
    state: AppState,
    request: Request,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Response, ApiError>> + Send>> {
    Box::pin(handle(state, request))
}

/// Runs one API request (also each item of a `$batch`) through every check and its handler.
async fn handle(state: AppState, request: Request) -> Result<Response, ApiError> {
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|value| value.to_str().unwrap_or("\u{0}invalid"));
    let principal = state.verifier.verify(authorization).await?;
    if let Some(throttle) = &state.throttle {
        throttle.admit(principal.tenant, &principal.app_id)?;
    }

    let (version, segments) = split_path(request.uri().path())?;
    let resource = resource::parse(&segments)?;
    let method = request.method().clone();
    let write = match allowed(&resource, &method) {
        Some(write) => write,
        None => {
            return Err(ApiError::method_not_allowed(&method)
                .with_header(header::ALLOW, allowed_methods(&resource)))
        }
    };
    let in_batch = request.extensions().get::<batch::InBatch>().is_some();
    if resource == Resource::Batch {
        if in_batch {
            return Err(ApiError::bad_request(
                "A $batch request cannot contain another $batch request.",
            ));
        }
    } else {
        authorize(&principal, write)?;
    }

    let (parts, body) = request.into_parts();
    let body: Bytes = body
        .collect()
        .await
        .map_err(|_| ApiError::bad_request("The request body could not be read."))?
        .to_bytes();
    let request = ApiRequest::new(&state, principal, version, parts, body);
    if method == Method::POST || method == Method::PATCH {
        request.require_json_body()?;
    }
    match (resource, method) {
        (Resource::ServiceDocument, _) => service::service_document(&request),
        (Resource::Metadata, _) => Ok(service::metadata()),
        (Resource::Batch, _) => batch::run(&state, &request).await,
        (Resource::Reports, _) => service::reports(&request),
        (Resource::Collection, Method::POST) => collection::create(&state, &request).await,
        (Resource::Collection, _) => collection::list(&state, &request).await,
        (Resource::CollectionCount, _) => collection::count(&state, &request).await,
        (Resource::Entity(key), Method::PATCH) => entity::update(&state, &request, &key).await,
        (Resource::Entity(key), Method::DELETE) => entity::delete(&state, &request, &key).await,
        (Resource::Entity(key), _) => entity::get(&state, &request, &key).await,
        (Resource::Function(argument), _) => report::list(&state, &request, &argument).await,
        (Resource::FunctionCount(argument), _) => report::count(&state, &request, &argument).await,
    }
}

/// Whether `method` is allowed on `resource` (`None`: 405), and if so whether it writes.
fn allowed(resource: &Resource, method: &Method) -> Option<bool> {
    let reads = *method == Method::GET;
    let write = match resource {
        Resource::Batch => return (*method == Method::POST).then_some(false),
        Resource::Collection => *method == Method::POST,
        Resource::Entity(_) => *method == Method::PATCH || *method == Method::DELETE,
        _ => false,
    };
    (reads || write).then_some(write)
}

/// The methods `resource` answers, for the `Allow` header that a 405 must carry (RFC 9110).
fn allowed_methods(resource: &Resource) -> &'static str {
    match resource {
        Resource::Batch => "POST",
        Resource::Collection => "GET, POST",
        Resource::Entity(_) => "GET, PATCH, DELETE",
        _ => "GET",
    }
}

fn authorize(principal: &Principal, write: bool) -> Result<(), ApiError> {
    let allowed = if write {
        principal.can_write()
    } else {
        principal.can_read()
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::forbidden(if write {
            "Insufficient privileges to complete the operation: writing needs Reports.ReadWrite.All (and, for a user, the Global Administrator role)."
        } else {
            "Insufficient privileges to complete the operation: reading needs Reports.Read.All or Reports.ReadWrite.All (and, for a user, a Global Administrator, Global Reader or Reports Reader role)."
        }))
    }
}

/// Splits `/v1.0/a/b` into the version and the percent-decoded segments after it. Empty
/// segments are skipped, as Graph does: kiota's Python client joins its base URL (which httpx
/// ends with `/`) and `/reports/…` into `/v1.0//reports/…`.
fn split_path(path: &str) -> Result<(ApiVersion, Vec<String>), ApiError> {
    let mut segments = path
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            percent_encoding::percent_decode_str(segment)
                .decode_utf8()
                .map(|decoded| decoded.into_owned())
                .map_err(|_| {
                    ApiError::bad_request(format!(
                        "The path segment '{segment}' is not valid UTF-8."
                    ))
                })
        });
    let first = segments.next().transpose()?.unwrap_or_default();
    let version = ApiVersion::parse(&first).ok_or_else(|| ApiError::segment_not_found(&first))?;
    Ok((version, segments.collect::<Result<Vec<_>, _>>()?))
}
