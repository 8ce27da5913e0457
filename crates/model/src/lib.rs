//! tally's data model: the resources' descriptions ([`resources`]), objects as validated
//! values ([`value`]), how request bodies become them (with errors that name the property
//! path), how a PATCH merges, what a version and an ETag are, how collections are stored, the
//! wire JSON, and the CSDL document that describes all of it.

pub mod catalog;
pub mod csdl;
pub mod directory;
pub mod etag;
pub mod money;
pub mod openapi;
pub mod permissions;
pub mod record;
pub mod resources;
pub mod stored_items;
pub mod strict_json;
pub mod validate;
pub mod value;
pub mod wire;

pub use etag::{EntityTag, Precondition, TagList};
pub use resources::ResourceDef;
pub use validate::{
    parse_create, parse_import, parse_patch, parse_put, parse_reported, ValidationError,
};
pub use value::{Collection, Entity, Item, NewEntity, Patch, Value, Versioned};
pub use wire::{push_json_str, EntityJson};
