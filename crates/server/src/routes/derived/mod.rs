//! The numbers derived from the directory (SPEC §12.3), under `/beta/reports`: Graph's
//! `azureADPremiumLicenseInsight`, and tally's `licenseReclaim` list. Both only read.

pub mod cache;
mod insight;
mod reclaim;

use axum::response::Response;
use tally_model::directory::insight::INSIGHT;
use tally_model::directory::USERS;
use tally_model::resources::Permissions;

use super::ApiRequest;
use crate::error::ApiError;
use crate::resource::Derived;
use crate::state::AppState;

pub async fn handle(
    state: &AppState,
    request: &ApiRequest,
    path: Derived,
) -> Result<Response, ApiError> {
    match path {
        Derived::PremiumLicenseInsight => insight::get(state, request).await,
        Derived::LicenseReclaim => reclaim::get(state, request).await,
    }
}

/// What guards `path`: the reclaim list reads users (and checks the sign-in permission, as
/// `$select=signInActivity` does).
pub fn permissions(path: &Derived) -> &'static Permissions {
    match path {
        Derived::PremiumLicenseInsight => &INSIGHT,
        Derived::LicenseReclaim => &USERS,
    }
}
