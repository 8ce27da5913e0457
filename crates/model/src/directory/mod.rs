//! The directory's license data (SPEC §12.2): the SKUs a tenant bought, its users and the
//! licenses they hold. Unlike the reports, these objects are bound to each other (a SKU's
//! `consumedUnits` counts its holders; a userPrincipalName is unique in the tenant), so their
//! writes are rules in code ([`assign`], [`body`]) rather than a generic description; their
//! types are still described once ([`types`]) for `$filter`, `$select` and `$metadata`.

pub mod assign;
pub mod body;
pub mod costs;
pub mod derive;
pub mod insight;
pub mod objects;
pub mod reclaim;
pub mod subscriptions;
pub mod types;
pub mod wire;

use crate::resources::{Permissions, GLOBAL_ADMINISTRATOR};

pub use objects::{
    upn_key, AssignedLicense, AssignedPlan, PrepaidUnits, Profile, ServicePlan, SignInActivity,
    Sku, User, UserKey,
};

/// User Administrator.
pub const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
/// License Administrator.
pub const LICENSE_ADMINISTRATOR: &str = "4d6ac14f-3453-41d0-bef9-a3e0c569773a";

/// `/users`. A delegated read needs no directory role (any member may read the directory).
pub static USERS: Permissions = Permissions {
    read: &[
        "User.Read.All",
        "User.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    ],
    read_roles: &[],
    write: &["User.ReadWrite.All", "Directory.ReadWrite.All"],
    write_roles: &[GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR],
    read_denied: "Insufficient privileges to complete the operation: reading users needs User.Read.All, User.ReadWrite.All, Directory.Read.All or Directory.ReadWrite.All.",
    write_denied: "Insufficient privileges to complete the operation: writing users needs User.ReadWrite.All or Directory.ReadWrite.All (and, for a user, the Global Administrator or User Administrator role).",
};

/// `/subscribedSkus` and `/directory/subscriptions`, which Graph guards alike (writes are
/// tally's, to set an emulated tenant up).
pub static SKUS: Permissions = Permissions {
    read: &[
        "LicenseAssignment.Read.All",
        "LicenseAssignment.ReadWrite.All",
        "Organization.Read.All",
        "Organization.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    ],
    read_roles: &[],
    write: &["Organization.ReadWrite.All", "Directory.ReadWrite.All"],
    write_roles: &[GLOBAL_ADMINISTRATOR],
    read_denied: "Insufficient privileges to complete the operation: reading subscribedSkus or subscriptions needs LicenseAssignment.Read.All, Organization.Read.All or Directory.Read.All (or a ReadWrite of those).",
    write_denied: "Insufficient privileges to complete the operation: writing subscribedSkus or subscriptions needs Organization.ReadWrite.All or Directory.ReadWrite.All (and, for a user, the Global Administrator role).",
};

/// `assignLicense`.
pub static ASSIGN_LICENSE: Permissions = Permissions {
    read: &[],
    read_roles: &[],
    write: &[
        "LicenseAssignment.ReadWrite.All",
        "User.ReadWrite.All",
        "Directory.ReadWrite.All",
    ],
    write_roles: &[GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR, LICENSE_ADMINISTRATOR],
    read_denied: "",
    write_denied: "Insufficient privileges to complete the operation: assignLicense needs LicenseAssignment.ReadWrite.All, User.ReadWrite.All or Directory.ReadWrite.All (and, for a user, the Global Administrator, User Administrator or License Administrator role).",
};

/// Reading `signInActivity`, besides the user permission.
pub static AUDIT_LOG: Permissions = Permissions {
    read: &["AuditLog.Read.All"],
    read_roles: &[],
    write: &[],
    write_roles: &[],
    read_denied: "Insufficient privileges to complete the operation: signInActivity needs AuditLog.Read.All besides a user permission.",
    write_denied: "",
};
