//! `licenseAlertRule` at `/beta/reports/licenseAlertRules` (tally's, SPEC §13.4): what a tenant
//! wants to be told about its licenses. A rule's `kind` says what it watches; `skuId` narrows
//! `lowFreeUnits` and `overAssigned` to one SKU (none: every SKU), `threshold` and `days` tune it.
//! Where a kind's tuning is left null it means that kind's default: `lowFreeUnits` 0 free units,
//! `inactiveLicensed` 1 user, `renewalDue` 30 days.

use tally_odata::schema::{Default, EntityType, EnumType, Property, Type};

use super::{Noun, ResourceDef, Storage, Writes, REPORTS, REPORT_ROOT};

/// What a rule watches.
pub static ALERT_KIND: EnumType = EnumType {
    name: "microsoft.graph.licenseAlertKind",
    members: &[
        "lowFreeUnits",
        "overAssigned",
        "premiumOverUse",
        "renewalDue",
        "groupLicenseErrors",
        "inactiveLicensed",
    ],
};

static PROPERTIES: [Property; 6] = [
    Property::KEY,
    Property {
        immutable: true,
        sortable: true,
        ..Property::required("kind", Type::Enum(&ALERT_KIND), "kind")
    },
    Property::new("skuId", Type::Guid, "sku_id"),
    Property {
        minimum: Some(0),
        ..Property::new("threshold", Type::Int32, "threshold")
    },
    Property {
        minimum: Some(0),
        ..Property::new("days", Type::Int32, "days")
    },
    Property {
        nullable: false,
        read_only: true,
        sortable: true,
        default: Some(Default::Now),
        ..Property::new("createdDateTime", Type::DateTimeOffset, "created")
    },
];

static ENTITY: EntityType = EntityType {
    name: "microsoft.graph.licenseAlertRule",
    properties: &PROPERTIES,
};

pub static LICENSE_ALERT_RULE: ResourceDef = ResourceDef {
    entity: &ENTITY,
    singleton: &REPORT_ROOT,
    collection: "licenseAlertRules",
    function: None,
    alternate_key: None,
    time: &PROPERTIES[5],
    storage: Storage {
        table: "license_alert_rules",
        enum_set: None,
        indexed: &[],
        unique: &[],
    },
    permissions: &REPORTS,
    noun: Noun {
        one: "alert rule",
        many: "alert rules",
    },
    rule: None,
    writes: Writes::PostPatchDelete,
    beta_only: true,
};
