//! `azureADFeatureUsage`: how much a tenant used one premium feature at a time (Graph beta,
//! 2019–2022; SPEC §12.1).

use tally_odata::schema::{EntityType, Property, Type};

use super::{
    FunctionDef, FunctionKind, ResourceDef, Storage, Writes, REPORTS, REPORT_ROOT, SNAPSHOTS,
};

static PROPERTIES: [Property; 4] = [
    Property::KEY,
    Property {
        sortable: true,
        ..Property::required("snapshotDateTime", Type::DateTimeOffset, "snapshot")
    },
    Property {
        sortable: true,
        ..Property::required("featureName", Type::String, "feature_name")
    },
    Property {
        minimum: Some(0),
        ..Property::new("usage", Type::Int32, "usage")
    },
];

static ENTITY: EntityType = EntityType {
    name: "microsoft.graph.azureADFeatureUsage",
    properties: &PROPERTIES,
};

pub static FEATURE_USAGE: ResourceDef = ResourceDef {
    entity: &ENTITY,
    collection: "azureADFeatureUsage",
    singleton: &REPORT_ROOT,
    alternate_key: None,
    function: Some(FunctionDef {
        name: "getAzureADFeatureUsage",
        kind: FunctionKind::Window,
    }),
    time: &PROPERTIES[1],
    storage: Storage {
        table: "feature_usage",
        enum_set: None,
        indexed: &[],
        unique: &[],
    },
    permissions: &REPORTS,
    noun: SNAPSHOTS,
    rule: None,
    writes: Writes::PostPatchDelete,
    beta_only: false,
};
