//! The route table: every endpoint under `/v1.0` and `/beta` but the reports' collections (those
//! are one generic family, written from their descriptions: `resource::parse_reports`). An
//! entry is the endpoint's path, the versions it exists in, its metrics label, and per method
//! whether it writes, who may call it and its handler. Path resolution, the 405 and its
//! `Allow`, authorization, metrics and dispatch all read this table: a new endpoint is one
//! entry here.

use std::future::Future;
use std::pin::Pin;

use axum::http::Method;
use axum::response::Response;
use tally_model::resources::Permissions;

use super::ApiRequest;
use crate::error::ApiError;
use crate::state::AppState;

mod table;

pub use table::ENDPOINTS;

/// One endpoint: a path and what each of its methods does.
pub struct Endpoint {
    /// The segments after the version, `/`-separated: a literal matches case-insensitively,
    /// `{key}` matches any segment (quoted or not), and `microsoft.graph.name` matches `name`
    /// with or without the qualifier (bound actions, as SDKs write them).
    pub path: &'static str,
    /// The endpoint in `/metrics` (a fixed label, never an id).
    pub label: &'static str,
    /// Only under `/beta`, as on Graph; under `/v1.0` its last segment is unknown (a 400).
    pub beta_only: bool,
    pub operations: &'static [Operation],
}

/// What one method of an endpoint does.
pub struct Operation {
    pub method: Method,
    /// Whether it changes data (the write permissions apply).
    pub writes: bool,
    pub guard: Guard,
    pub handler: Handler,
    /// How `/openapi.json` describes it (`None`: `openapi/base.json` does).
    pub doc: Option<Doc>,
}

/// An operation in the OpenAPI document's words.
pub struct Doc {
    pub summary: &'static str,
    /// The request body: a schema of `components.schemas`.
    pub body: Option<&'static str>,
    pub answer: Answer,
    /// The query options it takes: parameters of `components.parameters`.
    pub query: &'static [&'static str],
}

/// What an operation answers on success.
pub enum Answer {
    /// 200 with an object of this schema.
    Object(&'static str),
    /// 201 with the created object, and `Location`.
    Created(&'static str),
    /// 202 with an object (Graph's answer to a group's assignLicense).
    Accepted(&'static str),
    /// 200 with a page of objects of this schema (`value`, `@odata.nextLink`, `@odata.count`).
    Page(&'static str),
    /// 200 with a number as `text/plain`.
    Count,
    /// 204.
    NoContent,
}

/// Who may call an operation.
#[derive(Clone, Copy)]
pub enum Guard {
    /// A caller with one of these permissions (and a delegated caller one of their roles).
    Permissions(&'static Permissions),
    /// `$batch`: each item is authorized on its own, and a batch may not hold another.
    EachItem,
}

/// A handler: the request, and the keys its path held (in order).
pub type Handler =
    for<'a> fn(&'a AppState, &'a ApiRequest, &'a Keys) -> Pin<Box<dyn HandlerFuture + 'a>>;

/// What a handler returns.
pub trait HandlerFuture: Future<Output = Result<Response, ApiError>> + Send {}

impl<T: Future<Output = Result<Response, ApiError>> + Send> HandlerFuture for T {}

/// The keys a path held, as written (unquoted; the handler checks them: a bad one is a 404).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Keys(pub Vec<String>);

impl Keys {
    /// The first key (every keyed endpoint has one).
    pub fn first(&self) -> &str {
        self.0.first().map_or("", String::as_str)
    }
}

impl Endpoint {
    /// The operation for `method`, if the endpoint answers it.
    pub fn operation(&self, method: &Method) -> Option<&'static Operation> {
        // Endpoints are statics: their operations live as long.
        self.operations.iter().find(|op| op.method == *method)
    }

    /// Its methods, for a 405's `Allow`.
    pub fn allow(&self) -> String {
        let methods: Vec<&str> = self
            .operations
            .iter()
            .map(|op| op.method.as_str())
            .collect();
        methods.join(", ")
    }

    /// How many of `segments` (from the start) the path accepts, and the keys if it accepts
    /// exactly all of them.
    fn accepts(&self, segments: &[&str]) -> (usize, Option<Keys>) {
        // Without allocating: every API request walks the table.
        let pattern = || self.path.split('/').filter(|s| !s.is_empty());
        let mut keys = Vec::new();
        let mut matched = 0;
        for (written, expected) in segments.iter().zip(pattern()) {
            let fits = match expected {
                "{key}" => {
                    keys.push(unquote(written).to_owned());
                    true
                }
                literal => match literal.strip_prefix(QUALIFIER) {
                    Some(name) => is_named(written, name),
                    None => written.eq_ignore_ascii_case(literal),
                },
            };
            if !fits {
                break;
            }
            matched += 1;
        }
        let whole = matched == segments.len() && matched == pattern().count();
        (matched, whole.then_some(Keys(keys)))
    }
}

/// Two endpoints are the same only if they are one entry of the table.
impl PartialEq for Endpoint {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for Endpoint {}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Endpoint({})", self.path)
    }
}

const QUALIFIER: &str = "microsoft.graph.";

/// Whether a segment names `name`, plain or `microsoft.graph.`-qualified.
fn is_named(segment: &str, name: &str) -> bool {
    let plain = segment
        .get(..QUALIFIER.len())
        .filter(|prefix| prefix.eq_ignore_ascii_case(QUALIFIER))
        .map_or(segment, |_| &segment[QUALIFIER.len()..]);
    plain.eq_ignore_ascii_case(name)
}

/// `'abc'` → `abc`: keys may be written bare or quoted in a path segment.
pub fn unquote(key: &str) -> &str {
    key.strip_prefix('\'')
        .and_then(|inner| inner.strip_suffix('\''))
        .unwrap_or(key)
}

/// What the table says of a path.
pub enum Found {
    Endpoint(&'static Endpoint, Keys),
    /// No endpoint has this path; this many leading segments are a prefix of one's.
    Nothing {
        known: usize,
    },
}

/// The endpoint whose path is `segments` (the first in the table's order).
pub fn find(segments: &[&str]) -> Found {
    let mut known = 0;
    for endpoint in ENDPOINTS {
        match endpoint.accepts(segments) {
            (_, Some(keys)) => return Found::Endpoint(endpoint, keys),
            (matched, None) => known = known.max(matched),
        }
    }
    Found::Nothing { known }
}
