//! The dashboard's files, compiled into the binary from `crates/server/assets/`, and the headers
//! they are served with: the right `Content-Type`, a strict `Content-Security-Policy` (scripts,
//! styles and connections from this origin only; no inline script), `nosniff`, no referrer.

use axum::http::{header, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};

/// Scripts, styles, images and `fetch` from this origin only; nothing may frame the page.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// One file of the page.
#[derive(Debug)]
pub struct Asset {
    /// The URL path it is served at.
    pub path: &'static str,
    pub content_type: &'static str,
    pub body: &'static str,
}

/// Every file of the dashboard.
pub static ASSETS: [Asset; 11] = [
    Asset {
        path: "/",
        content_type: "text/html; charset=utf-8",
        body: include_str!("../../assets/index.html"),
    },
    Asset {
        path: "/dashboard/app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/app.js"),
    },
    Asset {
        path: "/dashboard/csv.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/csv.js"),
    },
    Asset {
        path: "/dashboard/licenses.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/licenses.js"),
    },
    Asset {
        path: "/dashboard/insight.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/insight.js"),
    },
    Asset {
        path: "/dashboard/reclaim.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/reclaim.js"),
    },
    Asset {
        path: "/dashboard/subscriptions.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/subscriptions.js"),
    },
    Asset {
        path: "/dashboard/costs.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/costs.js"),
    },
    Asset {
        path: "/dashboard/month-over-month.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/month-over-month.js"),
    },
    Asset {
        path: "/dashboard/style.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../assets/style.css"),
    },
    Asset {
        path: "/dashboard/chart.umd.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/chart.umd.js"),
    },
];

static CSP: HeaderName = HeaderName::from_static("content-security-policy");
static NOSNIFF: HeaderName = HeaderName::from_static("x-content-type-options");
static REFERRER_POLICY: HeaderName = HeaderName::from_static("referrer-policy");

impl Asset {
    /// The file with its headers. `no-cache`: browsers revalidate, so an upgraded binary's page
    /// is seen at once.
    pub fn response(&self) -> Response {
        (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(self.content_type),
                ),
                (
                    CSP.clone(),
                    HeaderValue::from_static(CONTENT_SECURITY_POLICY),
                ),
                (NOSNIFF.clone(), HeaderValue::from_static("nosniff")),
                (
                    REFERRER_POLICY.clone(),
                    HeaderValue::from_static("no-referrer"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            self.body,
        )
            .into_response()
    }
}
