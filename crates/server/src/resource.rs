//! The OData resource path after `/v1.0` or `/beta`: which resource a URL names (looked up in
//! the resources' descriptions), or the segment that names nothing (a 400, as on Graph).
//! Segment names match case-insensitively, as Graph's do; key predicates follow OData's syntax
//! (SPEC §3).

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use tally_model::ResourceDef;

use crate::error::ApiError;
use crate::routes::endpoints::{self, unquote, Endpoint, Found, Keys};

/// The API versions; both serve the same behaviour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiVersion {
    V1,
    Beta,
}

impl ApiVersion {
    pub fn parse(segment: &str) -> Option<Self> {
        if segment.eq_ignore_ascii_case("v1.0") {
            Some(ApiVersion::V1)
        } else if segment.eq_ignore_ascii_case("beta") {
            Some(ApiVersion::Beta)
        } else {
            None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1.0",
            ApiVersion::Beta => "beta",
        }
    }
}

/// What a resource path names: a path of a report's collection (one generic family, written
/// from the reports' descriptions), or an endpoint of the route table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resource {
    Collection(&'static ResourceDef),
    CollectionCount(&'static ResourceDef),
    /// One object by its key, unquoted (validated later: a key that is no GUID is a 404).
    Entity(&'static ResourceDef, String),
    /// One object by the value of its resource's alternate key,
    /// `subscriptions(commerceSubscriptionId='…')`.
    AlternateEntity(&'static ResourceDef, String),
    /// The resource's function with its raw argument (validated later: InvalidArgument).
    Function(&'static ResourceDef, FunctionArgument),
    FunctionCount(&'static ResourceDef, FunctionArgument),
    /// An endpoint of [`ENDPOINTS`](crate::routes::endpoints::ENDPOINTS), with the keys its
    /// path held.
    Endpoint(&'static Endpoint, Keys),
}

impl Resource {
    /// Whether only `/beta` serves it.
    pub fn beta_only(&self) -> bool {
        match self {
            Resource::Endpoint(endpoint, _) => endpoint.beta_only,
            Resource::Collection(def)
            | Resource::CollectionCount(def)
            | Resource::Entity(def, _)
            | Resource::AlternateEntity(def, _)
            | Resource::Function(def, _)
            | Resource::FunctionCount(def, _) => def.beta_only,
        }
    }

    /// Its label in `/metrics`: fixed, never an id.
    pub fn label(&self) -> &'static str {
        match self {
            Resource::Collection(_) => "collection",
            Resource::CollectionCount(_) => "collection_count",
            Resource::Entity(..) | Resource::AlternateEntity(..) => "entity",
            Resource::Function(..) => "function",
            Resource::FunctionCount(..) => "function_count",
            Resource::Endpoint(endpoint, _) => endpoint.label,
        }
    }
}

/// A function's argument as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FunctionArgument {
    /// `()`.
    None,
    /// `period='D7'`: the quoted string's content.
    Quoted(String),
    /// Anything else between the parentheses (unquoted, other parameters).
    Malformed(String),
}

/// An API path resolved: its version and what it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedPath {
    pub version: ApiVersion,
    pub resource: Resource,
}

/// A request's path, resolved once by the outermost layer ([`resolve_path`]) and left in its
/// extensions for the layers and the handler after it: `None` when it is not under `/v1.0` or
/// `/beta`, else what it names or why nothing (the handler answers that error after the token,
/// as SPEC §10 orders).
#[derive(Debug)]
pub struct Resolution(pub Option<Result<ResolvedPath, ApiError>>);

/// Extensions must be `Clone`; `ApiError` is not (an answer is made once), so its copy is
/// spelled out here.
impl Clone for Resolution {
    fn clone(&self) -> Self {
        Self(self.0.as_ref().map(|resolved| match resolved {
            Ok(resolved) => Ok(resolved.clone()),
            Err(error) => Err(ApiError {
                status: error.status,
                code: error.code,
                message: error.message.clone(),
                headers: error.headers.clone(),
            }),
        }))
    }
}

impl Resolution {
    /// Whether the path is under the API (whether or not it names anything there).
    pub fn is_api(&self) -> bool {
        self.0.is_some()
    }
}

/// Middleware, outermost: resolves the request's path ([`resolve`]) once, for metrics' route
/// label, the body gate's rule and the API's handler ([`Resolution`] in the extensions).
pub async fn resolve_path(mut request: Request, next: Next) -> Response {
    let resolution = Resolution(resolve(request.uri().path()));
    request.extensions_mut().insert(resolution);
    next.run(request).await
}

/// Resolves a request path (`/v1.0/a/b`, still percent-encoded): `None` when it is not under
/// `/v1.0` or `/beta`. Empty segments are skipped, as Graph does: kiota's Python client joins
/// its base URL (which httpx ends with `/`) and `/reports/…` into `/v1.0//reports/…`.
pub fn resolve(path: &str) -> Option<Result<ResolvedPath, ApiError>> {
    let mut segments = path.split('/').filter(|segment| !segment.is_empty());
    let version = ApiVersion::parse(segments.next().unwrap_or_default())?;
    let decoded = segments
        .map(|segment| {
            percent_encoding::percent_decode_str(segment)
                .decode_utf8()
                .map(|decoded| decoded.into_owned())
                .map_err(|_| {
                    ApiError::bad_request(format!(
                        "The path segment '{segment}' is not valid UTF-8."
                    ))
                })
        })
        .collect::<Result<Vec<_>, _>>();
    Some(decoded.and_then(|segments| {
        let resource = parse(&segments)?;
        if resource.beta_only() && version == ApiVersion::V1 {
            // Graph has these on beta only; tally's own resources live there too.
            return Err(ApiError::segment_not_found(
                segments.last().map_or("", String::as_str),
            ));
        }
        Ok(ResolvedPath { version, resource })
    }))
}

/// Parses the decoded segments after the version segment: an endpoint of the route table, else
/// a described resource's path (under its singleton), else the first segment that names
/// nothing.
pub fn parse(segments: &[String]) -> Result<Resource, ApiError> {
    let segments: Vec<&str> = segments
        .iter()
        .map(String::as_str)
        .filter(|segment| !segment.is_empty())
        .collect();
    match endpoints::find(&segments) {
        Found::Endpoint(endpoint, keys) => Ok(Resource::Endpoint(endpoint, keys)),
        Found::Nothing { known } => match segments.split_first() {
            Some((singleton, rest)) if ResourceDef::is_singleton(singleton) && !rest.is_empty() => {
                parse_contained(singleton, rest)
            }
            _ => {
                let unknown = segments.get(known).or(segments.last());
                Err(ApiError::segment_not_found(
                    unknown.copied().unwrap_or_default(),
                ))
            }
        },
    }
}

/// A described resource's path after its singleton's segment (`reports/`, `directory/`; not
/// empty).
fn parse_contained(singleton: &str, rest: &[&str]) -> Result<Resource, ApiError> {
    let Some((first, rest)) = rest.split_first() else {
        return Err(ApiError::segment_not_found(singleton));
    };
    if let Some(def) = ResourceDef::by_collection(singleton, first) {
        return match rest {
            [] => Ok(Resource::Collection(def)),
            [count] if count.eq_ignore_ascii_case("$count") => Ok(Resource::CollectionCount(def)),
            [key] if !key.is_empty() => Ok(Resource::Entity(def, unquote(key).to_owned())),
            [key, next, ..] if !key.is_empty() => Err(ApiError::segment_not_found(next)),
            _ => Err(ApiError::segment_not_found(first)),
        };
    }
    let (name, argument) = match first.split_once('(') {
        Some((name, tail)) => match tail.strip_suffix(')') {
            Some(argument) => (name, Some(argument)),
            None => (*first, None),
        },
        None => (*first, None),
    };
    if let (Some(def), Some(predicate)) = (ResourceDef::by_collection(singleton, name), argument) {
        let resource = match key_predicate(def, predicate)? {
            Key::Id(key) => Resource::Entity(def, key),
            Key::Alternate(value) => Resource::AlternateEntity(def, value),
        };
        return match rest {
            [] => Ok(resource),
            [next, ..] => Err(ApiError::segment_not_found(next)),
        };
    }
    if let (Some(def), Some(argument)) = (ResourceDef::by_function(singleton, name), argument) {
        let argument = function_argument(argument);
        return match rest {
            [] => Ok(Resource::Function(def, argument)),
            [count] if count.eq_ignore_ascii_case("$count") => {
                Ok(Resource::FunctionCount(def, argument))
            }
            [next, ..] => Err(ApiError::segment_not_found(next)),
        };
    }
    Err(ApiError::segment_not_found(first))
}

/// What a key predicate names an object by.
enum Key {
    Id(String),
    Alternate(String),
}

/// The key in an OData key predicate, `('…')`, `(id='…')` or `(<alternate key>='…')`: a
/// string literal, whose quotes inside are doubled. Anything else is a 400 (SPEC §3), not a
/// 404.
fn key_predicate(def: &ResourceDef, predicate: &str) -> Result<Key, ApiError> {
    let keys = match def.alternate_key {
        Some(alternate) => format!("('<id>'), (id='<id>') or ({alternate}='<value>')"),
        None => "('<id>') or (id='<id>')".to_owned(),
    };
    let invalid = |why: &str| {
        ApiError::bad_request(format!(
            "The key predicate '({predicate})' is not valid: {why}. Write the key as a quoted \
             string, {keys}, doubling any quote inside it."
        ))
    };
    let mut alternate = false;
    let literal = match predicate.split_once('=') {
        Some((name, value)) if !predicate.trim_start().starts_with('\'') => {
            let name = name.trim();
            alternate = def.alternate_key.is_some_and(|key| key.name == name);
            if name != "id" && !alternate {
                return Err(invalid(&format!(
                    "'{name}' is not a key of {}",
                    def.entity.short_name()
                )));
            }
            value.trim()
        }
        _ => predicate.trim(),
    };
    let inner = literal
        .strip_prefix('\'')
        .and_then(|rest| rest.strip_suffix('\''))
        .filter(|_| literal.len() >= 2)
        .ok_or_else(|| invalid("the key is not a quoted string"))?;
    let mut key = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\'' && chars.next() != Some('\'') {
            return Err(invalid("a quote inside the key must be doubled"));
        }
        key.push(c);
    }
    Ok(if alternate {
        Key::Alternate(key)
    } else {
        Key::Id(key)
    })
}

fn function_argument(text: &str) -> FunctionArgument {
    if text.trim().is_empty() {
        return FunctionArgument::None;
    }
    let parsed = text.split_once('=').and_then(|(name, value)| {
        let value = value.trim();
        (name.trim() == "period"
            && value.len() >= 2
            && value.starts_with('\'')
            && value.ends_with('\''))
        .then(|| value[1..value.len() - 1].to_owned())
    });
    match parsed {
        Some(value) => FunctionArgument::Quoted(value),
        None => FunctionArgument::Malformed(text.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use tally_model::resources::LICENSE_USAGE;

    fn parse_path(path: &str) -> Result<Resource, String> {
        let segments: Vec<String> = path.split('/').map(str::to_owned).collect();
        parse(&segments).map_err(|error| error.message)
    }

    #[test]
    fn every_route_of_the_spec_parses() {
        let label = |path: &str| parse_path(path).map(|resource| resource.label());
        assert_eq!(label(""), Ok("service"));
        assert_eq!(label("$metadata"), Ok("metadata"));
        assert_eq!(label("reports"), Ok("reports"));
        assert_eq!(label("users/$count"), Ok("users_count"));
        assert_eq!(label("users/a@b.example"), Ok("user"));
        assert_eq!(
            label("users/'x'/microsoft.graph.assignLicense"),
            Ok("assign_license")
        );
        assert_eq!(label("Users/x/AssignLicense"), Ok("assign_license"));
        assert_eq!(
            label("reports/azureADPremiumLicenseInsight"),
            Ok("premium_license_insight")
        );
        let Ok(Resource::Endpoint(_, keys)) = parse_path("users/'O''x'/licenseDetails") else {
            panic!("an endpoint");
        };
        assert_eq!(keys.first(), "O''x", "keys are unquoted, not unescaped");
        assert_eq!(
            parse_path("reports/azureADLicenseUsage"),
            Ok(Resource::Collection(&LICENSE_USAGE))
        );
        assert_eq!(
            parse_path("Reports/AzureADLicenseUsage/$count"),
            Ok(Resource::CollectionCount(&LICENSE_USAGE))
        );
        let entity = |key: &str| Ok(Resource::Entity(&LICENSE_USAGE, key.into()));
        assert_eq!(parse_path("reports/azureADLicenseUsage/abc"), entity("abc"));
        assert_eq!(
            parse_path("reports/azureADLicenseUsage/'abc'"),
            entity("abc")
        );
        assert_eq!(
            parse_path("reports/azureADLicenseUsage('abc')"),
            entity("abc")
        );
        assert_eq!(
            parse_path("reports/azureADLicenseUsage(id='abc')"),
            entity("abc")
        );
        assert_eq!(
            parse_path("reports/azureADLicenseUsage('O''Neil')"),
            entity("O'Neil")
        );
        assert_eq!(
            parse_path("reports/getAzureADLicenseUsage()"),
            Ok(Resource::Function(&LICENSE_USAGE, FunctionArgument::None))
        );
        let d7 = FunctionArgument::Quoted("D7".into());
        assert_eq!(
            parse_path("reports/getAzureADLicenseUsage(period='D7')"),
            Ok(Resource::Function(&LICENSE_USAGE, d7.clone()))
        );
        assert_eq!(
            parse_path("reports/microsoft.graph.getAzureADLicenseUsage(period='D7')/$count"),
            Ok(Resource::FunctionCount(&LICENSE_USAGE, d7))
        );
        assert_eq!(
            parse_path("reports/getAzureADLicenseUsage(period=D7)"),
            Ok(Resource::Function(
                &LICENSE_USAGE,
                FunctionArgument::Malformed("period=D7".into())
            ))
        );
    }

    #[test]
    fn malformed_key_predicates_are_bad_requests() {
        for predicate in [
            "('O'Neil')",
            "(id=wrong)",
            "(a=1;b='x')",
            "(ID='x')",
            "(abc)",
            "('x)",
        ] {
            let error = parse_path(&format!("reports/azureADLicenseUsage{predicate}")).unwrap_err();
            assert!(error.contains("is not valid"), "{predicate}: {error}");
        }
    }

    #[test]
    fn unknown_segments_are_named() {
        assert_eq!(
            parse_path("groups"),
            Err("Resource not found for the segment 'groups'.".into())
        );
        assert_eq!(
            parse_path("users/abc/manager"),
            Err("Resource not found for the segment 'manager'.".into())
        );
        assert_eq!(
            parse_path("reports/azureADLicenseUsage/abc/snapshotDateTime"),
            Err("Resource not found for the segment 'snapshotDateTime'.".into())
        );
        assert_eq!(
            parse_path("reports/getOffice365ActiveUserDetail(period='D7')"),
            Err(
                "Resource not found for the segment 'getOffice365ActiveUserDetail(period='D7')'."
                    .into()
            )
        );
    }
}
