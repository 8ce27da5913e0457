//! The license-usage dashboard (SPEC §1, §11): a static page served at `/`, with its scripts,
//! stylesheet and the vendored chart library under `/dashboard/`. The page signs in with a
//! bearer token and calls the API from the browser (the usage report; for its Licenses view the
//! SKUs and their holders, §12.2; for its Subscriptions view the subscriptions, §13.2; for its
//! Costs view the license costs, §13.3; for its Insight and Reclaim views the premium license
//! insight and the inactive holders, §12.3); these routes need no token and read nothing.

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

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{header, Request, StatusCode};
    use tower::ServiceExt;

    use super::{routes, ASSETS, CONTENT_SECURITY_POLICY};

    #[tokio::test]
    async fn every_file_is_served_with_its_type_and_the_policy() {
        for asset in &ASSETS {
            let request = Request::get(asset.path).body(Body::empty());
            let response = routes::<()>()
                .oneshot(request.expect("a request"))
                .await
                .expect("a response");
            assert_eq!(response.status(), StatusCode::OK, "{}", asset.path);
            let headers = response.headers();
            assert_eq!(headers[header::CONTENT_TYPE], asset.content_type);
            assert_eq!(headers["content-security-policy"], CONTENT_SECURITY_POLICY);
            assert_eq!(headers["x-content-type-options"], "nosniff");
        }
    }

    #[test]
    fn the_policy_allows_nothing_inline_or_foreign() {
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
        assert!(!CONTENT_SECURITY_POLICY.contains("http"));
        assert!(CONTENT_SECURITY_POLICY.contains("default-src 'self'"));
    }

    #[test]
    fn the_page_loads_only_files_that_are_served() {
        let page = ASSETS[0].body;
        for asset in &ASSETS[1..] {
            let relative = asset.path.trim_start_matches('/');
            assert!(page.contains(&format!("\"{relative}\"")), "{relative}");
        }
        assert!(!page.contains("<script>"), "no inline script");
        assert!(!page.contains("style="), "no inline style");
    }
}
