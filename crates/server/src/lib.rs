//! tally's HTTP service: the Microsoft Graph wire protocol (OData v4 JSON, Graph error bodies,
//! bearer tokens) over the store. [`serve::Server`] binds and runs it; [`app::app`] builds the
//! router for in-process use.

pub mod app;
pub mod auth;
pub mod dashboard;
pub mod error;
pub mod http;
pub mod metrics;
pub mod openapi;
pub mod paging;
pub mod query_options;
pub mod resource;
pub mod routes;
pub mod serve;
pub mod signin;
pub mod state;
pub mod throttle;
pub mod tls;

pub use serve::{ServeConfig, Server};
