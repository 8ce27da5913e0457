//! The Graph API under `/v1.0` and `/beta`: one entry point that applies the checks in the order
//! SPEC §10 fixes (token, path, method, permission), then hands over to the resource's handler.

mod batch;
mod collection;
mod context;
pub mod derived;
mod directory;
mod entity;
mod function;
mod listing;
mod object;
mod service;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use tally_model::resources::{Permissions, REPORTS};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::resource::{self, ResolvedPath, Resource};
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

    let ResolvedPath { version, resource } = match request.extensions().get::<ResolvedPath>() {
        Some(resolved) => resolved.clone(),
        None => resource::resolve(request.uri().path()).unwrap_or_else(|| {
            let first = request.uri().path().split('/').find(|s| !s.is_empty());
            Err(ApiError::segment_not_found(first.unwrap_or_default()))
        })?,
    };
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
        authorize(&principal, permissions(&resource), write)?;
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
        (Resource::Collection(def), Method::POST) => {
            collection::create(&state, &request, def).await
        }
        (Resource::Collection(def), _) => collection::list(&state, &request, def).await,
        (Resource::CollectionCount(def), _) => collection::count(&state, &request, def).await,
        (Resource::Entity(def, key), Method::PATCH) => {
            entity::update(&state, &request, def, &key).await
        }
        (Resource::Entity(def, key), Method::DELETE) => {
            entity::delete(&state, &request, def, &key).await
        }
        (Resource::Entity(def, key), _) => entity::get(&state, &request, def, &key).await,
        (Resource::Function(def, argument), _) => {
            function::list(&state, &request, def, &argument).await
        }
        (Resource::FunctionCount(def, argument), _) => {
            function::count(&state, &request, def, &argument).await
        }
        (Resource::Directory(path), method) => {
            directory::handle(&state, &request, path, &method).await
        }
        (Resource::Derived(path), _) => derived::handle(&state, &request, path).await,
    }
}

/// What guards `resource`.
fn permissions(resource: &Resource) -> &'static Permissions {
    match resource {
        Resource::Directory(path) => directory::permissions(path),
        Resource::Derived(path) => derived::permissions(path),
        other => other.def().map_or(&REPORTS, |def| def.permissions),
    }
}

/// Whether `method` is allowed on `resource` (`None`: 405), and if so whether it writes.
fn allowed(resource: &Resource, method: &Method) -> Option<bool> {
    let reads = *method == Method::GET;
    let write = match resource {
        Resource::Batch => return (*method == Method::POST).then_some(false),
        Resource::Directory(path) => return directory::allowed(path, method),
        Resource::Collection(_) => *method == Method::POST,
        Resource::Entity(..) => *method == Method::PATCH || *method == Method::DELETE,
        _ => false,
    };
    (reads || write).then_some(write)
}

/// The methods `resource` answers, for the `Allow` header that a 405 must carry (RFC 9110).
fn allowed_methods(resource: &Resource) -> &'static str {
    match resource {
        Resource::Batch => "POST",
        Resource::Directory(path) => directory::allowed_methods(path),
        Resource::Collection(_) => "GET, POST",
        Resource::Entity(..) => "GET, PATCH, DELETE",
        _ => "GET",
    }
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
