//! The license-usage dashboard (SPEC §1, §11): a static page served at `/`, with its script,
//! stylesheet and the vendored chart library under `/dashboard/`. The page signs in with a
//! bearer token and calls `/v1.0` from the browser; these routes need no token and read nothing.

mod assets;

use axum::routing::get;
use axum::Router;

pub use assets::{Asset, ASSETS, CONTENT_SECURITY_POLICY};

/// The dashboard's routes, to merge into the application's router.
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    ASSETS.iter().fold(Router::new(), |router, asset| {
        router.route(asset.path, get(move || async move { asset.response() }))
    })
}
