//! `getAzureADLicenseUsage(period='D7')`: the tenant's snapshots of the last 7, 30, 90 or 180
//! days (as instants, from the request's arrival; future-dated ones included), oldest first.

use axum::response::Response;
use tally_odata::edm::TICKS_PER_SECOND;

use super::listing::{self, Listing};
use super::ApiRequest;
use crate::error::ApiError;
use crate::resource::FunctionArgument;
use crate::state::AppState;

const PERIODS: [(&str, i64); 4] = [("D7", 7), ("D30", 30), ("D90", 90), ("D180", 180)];

/// The window's start, in ticks, for a `period` argument.
fn since_ticks(argument: &FunctionArgument) -> Result<i64, ApiError> {
    let invalid = |shown: &str| {
        ApiError::invalid_argument(format!(
            "Invalid value for the parameter 'period': {shown}. The allowed values are 'D7', 'D30', 'D90' and 'D180', quoted: getAzureADLicenseUsage(period='D7')."
        ))
    };
    let days = match argument {
        FunctionArgument::Quoted(value) => PERIODS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(value))
            .map(|(_, days)| *days)
            .ok_or_else(|| invalid(&format!("'{value}'")))?,
        FunctionArgument::Malformed(text) => {
            return Err(invalid(&format!("'{text}' is not period='<value>'")))
        }
    };
    let now = chrono::Utc::now();
    let now_ticks =
        now.timestamp() * TICKS_PER_SECOND + i64::from(now.timestamp_subsec_nanos() / 100);
    Ok(now_ticks - days * 86_400 * TICKS_PER_SECOND)
}

fn listing(since: i64) -> Listing<'static> {
    Listing {
        resource: "getAzureADLicenseUsage",
        since_ticks: Some(since),
        context_fragment: "Collection(microsoft.graph.azureADLicenseUsage)",
        selectable_context: false,
    }
}

pub async fn list(
    state: &AppState,
    request: &ApiRequest,
    argument: &FunctionArgument,
) -> Result<Response, ApiError> {
    let since = since_ticks(argument)?;
    listing::page(state, request, &listing(since)).await
}

pub async fn count(
    state: &AppState,
    request: &ApiRequest,
    argument: &FunctionArgument,
) -> Result<Response, ApiError> {
    let since = since_ticks(argument)?;
    listing::count(state, request, &listing(since)).await
}
