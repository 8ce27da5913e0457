//! The OData resource path after `/v1.0` or `/beta`: which resource a URL names, or the
//! segment that names nothing (a 400, as on Graph). Segment names match case-insensitively, as
//! Graph's do.

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
    Collection,
    CollectionCount,
    /// One object by its key, as written in the URL (validated later: a bad key is a 404).
    Entity(String),
    /// The report function with its raw `period` argument (validated later: InvalidArgument).
    Function(FunctionArgument),
    FunctionCount(FunctionArgument),
}

/// The function's `period` argument as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FunctionArgument {
    /// `period='D7'`: the quoted string's content.
    Quoted(String),
    /// Anything else between the parentheses (unquoted, missing, other parameters).
    Malformed(String),
}

const COLLECTION: &str = "azureADLicenseUsage";
const FUNCTION: &str = "getAzureADLicenseUsage";
const QUALIFIED_FUNCTION: &str = "microsoft.graph.getAzureADLicenseUsage";

/// Parses the decoded segments after the version segment.
pub fn parse(segments: &[String]) -> Result<Resource, ApiError> {
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    match segments.as_slice() {
        [] | [""] => Ok(Resource::ServiceDocument),
        [meta] if meta.eq_ignore_ascii_case("$metadata") => Ok(Resource::Metadata),
        [batch] if batch.eq_ignore_ascii_case("$batch") => Ok(Resource::Batch),
        [reports, rest @ ..] if reports.eq_ignore_ascii_case("reports") => parse_reports(rest),
        [first, ..] => Err(ApiError::segment_not_found(first)),
    }
}

fn parse_reports(rest: &[&str]) -> Result<Resource, ApiError> {
    let Some((first, rest)) = rest.split_first() else {
        return Ok(Resource::Reports);
    };
    if first.eq_ignore_ascii_case(COLLECTION) {
        return match rest {
            [] => Ok(Resource::Collection),
            [count] if count.eq_ignore_ascii_case("$count") => Ok(Resource::CollectionCount),
            [key] if !key.is_empty() => Ok(Resource::Entity(unquote_key(key).to_owned())),
            [key, next, ..] if !key.is_empty() => Err(ApiError::segment_not_found(next)),
            _ => Err(ApiError::segment_not_found(first)),
        };
    }
    if let Some(key) = call_argument(first, COLLECTION) {
        return match rest {
            [] => Ok(Resource::Entity(unquote_key(key).to_owned())),
            [next, ..] => Err(ApiError::segment_not_found(next)),
        };
    }
    let argument =
        call_argument(first, QUALIFIED_FUNCTION).or_else(|| call_argument(first, FUNCTION));
    if let Some(argument) = argument {
        let argument = function_argument(argument);
        return match rest {
            [] => Ok(Resource::Function(argument)),
            [count] if count.eq_ignore_ascii_case("$count") => {
                Ok(Resource::FunctionCount(argument))
            }
            [next, ..] => Err(ApiError::segment_not_found(next)),
        };
    }
    Err(ApiError::segment_not_found(first))
}

/// For `name(...)`, the text between the parentheses.
fn call_argument<'a>(segment: &'a str, name: &str) -> Option<&'a str> {
    let head = segment.get(..name.len())?;
    if !head.eq_ignore_ascii_case(name) {
        return None;
    }
    segment[name.len()..].strip_prefix('(')?.strip_suffix(')')
}

/// `'abc'` → `abc`; keys may be written bare or quoted, OData style.
fn unquote_key(key: &str) -> &str {
    key.strip_prefix('\'')
        .and_then(|inner| inner.strip_suffix('\''))
        .unwrap_or(key)
}

fn function_argument(text: &str) -> FunctionArgument {
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
            Ok(Resource::Collection)
        );
        assert_eq!(
            parse_path("Reports/AzureADLicenseUsage/$count"),
            Ok(Resource::CollectionCount)
        );
        assert_eq!(
            parse_path("reports/azureADLicenseUsage/abc"),
            Ok(Resource::Entity("abc".into()))
        );
        assert_eq!(
            parse_path("reports/azureADLicenseUsage('abc')"),
            Ok(Resource::Entity("abc".into()))
        );
        let d7 = FunctionArgument::Quoted("D7".into());
        assert_eq!(
            parse_path("reports/getAzureADLicenseUsage(period='D7')"),
            Ok(Resource::Function(d7.clone()))
        );
        assert_eq!(
            parse_path("reports/microsoft.graph.getAzureADLicenseUsage(period='D7')/$count"),
            Ok(Resource::FunctionCount(d7))
        );
        assert_eq!(
            parse_path("reports/getAzureADLicenseUsage(period=D7)"),
            Ok(Resource::Function(FunctionArgument::Malformed(
                "period=D7".into()
            )))
        );
    }

    #[test]
    fn unknown_segments_are_named() {
        assert_eq!(
            parse_path("users"),
            Err("Resource not found for the segment 'users'.".into())
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
