//! HTTP plumbing shared by every route: the response envelope (request ids, error bodies, OData
//! headers), each path's body rule and its buffering, and JSON responses.

pub mod admission;
pub mod body;
pub mod body_rule;
pub mod discard;
pub mod envelope;
pub mod gate;
pub mod listener;
pub mod odata_response;
