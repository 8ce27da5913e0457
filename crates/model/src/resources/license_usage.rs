//! `azureADLicenseUsage`: license usage snapshots (the seed's resource, SPEC §2).

use tally_odata::schema::{ComplexType, EntityType, Property, Type};

use super::{
    EnumSet, FunctionDef, FunctionKind, ResourceDef, Storage, Writes, LICENSE_TYPE, REPORTS,
    REPORT_ROOT, SNAPSHOTS,
};

static DETAIL_PROPERTIES: [Property; 4] = [
    // Graph's CSDL leaves it nullable: tally needs it to tell the details apart.
    Property::required("licenseType", Type::Enum(&LICENSE_TYPE), ""),
    count("totalLicenseCount"),
    count("totalAssignedCount"),
    count("totalUsageCount"),
];

static DETAIL: ComplexType = ComplexType {
    name: "microsoft.graph.licenseInfoDetail",
    properties: &DETAIL_PROPERTIES,
    unique: Some("licenseType"),
};

const fn count(name: &'static str) -> Property {
    Property {
        minimum: Some(0),
        ..Property::new(name, Type::Int32, "")
    }
}

static PROPERTIES: [Property; 3] = [
    Property::KEY,
    Property {
        sortable: true,
        ..Property::required("snapshotDateTime", Type::DateTimeOffset, "snapshot")
    },
    Property {
        nullable: false,
        ..Property::new("licenseInfoDetails", Type::Collection(&DETAIL), "details")
    },
];

static ENTITY: EntityType = EntityType {
    name: "microsoft.graph.azureADLicenseUsage",
    properties: &PROPERTIES,
};

pub static LICENSE_USAGE: ResourceDef = ResourceDef {
    entity: &ENTITY,
    collection: "azureADLicenseUsage",
    singleton: &REPORT_ROOT,
    alternate_key: None,
    function: Some(FunctionDef {
        name: "getAzureADLicenseUsage",
        kind: FunctionKind::Window,
    }),
    time: &PROPERTIES[1],
    storage: Storage {
        table: "license_usage",
        enum_set: Some(EnumSet {
            collection: &PROPERTIES[2],
            member: &DETAIL_PROPERTIES[0],
            column: "license_types",
        }),
        indexed: &[],
        unique: &[],
    },
    permissions: &REPORTS,
    noun: SNAPSHOTS,
    rule: None,
    writes: Writes::PostPatchDelete,
    beta_only: false,
};
