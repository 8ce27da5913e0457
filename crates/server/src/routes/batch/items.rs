//! The batch body: `{"requests":[{"id","method","url","headers","body","dependsOn"}]}`, checked
//! whole before any item runs (a malformed batch is one 400).

use std::collections::HashSet;

use axum::http::Method;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::resource::ApiVersion;

/// The most requests one batch may carry, as on Graph.
pub const MAX_REQUESTS: usize = 20;

/// One request of a batch.
#[derive(Clone, Debug)]
pub struct BatchItem {
    pub id: String,
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
    pub depends_on: Vec<String>,
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(message)
}

pub fn parse(body: &[u8]) -> Result<Vec<BatchItem>, ApiError> {
    let value =
        tally_model::strict_json::parse_strict(body).map_err(|error| invalid(error.to_string()))?;
    let requests = value
        .get("requests")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("A batch body must be an object with an array 'requests'."))?;
    if requests.is_empty() {
        return Err(invalid("A batch must contain at least one request."));
    }
    if requests.len() > MAX_REQUESTS {
        return Err(invalid(format!(
            "A batch may contain at most {MAX_REQUESTS} requests; this one has {}.",
            requests.len()
        )));
    }
    let items = requests
        .iter()
        .enumerate()
        .map(|(index, request)| item(index, request))
        .collect::<Result<Vec<_>, _>>()?;
    let mut ids = HashSet::new();
    for item in &items {
        if !ids.insert(item.id.as_str()) {
            return Err(invalid(format!(
                "The request id '{}' appears more than once in the batch.",
                item.id
            )));
        }
    }
    for item in &items {
        if let Some(unknown) = item.depends_on.iter().find(|id| !ids.contains(id.as_str())) {
            return Err(invalid(format!(
                "The request '{}' depends on '{unknown}', which is not in the batch.",
                item.id
            )));
        }
    }
    Ok(items)
}

fn item(index: usize, request: &Value) -> Result<BatchItem, ApiError> {
    let at = |what: &str| invalid(format!("requests[{index}]: {what}"));
    let object = request
        .as_object()
        .ok_or_else(|| at("each request must be an object"))?;
    let id = match object.get("id") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        Some(Value::Number(number)) => number.to_string(),
        _ => return Err(at("'id' must be a non-empty string")),
    };
    let method = object
        .get("method")
        .and_then(Value::as_str)
        .and_then(|method| Method::from_bytes(method.to_ascii_uppercase().as_bytes()).ok())
        .ok_or_else(|| at("'method' must be an HTTP method"))?;
    let url = object
        .get("url")
        .and_then(Value::as_str)
        .filter(|url| !url.is_empty())
        .ok_or_else(|| at("'url' must be a non-empty string"))?
        .to_owned();
    let headers = match object.get("headers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(headers)) => headers
            .iter()
            .map(|(name, value)| match value {
                Value::String(value) => Ok((name.clone(), value.clone())),
                _ => Err(at("header values must be strings")),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(at("'headers' must be an object")),
    };
    let depends_on = dependencies(object).map_err(at)?;
    Ok(BatchItem {
        id,
        method,
        url,
        headers,
        body: object.get("body").filter(|body| !body.is_null()).cloned(),
        depends_on,
    })
}

/// `dependsOn` (or `depends_on`): an array of ids.
fn dependencies(object: &Map<String, Value>) -> Result<Vec<String>, &'static str> {
    match object.get("dependsOn").or_else(|| object.get("depends_on")) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(ids)) => ids
            .iter()
            .map(|id| match id {
                Value::String(id) => Ok(id.clone()),
                Value::Number(number) => Ok(number.to_string()),
                _ => Err("'dependsOn' must list request ids"),
            })
            .collect(),
        Some(_) => Err("'dependsOn' must be an array of request ids"),
    }
}

impl BatchItem {
    pub fn has_header(&self, wanted: &str) -> bool {
        self.headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case(wanted))
    }

    /// The item's URL as an absolute path under a version: relative URLs take the batch's own.
    pub fn path_and_query(&self, version: ApiVersion) -> Result<String, ApiError> {
        let url = self.url.trim();
        let path = match url.find("://") {
            Some(scheme_end) => {
                let after_scheme = &url[scheme_end + 3..];
                after_scheme
                    .find('/')
                    .map_or("/", |slash| &after_scheme[slash..])
            }
            None => url,
        };
        let path = path.strip_prefix('/').unwrap_or(path);
        let first = path.split(['/', '?']).next().unwrap_or_default();
        let full = if ApiVersion::parse(first).is_some() {
            format!("/{path}")
        } else {
            format!("/{}/{path}", version.as_str())
        };
        full.parse::<axum::http::Uri>()
            .map(|_| full.clone())
            .map_err(|_| {
                invalid(format!(
                    "The request '{}' has an invalid url '{}'.",
                    self.id, self.url
                ))
            })
    }

    /// The item body as bytes: JSON as JSON; a string under a non-JSON Content-Type is base64.
    pub fn body_bytes(&self) -> Result<Vec<u8>, ApiError> {
        let json_content = self
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            .is_none_or(|(_, value)| value.to_ascii_lowercase().starts_with("application/json"));
        match &self.body {
            None => Ok(Vec::new()),
            Some(Value::String(text)) if !json_content => STANDARD.decode(text).map_err(|_| {
                invalid(format!(
                    "The body of request '{}' is not valid base64.",
                    self.id
                ))
            }),
            Some(value) => Ok(value.to_string().into_bytes()),
        }
    }
}
