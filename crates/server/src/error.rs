//! The one error type handlers return. Converting it into a response has no side effects: it
//! attaches a [`GraphError`] to an empty response, and the envelope middleware renders the Graph
//! error body (with the request ids) and logs.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tally_store::StoreError;

/// The `error` object of a Graph error body, before the request ids are added.
#[derive(Clone, Debug)]
pub struct GraphError {
    pub code: &'static str,
    pub message: String,
}

/// An error answer: a status, a Graph error code and a message for the client.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Extra headers such as `WWW-Authenticate` or `Retry-After`.
    pub headers: Vec<(header::HeaderName, HeaderValue)>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            headers: Vec::new(),
        }
    }

    pub fn with_header(self, name: header::HeaderName, value: &'static str) -> Self {
        self.with_header_value(name, HeaderValue::from_static(value))
    }

    pub fn with_header_value(mut self, name: header::HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidArgument", message)
    }

    pub fn segment_not_found(segment: &str) -> Self {
        Self::bad_request(format!("Resource not found for the segment '{segment}'."))
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        )
        .with_header(header::WWW_AUTHENTICATE, "Bearer")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            message,
        )
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "Request_ResourceNotFound", message)
    }

    pub fn method_not_allowed(method: &axum::http::Method) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!("The HTTP method '{method}' is not allowed on this resource."),
        )
    }

    pub fn precondition_failed() -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "PreconditionFailed",
            "The object's current ETag does not satisfy the request's If-Match or If-None-Match header.",
        )
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            format!("The request body exceeds the limit of {limit} bytes."),
        )
    }

    pub fn unsupported_media_type(found: Option<&str>) -> Self {
        let message = match found {
            Some(found) => {
                format!("The Content-Type '{found}' is not supported; use 'application/json'.")
            }
            None => {
                "The request has a body but no Content-Type; use 'application/json'.".to_owned()
            }
        };
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            message,
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "The server encountered an unexpected error.",
        )
    }

    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "The service is temporarily unavailable; retry after the time in Retry-After.",
        )
        .with_header(header::RETRY_AFTER, "1")
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(cause) => {
                tracing::warn!(%cause, "store unavailable");
                ApiError::unavailable()
            }
            StoreError::Budget(budget) => {
                tracing::warn!(budget_ms = budget.as_millis(), "a read ran over its budget");
                ApiError::new(
                    StatusCode::GATEWAY_TIMEOUT,
                    "GatewayTimeout",
                    format!(
                        "The query ran longer than its budget of {} seconds and was stopped; \
                         narrow $filter, or ask for fewer objects.",
                        budget.as_secs_f64()
                    ),
                )
            }
            StoreError::Refused(message) => ApiError::bad_request(message),
            StoreError::Internal(cause) => {
                tracing::error!(%cause, "store failure");
                ApiError::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        response.extensions_mut().insert(GraphError {
            code: self.code,
            message: self.message,
        });
        response
    }
}
