//! What every handler shares: the store, the token verifier, the paging key, the caches, and
//! how to spell this service's absolute URLs. The caches live in this module's tree, so that the
//! state knows no route's types.

pub mod stamped;

use std::sync::Arc;

use axum::http::{header, HeaderMap};
use tally_model::directory::costs::HolderActivity;
use tally_model::directory::insight::Usage;
use tally_odata::query::FilterOptions;
use tally_store::Store;

use crate::auth::Verifier;
use crate::http::admission::Admission;
use crate::paging::PagingKey;
use crate::throttle::Throttle;
use stamped::StampedCache;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    pub verifier: Arc<Verifier>,
    pub paging: PagingKey,
    /// `--public-url`, without a trailing slash.
    pub public_url: Option<Arc<str>>,
    /// `http` or `https`, for URLs built from the Host header.
    pub scheme: &'static str,
    /// `--rate-limit`, when configured.
    pub throttle: Option<Arc<Throttle>>,
    /// The bound on requests in flight (`--max-in-flight`).
    pub admission: Admission,
    /// The premium license insight's counted inputs, per tenant.
    pub insights: Arc<StampedCache<Usage>>,
    /// The cost report's holders, counted, per tenant.
    pub holders: Arc<StampedCache<HolderActivity>>,
    /// What a `$filter` may hold (`--max-in-list`), passed to every parse.
    pub filter_options: FilterOptions,
}

impl AppState {
    /// `scheme://host` for absolute URLs: the public URL if configured, else the request's Host.
    pub fn base_url(&self, headers: &HeaderMap) -> String {
        if let Some(public) = &self.public_url {
            return public.to_string();
        }
        let host = headers
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
            .filter(|host| !host.is_empty() && host.chars().all(|c| c.is_ascii_graphic()))
            .unwrap_or("localhost");
        format!("{}://{host}", self.scheme)
    }
}
