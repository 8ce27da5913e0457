//! `licensePrice` at `/beta/reports/licensePrices` (tally's, SPEC §13.3): what one unit of a
//! SKU costs the tenant, keyed by the SKU's `skuId` and written whole with PUT, so that a price
//! may precede the SKU it prices (set before the first `tally collect`).

use tally_odata::schema::{Default, EntityType, EnumType, Format, Property, Type};

use super::{Noun, ResourceDef, Storage, Writes, REPORT_ROOT};
use crate::directory::SKUS;

/// How often a price is charged.
pub static BILLING_PERIOD: EnumType = EnumType {
    name: "microsoft.graph.licensePriceBillingPeriod",
    members: &["month", "year"],
};

static PROPERTIES: [Property; 5] = [
    Property {
        name: "skuId",
        ty: Type::Guid,
        ..Property::KEY
    },
    Property {
        minimum: Some(0),
        ..Property::required("unitPrice", Type::Decimal, "unit_price")
    },
    Property {
        sortable: true,
        format: Some(Format::CurrencyCode),
        ..Property::required("currency", Type::String, "currency")
    },
    Property {
        nullable: false,
        sortable: true,
        default: Some(Default::Member("month")),
        ..Property::new(
            "billingPeriod",
            Type::Enum(&BILLING_PERIOD),
            "billing_period",
        )
    },
    Property {
        nullable: false,
        read_only: true,
        sortable: true,
        default: Some(Default::Now),
        ..Property::new("lastModifiedDateTime", Type::DateTimeOffset, "modified")
    },
];

static ENTITY: EntityType = EntityType {
    name: "microsoft.graph.licensePrice",
    properties: &PROPERTIES,
};

/// The properties the cost report reads, by position.
pub mod property {
    use tally_odata::schema::Property;

    pub fn unit_price() -> &'static Property {
        &super::PROPERTIES[1]
    }
    pub fn currency() -> &'static Property {
        &super::PROPERTIES[2]
    }
    pub fn billing_period() -> &'static Property {
        &super::PROPERTIES[3]
    }
}

pub static LICENSE_PRICE: ResourceDef = ResourceDef {
    entity: &ENTITY,
    singleton: &REPORT_ROOT,
    collection: "licensePrices",
    function: None,
    alternate_key: None,
    time: &PROPERTIES[4],
    storage: Storage {
        table: "license_prices",
        enum_set: None,
        indexed: &[],
        unique: &[],
    },
    permissions: &SKUS,
    noun: Noun {
        one: "price",
        many: "prices",
    },
    rule: None,
    writes: Writes::PutDelete,
    beta_only: true,
};
