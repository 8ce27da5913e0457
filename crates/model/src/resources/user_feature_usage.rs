//! `azureADUserFeatureUsage`: which premium features one user used, and the license that
//! covers them (Graph beta, 2019–2022; SPEC §12.1).

use tally_odata::schema::{ComplexType, EntityType, Property, Type};

use super::{
    FunctionDef, FunctionKind, Noun, ResourceDef, Storage, Writes, LICENSE_TYPE, REPORTS,
    REPORT_ROOT,
};

static DETAIL_PROPERTIES: [Property; 5] = [
    Property::new("featureName", Type::String, ""),
    Property::new("licenseRequired", Type::Enum(&LICENSE_TYPE), ""),
    Property::new("licenseAssigned", Type::Enum(&LICENSE_TYPE), ""),
    Property::new("lastUsedDateTime", Type::DateTimeOffset, ""),
    Property::new("lastConfiguredDateTime", Type::DateTimeOffset, ""),
];

static DETAIL: ComplexType = ComplexType {
    name: "microsoft.graph.featureUsageDetail",
    properties: &DETAIL_PROPERTIES,
    unique: None,
};

static PROPERTIES: [Property; 8] = [
    Property::KEY,
    Property {
        sortable: true,
        ..Property::required("lastUpdatedDateTime", Type::DateTimeOffset, "last_updated")
    },
    Property {
        sortable: true,
        ..Property::required("userId", Type::String, "user_id")
    },
    Property::new("userDisplayName", Type::String, "user_display_name"),
    Property::new("userPrincipalName", Type::String, "user_principal_name"),
    Property::new(
        "licenseRecommended",
        Type::Enum(&LICENSE_TYPE),
        "license_recommended",
    ),
    Property::new(
        "licenseAssigned",
        Type::Enum(&LICENSE_TYPE),
        "license_assigned",
    ),
    Property {
        nullable: false,
        ..Property::new("featureUsageDetails", Type::Collection(&DETAIL), "details")
    },
];

static ENTITY: EntityType = EntityType {
    name: "microsoft.graph.azureADUserFeatureUsage",
    properties: &PROPERTIES,
};

pub static USER_FEATURE_USAGE: ResourceDef = ResourceDef {
    entity: &ENTITY,
    collection: "azureADUserFeatureUsage",
    singleton: &REPORT_ROOT,
    alternate_key: None,
    function: Some(FunctionDef {
        name: "getAzureADUserFeatureUsage",
        kind: FunctionKind::LatestPer(&PROPERTIES[2]),
    }),
    time: &PROPERTIES[1],
    storage: Storage {
        table: "user_feature_usage",
        enum_set: None,
        indexed: &[&PROPERTIES[2]],
        unique: &[],
    },
    permissions: &REPORTS,
    noun: Noun {
        one: "record",
        many: "records",
    },
    rule: None,
    writes: Writes::PostPatchDelete,
    beta_only: false,
};
