//! The OData resource path after `/v1.0` or `/beta`: which resource a URL names (looked up in
//! the resources' descriptions), or the segment that names nothing (a 400, as on Graph).
//! Segment names match case-insensitively, as Graph's do; key predicates follow OData's syntax
//! (SPEC §3).

use tally_model::ResourceDef;

use crate::error::ApiError;

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

/// What a resource path names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resource {
    ServiceDocument,
    Metadata,
    Batch,
    Reports,
    Collection(&'static ResourceDef),
    CollectionCount(&'static ResourceDef),
    /// One object by its key, unquoted (validated later: a key that is no GUID is a 404).
    Entity(&'static ResourceDef, String),
    /// The resource's function with its raw argument (validated later: InvalidArgument).
    Function(&'static ResourceDef, FunctionArgument),
    FunctionCount(&'static ResourceDef, FunctionArgument),
    /// The directory (SPEC §12.2): `/subscribedSkus[/{id}]`, `/users[/$count]`,
    /// `/users/{id or userPrincipalName}[/assignLicense | /licenseDetails]`.
    Directory(Directory),
    /// Numbers derived from the directory (SPEC §12.3), beta only:
    /// `/reports/azureADPremiumLicenseInsight` and tally's `/reports/licenseReclaim`.
    Derived(Derived),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Derived {
    PremiumLicenseInsight,
    LicenseReclaim,
}

/// A directory path; keys are as written (checked by the handlers: a bad one is a 404).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Directory {
    Skus,
    Sku(String),
    Users,
    UsersCount,
    User(String),
    AssignLicense(String),
    LicenseDetails(String),
}

impl Resource {
    /// The resource an API path is about, if it names one.
    pub fn def(&self) -> Option<&'static ResourceDef> {
        match self {
            Resource::Collection(def)
            | Resource::CollectionCount(def)
            | Resource::Entity(def, _)
            | Resource::Function(def, _)
            | Resource::FunctionCount(def, _) => Some(def),
            _ => None,
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

/// An API path resolved: its version and what it names. The outermost layer (metrics) resolves
/// each request's path once and leaves this in the request's extensions for the handler.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedPath {
    pub version: ApiVersion,
    pub resource: Resource,
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
        if matches!(resource, Resource::Derived(_)) && version == ApiVersion::V1 {
            // Graph has these on beta only.
            return Err(ApiError::segment_not_found(&segments[1]));
        }
        Ok(ResolvedPath { version, resource })
    }))
}

/// Parses the decoded segments after the version segment.
pub fn parse(segments: &[String]) -> Result<Resource, ApiError> {
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    match segments.as_slice() {
        [] | [""] => Ok(Resource::ServiceDocument),
        [meta] if meta.eq_ignore_ascii_case("$metadata") => Ok(Resource::Metadata),
        [batch] if batch.eq_ignore_ascii_case("$batch") => Ok(Resource::Batch),
        [reports, rest @ ..] if reports.eq_ignore_ascii_case("reports") => parse_reports(rest),
        [users, rest @ ..] if users.eq_ignore_ascii_case("users") => parse_users(rest),
        [skus, rest @ ..] if skus.eq_ignore_ascii_case("subscribedSkus") => match rest {
            [] => Ok(Resource::Directory(Directory::Skus)),
            [key] if !key.is_empty() => Ok(Resource::Directory(Directory::Sku(
                unquote_key(key).to_owned(),
            ))),
            [_, next, ..] => Err(ApiError::segment_not_found(next)),
            _ => Err(ApiError::segment_not_found(skus)),
        },
        [first, ..] => Err(ApiError::segment_not_found(first)),
    }
}

fn parse_users(rest: &[&str]) -> Result<Resource, ApiError> {
    let directory = match rest {
        [] => Directory::Users,
        [count] if count.eq_ignore_ascii_case("$count") => Directory::UsersCount,
        [key] if !key.is_empty() => Directory::User(unquote_key(key).to_owned()),
        [key, action] if is_named(action, "assignLicense") => {
            Directory::AssignLicense(unquote_key(key).to_owned())
        }
        [key, details] if details.eq_ignore_ascii_case("licenseDetails") => {
            Directory::LicenseDetails(unquote_key(key).to_owned())
        }
        [_, next, ..] => return Err(ApiError::segment_not_found(next)),
        _ => return Err(ApiError::segment_not_found("users")),
    };
    Ok(Resource::Directory(directory))
}

/// Whether a segment names the action `name`, plain or `microsoft.graph.`-qualified.
fn is_named(segment: &str, name: &str) -> bool {
    let plain = segment
        .get(..16)
        .filter(|prefix| prefix.eq_ignore_ascii_case("microsoft.graph."))
        .map_or(segment, |_| &segment[16..]);
    plain.eq_ignore_ascii_case(name)
}

fn parse_reports(rest: &[&str]) -> Result<Resource, ApiError> {
    let Some((first, rest)) = rest.split_first() else {
        return Ok(Resource::Reports);
    };
    if rest.is_empty() {
        if first.eq_ignore_ascii_case("azureADPremiumLicenseInsight") {
            return Ok(Resource::Derived(Derived::PremiumLicenseInsight));
        }
        if first.eq_ignore_ascii_case("licenseReclaim") {
            return Ok(Resource::Derived(Derived::LicenseReclaim));
        }
    }
    if let Some(def) = ResourceDef::by_collection(first) {
        return match rest {
            [] => Ok(Resource::Collection(def)),
            [count] if count.eq_ignore_ascii_case("$count") => Ok(Resource::CollectionCount(def)),
            [key] if !key.is_empty() => Ok(Resource::Entity(def, unquote_key(key).to_owned())),
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
    if let (Some(def), Some(predicate)) = (ResourceDef::by_collection(name), argument) {
        let key = key_predicate(predicate)?;
        return match rest {
            [] => Ok(Resource::Entity(def, key)),
            [next, ..] => Err(ApiError::segment_not_found(next)),
        };
    }
    if let (Some(def), Some(argument)) = (ResourceDef::by_function(name), argument) {
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

/// `'abc'` → `abc` in a path segment (`/azureADLicenseUsage/{id}`); keys may be written bare or
/// quoted there.
fn unquote_key(key: &str) -> &str {
    key.strip_prefix('\'')
        .and_then(|inner| inner.strip_suffix('\''))
        .unwrap_or(key)
}

/// The key in an OData key predicate, `('…')` or `(id='…')`: a string literal, whose quotes
/// inside are doubled. Anything else is a 400 (SPEC §3), not a 404.
fn key_predicate(predicate: &str) -> Result<String, ApiError> {
    let invalid = |why: &str| {
        ApiError::bad_request(format!(
            "The key predicate '({predicate})' is not valid: {why}. Write the key as a quoted \
             string, ('<id>') or (id='<id>'), doubling any quote inside it."
        ))
    };
    let literal = match predicate.split_once('=') {
        Some((name, value)) if !predicate.trim_start().starts_with('\'') => {
            let name = name.trim();
            if name != "id" {
                return Err(invalid(&format!(
                    "'{name}' is not the key; the key is 'id'"
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
    Ok(key)
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
        assert_eq!(parse_path(""), Ok(Resource::ServiceDocument));
        assert_eq!(parse_path("$metadata"), Ok(Resource::Metadata));
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
