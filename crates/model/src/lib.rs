//! tally's data model: the `azureADLicenseUsage` entity and its `licenseInfoDetail` items, how
//! request bodies become validated values (with errors that name the property path), how a PATCH
//! merges, what a version and an ETag are, and the CSDL document that describes all of it.

pub mod csdl;
pub mod etag;
pub mod json;
pub mod license;
pub mod validate;
pub mod wire;

pub use etag::{EntityTag, Precondition, TagList};
pub use license::{
    LicenseInfoDetail, LicenseType, LicenseUsage, LicenseUsagePatch, NewLicenseUsage,
};
pub use validate::{parse_create, parse_import, parse_patch, ValidationError};
pub use wire::{push_json_str, DetailsJson, EntityJson, Selection};
