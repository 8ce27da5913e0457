//! A resource's function: `getX(period='D7')`, the objects of the last 7, 30, 90 or 180 days
//! (as instants, from the request's arrival; future-dated ones included), oldest first; or
//! `getX()`, the latest object per key. Both are composable with the query options.

use axum::response::Response;
use tally_model::resources::{FunctionDef, FunctionKind};
use tally_model::ResourceDef;
use tally_odata::edm::TICKS_PER_SECOND;
use tally_store::Scope;

use super::listing::{self, Listing};
use super::ApiRequest;
use crate::error::ApiError;
use crate::resource::FunctionArgument;
use crate::state::AppState;

const PERIODS: [(&str, i64); 4] = [("D7", 7), ("D30", 30), ("D90", 90), ("D180", 180)];

/// The function's listing: which objects the call reads.
fn listing(def: &'static ResourceDef, argument: &FunctionArgument) -> Result<Listing, ApiError> {
    // Only a resource with a function resolves to a call of it.
    let function = def.function.as_ref().ok_or_else(ApiError::internal)?;
    let scope = scope(function, argument)?;
    Ok(Listing::function(def, function.name, scope))
}

fn scope(function: &FunctionDef, argument: &FunctionArgument) -> Result<Scope, ApiError> {
    let name = function.name;
    match (&function.kind, argument) {
        (FunctionKind::LatestPer(_), FunctionArgument::None) => Ok(Scope::Latest),
        (FunctionKind::LatestPer(_), FunctionArgument::Quoted(text))
        | (FunctionKind::LatestPer(_), FunctionArgument::Malformed(text)) => {
            Err(ApiError::invalid_argument(format!(
                "The function '{name}' takes no parameters, but was called with '{text}': call {name}()."
            )))
        }
        (FunctionKind::Window, argument) => window(name, argument).map(Scope::Since),
    }
}

/// The window's start, in ticks, for a `period` argument.
fn window(name: &str, argument: &FunctionArgument) -> Result<i64, ApiError> {
    let invalid = |shown: &str| {
        ApiError::invalid_argument(format!(
            "Invalid value for the parameter 'period': {shown}. The allowed values are 'D7', 'D30', 'D90' and 'D180', quoted: {name}(period='D7')."
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
        FunctionArgument::None => return Err(invalid("none was given")),
    };
    let now = chrono::Utc::now();
    let now_ticks =
        now.timestamp() * TICKS_PER_SECOND + i64::from(now.timestamp_subsec_nanos() / 100);
    Ok(now_ticks - days * 86_400 * TICKS_PER_SECOND)
}

pub async fn list(
    state: &AppState,
    request: &ApiRequest,
    def: &'static ResourceDef,
    argument: &FunctionArgument,
) -> Result<Response, ApiError> {
    listing::page(state, request, &listing(def, argument)?).await
}

pub async fn count(
    state: &AppState,
    request: &ApiRequest,
    def: &'static ResourceDef,
    argument: &FunctionArgument,
) -> Result<Response, ApiError> {
    listing::count(state, request, &listing(def, argument)?).await
}
