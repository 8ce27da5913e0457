//! The Graph API under `/v1.0` and `/beta`: one entry point that applies the checks in the order
//! SPEC §10 fixes (token, path, method, permission), then hands over to the resource's handler.

mod batch;
mod collection;
mod context;
pub mod derived;
mod directory;
pub mod endpoints;
mod entity;
mod function;
mod listing;
mod object;
mod service;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use tally_model::resources::{Permissions, Writes};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::body::BufferedBody;
use crate::resource::{self, Resolution, ResolvedPath, Resource};
use crate::state::AppState;
pub use context::ApiRequest;
use endpoints::Guard;

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
async fn handle(state: AppState, mut request: Request) -> Result<Response, ApiError> {
    // A request with a body had its token verified by the gate (`http::gate`), before its body
    // was read; the others (every GET, each `$batch` item) have theirs verified here.
    let principal = match request.extensions_mut().remove::<Principal>() {
        Some(principal) => principal,
        None => {
            let authorization = request
                .headers()
                .get(header::AUTHORIZATION)
                .map(|value| value.to_str().unwrap_or("\u{0}invalid"));
            state.verifier.verify(authorization).await?
        }
    };
    if let Some(throttle) = &state.throttle {
        throttle.admit(principal.tenant, &principal.app_id)?;
    }

    // Resolved by the outermost layer; a `$batch` item is a request of its own, resolved here.
    let resolved = match request.extensions_mut().remove::<Resolution>() {
        Some(Resolution(resolved)) => resolved,
        None => resource::resolve(request.uri().path()),
    };
    let ResolvedPath { version, resource } = resolved.unwrap_or_else(|| {
        let first = request.uri().path().split('/').find(|s| !s.is_empty());
        Err(ApiError::segment_not_found(first.unwrap_or_default()))
    })?;
    let method = request.method().clone();
    let access = access(&resource, &method).ok_or_else(|| {
        let allow = HeaderValue::from_str(&allowed_methods(&resource));
        let refused = ApiError::method_not_allowed(&method);
        match allow {
            Ok(allow) => refused.with_header_value(header::ALLOW, allow),
            Err(_) => refused,
        }
    })?;
    match access.guard {
        Guard::Permissions(permissions) => authorize(&principal, permissions, access.writes)?,
        Guard::EachItem if request.extensions().get::<batch::InBatch>().is_some() => {
            return Err(ApiError::bad_request(
                "A $batch request cannot contain another $batch request.",
            ));
        }
        Guard::EachItem => {}
    }

    let (mut parts, body) = request.into_parts();
    // Read whole (and within its limit) by `http::body`, or given by the `$batch` for an item.
    let body = match parts.extensions.remove::<BufferedBody>() {
        Some(BufferedBody(bytes)) => bytes,
        None if axum::body::HttpBody::is_end_stream(&body) => Bytes::new(),
        // Not in the service (every body passes `http::body`): a router built without it.
        None => body
            .collect()
            .await
            .map_err(|_| ApiError::bad_request("The request body could not be read."))?
            .to_bytes(),
    };
    let request = ApiRequest::new(&state, principal, version, parts, body);
    if method == Method::POST || method == Method::PATCH || method == Method::PUT {
        request.require_json_body()?;
    }
    match resource {
        Resource::Endpoint(endpoint, keys) => match endpoint.operation(&method) {
            Some(operation) => (operation.handler)(&state, &request, &keys).await,
            None => Err(ApiError::method_not_allowed(&method)),
        },
        Resource::Collection(def) if method == Method::POST => {
            collection::create(&state, &request, def).await
        }
        Resource::Collection(def) => collection::list(&state, &request, def).await,
        Resource::CollectionCount(def) => collection::count(&state, &request, def).await,
        Resource::Entity(def, key) => entity::answer(&state, &request, &method, def, &key).await,
        Resource::AlternateEntity(def, value) => {
            let key = entity::alternate_id(&state, &request, def, &value).await?;
            entity::answer(&state, &request, &method, def, &key).await
        }
        Resource::Function(def, argument) => function::list(&state, &request, def, &argument).await,
        Resource::FunctionCount(def, argument) => {
            function::count(&state, &request, def, &argument).await
        }
    }
}

/// Whether a method writes, and who may call it.
struct Access {
    writes: bool,
    guard: Guard,
}

/// What `method` may do on `resource` (`None`: 405). An endpoint says it in the table; a
/// described resource's paths are one generic family: GET everywhere, and the writes its
/// description names ([`write_methods`]), each guarded by the resource's own permissions.
fn access(resource: &Resource, method: &Method) -> Option<Access> {
    let def = match resource {
        Resource::Endpoint(endpoint, _) => {
            return endpoint.operation(method).map(|operation| Access {
                writes: operation.writes,
                guard: operation.guard,
            })
        }
        Resource::Collection(def)
        | Resource::CollectionCount(def)
        | Resource::Entity(def, _)
        | Resource::AlternateEntity(def, _)
        | Resource::Function(def, _)
        | Resource::FunctionCount(def, _) => def,
    };
    let writes = write_methods(resource).contains(method);
    (writes || *method == Method::GET).then_some(Access {
        writes,
        guard: Guard::Permissions(def.permissions),
    })
}

/// The methods that write a described resource's path, as its description says it is written.
fn write_methods(resource: &Resource) -> &'static [Method] {
    match resource {
        Resource::Collection(def) if def.writes == Writes::PostPatchDelete => &[Method::POST],
        Resource::Entity(def, _) | Resource::AlternateEntity(def, _) => match def.writes {
            Writes::PostPatchDelete => &[Method::PATCH, Method::DELETE],
            Writes::PutDelete => &[Method::PUT, Method::DELETE],
        },
        _ => &[],
    }
}

/// The methods `resource` answers, for the `Allow` header that a 405 must carry (RFC 9110).
fn allowed_methods(resource: &Resource) -> String {
    if let Resource::Endpoint(endpoint, _) = resource {
        return endpoint.allow();
    }
    std::iter::once("GET")
        .chain(write_methods(resource).iter().map(Method::as_str))
        .collect::<Vec<_>>()
        .join(", ")
}

fn authorize(
    principal: &Principal,
    permissions: &Permissions,
    write: bool,
) -> Result<(), ApiError> {
    if principal.allows(permissions, write) {
        Ok(())
    } else {
        Err(ApiError::forbidden(if write {
            permissions.write_denied
        } else {
            permissions.read_denied
        }))
    }
}
