//! The directory's types as Graph's v1.0 CSDL describes them (`subscribedSku`, `user`,
//! `licenseDetails` and their complex types), in the schema's terms, so that `$filter`,
//! `$orderby` and `$select` bind against them and `$metadata` lists them. A property's `column`
//! is where the directory's tables keep it (`-` for what no column holds: derived or JSON).

use tally_odata::schema::{ComplexType, EntityType, Property, Type};

const NONE: &str = "-";

const fn string(name: &'static str, column: &'static str) -> Property {
    Property::new(name, Type::String, column)
}

const fn guid(name: &'static str) -> Property {
    Property::new(name, Type::Guid, NONE)
}

const fn date(name: &'static str, column: &'static str) -> Property {
    Property::new(name, Type::DateTimeOffset, column)
}

const fn sortable(property: Property) -> Property {
    Property {
        sortable: true,
        ..property
    }
}

static GUIDS: Type = Type::Guid;
static STRINGS: Type = Type::String;

/// `microsoft.graph.servicePlanInfo`.
pub static SERVICE_PLAN_INFO: ComplexType = ComplexType {
    name: "microsoft.graph.servicePlanInfo",
    properties: &[
        string("appliesTo", NONE),
        string("provisioningStatus", NONE),
        guid("servicePlanId"),
        string("servicePlanName", NONE),
    ],
    unique: Some("servicePlanId"),
};

/// `microsoft.graph.licenseUnitsDetail`.
pub static LICENSE_UNITS_DETAIL: ComplexType = ComplexType {
    name: "microsoft.graph.licenseUnitsDetail",
    properties: &[
        Property::new("enabled", Type::Int32, NONE),
        Property::new("lockedOut", Type::Int32, NONE),
        Property::new("suspended", Type::Int32, NONE),
        Property::new("warning", Type::Int32, NONE),
    ],
    unique: None,
};

/// `microsoft.graph.subscribedSku`.
pub static SUBSCRIBED_SKU: EntityType = EntityType {
    name: "microsoft.graph.subscribedSku",
    properties: &[
        Property {
            nullable: false,
            ..string("id", "id")
        },
        string("accountId", NONE),
        string("accountName", NONE),
        string("appliesTo", NONE),
        string("capabilityStatus", NONE),
        Property::new("consumedUnits", Type::Int32, NONE),
        Property::new("prepaidUnits", Type::Complex(&LICENSE_UNITS_DETAIL), NONE),
        Property::new("servicePlans", Type::Collection(&SERVICE_PLAN_INFO), NONE),
        guid("skuId"),
        string("skuPartNumber", NONE),
        Property::new("subscriptionIds", Type::Primitives(&STRINGS), NONE),
    ],
};

/// `microsoft.graph.assignedLicense`.
pub static ASSIGNED_LICENSE: ComplexType = ComplexType {
    name: "microsoft.graph.assignedLicense",
    properties: &[
        Property::new("disabledPlans", Type::Primitives(&GUIDS), NONE),
        guid("skuId"),
    ],
    unique: Some("skuId"),
};

/// `microsoft.graph.assignedPlan`.
pub static ASSIGNED_PLAN: ComplexType = ComplexType {
    name: "microsoft.graph.assignedPlan",
    properties: &[
        date("assignedDateTime", NONE),
        string("capabilityStatus", NONE),
        string("service", NONE),
        guid("servicePlanId"),
    ],
    unique: None,
};

/// `microsoft.graph.licenseAssignmentState`.
pub static LICENSE_ASSIGNMENT_STATE: ComplexType = ComplexType {
    name: "microsoft.graph.licenseAssignmentState",
    properties: &[
        string("assignedByGroup", NONE),
        Property::new("disabledPlans", Type::Primitives(&GUIDS), NONE),
        string("error", NONE),
        date("lastUpdatedDateTime", NONE),
        guid("skuId"),
        string("state", NONE),
    ],
    unique: None,
};

/// `microsoft.graph.signInActivity`; `$filter` reaches its dates through their own columns.
pub static SIGN_IN_ACTIVITY: ComplexType = ComplexType {
    name: "microsoft.graph.signInActivity",
    properties: &[
        date(
            "lastNonInteractiveSignInDateTime",
            "sign_in_non_interactive",
        ),
        string("lastNonInteractiveSignInRequestId", NONE),
        date("lastSignInDateTime", "sign_in_last"),
        string("lastSignInRequestId", NONE),
        date("lastSuccessfulSignInDateTime", "sign_in_successful"),
        string("lastSuccessfulSignInRequestId", NONE),
    ],
    unique: None,
};

/// `microsoft.graph.user`: the properties tally keeps (Graph's user has many more; a
/// `$select` of one tally does not keep is a 400).
pub static USER: EntityType = EntityType {
    name: "microsoft.graph.user",
    properties: &[
        Property {
            nullable: false,
            ..sortable(string("id", "id"))
        },
        Property::new("accountEnabled", Type::Boolean, "account_enabled"),
        Property::new(
            "assignedLicenses",
            Type::Collection(&ASSIGNED_LICENSE),
            "assigned_licenses",
        ),
        Property::new("assignedPlans", Type::Collection(&ASSIGNED_PLAN), NONE),
        Property::new("businessPhones", Type::Primitives(&STRINGS), NONE),
        sortable(string("displayName", "display_name")),
        string("givenName", "given_name"),
        string("jobTitle", "job_title"),
        Property::new(
            "licenseAssignmentStates",
            Type::Collection(&LICENSE_ASSIGNMENT_STATE),
            NONE,
        ),
        string("mail", "mail"),
        string("mailNickname", "mail_nickname"),
        string("mobilePhone", NONE),
        string("officeLocation", NONE),
        string("preferredLanguage", NONE),
        Property::new("signInActivity", Type::Complex(&SIGN_IN_ACTIVITY), NONE),
        string("surname", "surname"),
        string("usageLocation", "usage_location"),
        sortable(string("userPrincipalName", "user_principal_name")),
        string("userType", "user_type"),
    ],
};

/// `microsoft.graph.licenseDetails`: derived from a user's assignments and the SKUs.
pub static LICENSE_DETAILS: EntityType = EntityType {
    name: "microsoft.graph.licenseDetails",
    properties: &[
        Property {
            nullable: false,
            ..string("id", "id")
        },
        Property::new("servicePlans", Type::Collection(&SERVICE_PLAN_INFO), NONE),
        guid("skuId"),
        string("skuPartNumber", NONE),
    ],
};

/// The properties `$filter` may name on users (SPEC §12.2), which are the ones with a column.
pub fn filterable(property: &Property) -> bool {
    property.column != NONE
}
