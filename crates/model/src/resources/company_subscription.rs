//! `companySubscription` at `/directory/subscriptions` (SPEC §13.2): a commercial
//! subscription of the tenant, for one of its SKUs, whose licenses make up that SKU's units.

use tally_odata::schema::{Default, EntityType, Property, Type};

use super::{Noun, ResourceDef, Storage, StoreRule, Writes, DIRECTORY};
use crate::directory::types::SERVICE_PLAN_INFO;
use crate::directory::SKUS;

static PROPERTIES: [Property; 13] = [
    Property::KEY,
    Property {
        nullable: false,
        immutable: true,
        default: Some(Default::NewGuid),
        sortable: true,
        ..Property::new(
            "commerceSubscriptionId",
            Type::String,
            "commerce_subscription_id",
        )
    },
    Property {
        nullable: false,
        sortable: true,
        default: Some(Default::Now),
        ..Property::new("createdDateTime", Type::DateTimeOffset, "created")
    },
    Property {
        nullable: false,
        default: Some(Default::Boolean(false)),
        ..Property::new("isTrial", Type::Boolean, "is_trial")
    },
    Property::new(
        "nextLifecycleDateTime",
        Type::DateTimeOffset,
        "next_lifecycle",
    ),
    Property::new("ownerId", Type::String, "owner_id"),
    Property::new("ownerTenantId", Type::String, "owner_tenant_id"),
    Property::new("ownerType", Type::String, "owner_type"),
    Property {
        nullable: false,
        read_only: true,
        ..Property::new(
            "serviceStatus",
            Type::Collection(&SERVICE_PLAN_INFO),
            "service_status",
        )
    },
    Property {
        immutable: true,
        sortable: true,
        ..Property::required("skuId", Type::String, "sku_id")
    },
    Property {
        read_only: true,
        ..Property::new("skuPartNumber", Type::String, "sku_part_number")
    },
    Property {
        sortable: true,
        ..Property::required("status", Type::String, "status")
    },
    Property {
        minimum: Some(0),
        sortable: true,
        ..Property::required("totalLicenses", Type::Int32, "total_licenses")
    },
];

static ENTITY: EntityType = EntityType {
    name: "microsoft.graph.companySubscription",
    properties: &PROPERTIES,
};

/// The properties the subscription rule reads and sets, by position.
pub mod property {
    use tally_odata::schema::Property;

    pub fn commerce_subscription_id() -> &'static Property {
        &super::PROPERTIES[1]
    }
    pub fn service_status() -> &'static Property {
        &super::PROPERTIES[8]
    }
    pub fn sku_id() -> &'static Property {
        &super::PROPERTIES[9]
    }
    pub fn sku_part_number() -> &'static Property {
        &super::PROPERTIES[10]
    }
    pub fn status() -> &'static Property {
        &super::PROPERTIES[11]
    }
    pub fn total_licenses() -> &'static Property {
        &super::PROPERTIES[12]
    }
}

pub static COMPANY_SUBSCRIPTION: ResourceDef = ResourceDef {
    entity: &ENTITY,
    singleton: &DIRECTORY,
    collection: "subscriptions",
    function: None,
    alternate_key: Some(&PROPERTIES[1]),
    time: &PROPERTIES[2],
    storage: Storage {
        table: "directory_subscriptions",
        enum_set: None,
        indexed: &[&PROPERTIES[9]],
        unique: &[&PROPERTIES[1]],
    },
    permissions: &SKUS,
    noun: Noun {
        one: "subscription",
        many: "subscriptions",
    },
    rule: Some(StoreRule::SkuUnitsFromSubscriptions),
    writes: Writes::PostPatchDelete,
    beta_only: false,
};
