//! HTTP plumbing shared by every route: the response envelope (request ids, error bodies, OData
//! headers), body buffering with its size limit, and JSON responses.

pub mod admission;
pub mod body;
pub mod envelope;
pub mod gate;
pub mod json;
pub mod listener;
