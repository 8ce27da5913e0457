//! One API request after the token, path, method and permission checks: what handlers need of it.

use axum::body::Bytes;
use axum::http::{header, request::Parts, HeaderMap, Method};
use tally_model::{Precondition, ResourceDef};
use tally_odata::query::FilterOptions;
use uuid::Uuid;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::envelope::RequestIds;
use crate::query_options::{QueryOptions, Target};
use crate::resource::ApiVersion;
use crate::state::AppState;

pub struct ApiRequest {
    pub principal: Principal,
    pub version: ApiVersion,
    pub method: Method,
    pub headers: HeaderMap,
    pub path: String,
    pub raw_query: Option<String>,
    pub body: Bytes,
    /// `scheme://host[:port]` for absolute URLs in responses.
    pub base_url: String,
    pub ids: RequestIds,
    /// The server's `$filter` limits, for [`QueryOptions::parse`].
    pub filter_options: FilterOptions,
}

impl ApiRequest {
    pub fn new(
        state: &AppState,
        principal: Principal,
        version: ApiVersion,
        parts: Parts,
        body: Bytes,
    ) -> Self {
        let base_url = state.base_url(&parts.headers);
        let ids = parts
            .extensions
            .get::<RequestIds>()
            .cloned()
            .unwrap_or_else(RequestIds::new);
        Self {
            principal,
            version,
            method: parts.method,
            path: parts.uri.path().to_owned(),
            raw_query: parts.uri.query().map(str::to_owned),
            headers: parts.headers,
            body,
            base_url,
            ids,
            filter_options: state.filter_options,
        }
    }

    /// `https://host/v1.0`
    pub fn service_root(&self) -> String {
        format!("{}/{}", self.base_url, self.version.as_str())
    }

    /// `https://host/v1.0/$metadata#<fragment>`
    pub fn context_url(&self, fragment: &str) -> String {
        format!("{}/$metadata#{fragment}", self.service_root())
    }

    /// The canonical URL of one object.
    pub fn entity_url(&self, def: &ResourceDef, id: Uuid) -> String {
        format!("{}/{}/{id}", self.service_root(), def.path())
    }

    /// The query options, bound against `def`'s type, refused where they do not apply to
    /// `target`.
    pub fn options(
        &self,
        def: &'static ResourceDef,
        target: Target,
    ) -> Result<QueryOptions, ApiError> {
        let options =
            QueryOptions::parse(def.entity, self.raw_query.as_deref(), self.filter_options)?;
        options.check_target(target)?;
        Ok(options)
    }

    fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// A write's body must be declared `application/json` (parameters allowed): else 415.
    pub fn require_json_body(&self) -> Result<(), ApiError> {
        let content_type = self.header(header::CONTENT_TYPE);
        let is_json = content_type.is_some_and(|value| {
            value
                .split(';')
                .next()
                .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
        });
        match (is_json, content_type) {
            (true, _) => Ok(()),
            (false, None) if self.body.is_empty() => Ok(()),
            (false, found) => Err(ApiError::unsupported_media_type(found)),
        }
    }

    pub fn precondition(&self) -> Precondition {
        // Not `header()`: a value with a non-ASCII byte must still count (as a tag that matches
        // nothing, so a write under it fails with 412), never be ignored as if absent.
        let lossy = |name| {
            self.headers
                .get(name)
                .map(|value: &header::HeaderValue| String::from_utf8_lossy(value.as_bytes()))
        };
        let (if_match, if_none_match) = (lossy(header::IF_MATCH), lossy(header::IF_NONE_MATCH));
        Precondition::from_headers(if_match.as_deref(), if_none_match.as_deref())
    }

    pub fn if_none_match(&self) -> Option<&str> {
        self.header(header::IF_NONE_MATCH)
    }

    /// Whether the client sent `Prefer: return=minimal`.
    pub fn prefers_minimal(&self) -> bool {
        self.headers.get_all("prefer").iter().any(|value| {
            value.to_str().is_ok_and(|value| {
                value
                    .split(',')
                    .any(|preference| preference.trim().eq_ignore_ascii_case("return=minimal"))
            })
        })
    }

    /// The tenant of the caller: every store call is scoped by it.
    pub fn tenant(&self) -> Uuid {
        self.principal.tenant
    }
}
