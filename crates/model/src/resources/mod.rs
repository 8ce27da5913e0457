//! tally's resources, each described once: its entity type (properties, types, nullability,
//! rules, columns), where it lives under `/reports`, its function, how it is stored and
//! indexed, and who may read and write it. Routing, query binding, validation, both stores,
//! `$metadata`, the OpenAPI document, the wire writer and `$batch` read these descriptions.
//!
//! Adding a resource is a module here with its `static` [`ResourceDef`], and a line in [`ALL`].

mod company_subscription;
mod feature_usage;
mod license_alert_rule;
mod license_price;
mod license_usage;
mod user_feature_usage;

use tally_odata::schema::{EntityType, EnumType, Property};

pub use company_subscription::{property as subscription_property, COMPANY_SUBSCRIPTION};
pub use feature_usage::FEATURE_USAGE;
pub use license_alert_rule::{ALERT_KIND, LICENSE_ALERT_RULE};
pub use license_price::{property as price_property, BILLING_PERIOD, LICENSE_PRICE};
pub use license_usage::LICENSE_USAGE;
pub use user_feature_usage::USER_FEATURE_USAGE;

/// Every resource tally serves, in the order `$metadata` and the OpenAPI document list them.
pub static ALL: &[&ResourceDef] = &[
    &LICENSE_USAGE,
    &FEATURE_USAGE,
    &USER_FEATURE_USAGE,
    &COMPANY_SUBSCRIPTION,
    &LICENSE_PRICE,
    &LICENSE_ALERT_RULE,
];

/// `microsoft.graph.azureADLicenseType`, shared by the license reports.
pub static LICENSE_TYPE: EnumType = EnumType {
    name: "microsoft.graph.azureADLicenseType",
    members: &[
        "none",
        "free",
        "basic",
        "premiumP1",
        "premiumP2",
        "unknownFutureValue",
    ],
};

/// One resource: a collection contained in a singleton (`/reports/azureADLicenseUsage`,
/// `/directory/subscriptions`), its function if it has one, its keys, its storage and
/// permissions.
#[derive(Debug)]
pub struct ResourceDef {
    pub entity: &'static EntityType,
    /// The singleton whose containment navigation property holds the collection.
    pub singleton: &'static Singleton,
    /// The segment under the singleton, e.g. `azureADLicenseUsage` (also the name of the
    /// singleton type's navigation property).
    pub collection: &'static str,
    /// The bound function of the singleton that reads the collection, e.g.
    /// `getAzureADLicenseUsage`.
    pub function: Option<FunctionDef>,
    /// A property that finds one object as well as `id` does:
    /// `subscriptions(commerceSubscriptionId='…')` (unique in a tenant).
    pub alternate_key: Option<&'static Property>,
    /// The DateTimeOffset property the collection is ordered by when no `$orderby` says
    /// otherwise (ties by id), and that a report window reads.
    pub time: &'static Property,
    pub storage: Storage,
    pub permissions: &'static Permissions,
    /// What the documents call one object, and several (`snapshot`, `snapshots`).
    pub noun: Noun,
    /// A rule that reaches beyond the object, kept by the stores in each write's transaction.
    pub rule: Option<StoreRule>,
    /// How clients write its objects.
    pub writes: Writes,
    /// Served under `/beta` only (tally's own resources, SPEC §13).
    pub beta_only: bool,
}

/// How clients write a resource's objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Writes {
    /// POST to the collection creates (the server assigns the key); PATCH and DELETE change
    /// and remove one object.
    PostPatchDelete,
    /// PUT to an object's URL creates or replaces it (the key is the client's, e.g. a price's
    /// `skuId`); DELETE removes it.
    PutDelete,
}

/// A rule of a resource that other data depends on, which the stores keep in the transaction of
/// each of its writes (rules within one object are the description's own: types, required,
/// read-only, unique).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreRule {
    /// SPEC §13.2: a subscription belongs to a SKU of the tenant, and a SKU with subscriptions
    /// takes its units from them ([`crate::directory::subscriptions`]).
    SkuUnitsFromSubscriptions,
}

/// A resource's objects in words.
#[derive(Clone, Copy, Debug)]
pub struct Noun {
    pub one: &'static str,
    pub many: &'static str,
}

impl Noun {
    /// `a snapshot`, `an object`.
    pub fn a(self) -> String {
        let article = match self.one.as_bytes().first() {
            Some(b'a' | b'e' | b'i' | b'o' | b'u') => "an",
            _ => "a",
        };
        format!("{article} {}", self.one)
    }
}

/// A singleton of the service, whose type contains collections: `reports` (`reportRoot`),
/// `directory`.
#[derive(Debug, PartialEq, Eq)]
pub struct Singleton {
    pub name: &'static str,
    /// Its type's qualified name.
    pub type_name: &'static str,
}

impl Singleton {
    /// The type's name without the namespace.
    pub fn short_type_name(&self) -> &'static str {
        self.type_name.rsplit('.').next().unwrap_or(self.type_name)
    }
}

pub static REPORT_ROOT: Singleton = Singleton {
    name: "reports",
    type_name: "microsoft.graph.reportRoot",
};

pub static DIRECTORY: Singleton = Singleton {
    name: "directory",
    type_name: "microsoft.graph.directory",
};

/// The noun of snapshots, which most reports hold.
pub const SNAPSHOTS: Noun = Noun {
    one: "snapshot",
    many: "snapshots",
};

/// A resource is itself: two descriptions are the same resource only if they are one static.
impl PartialEq for ResourceDef {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for ResourceDef {}

impl ResourceDef {
    /// The collection's path under the service root, `reports/azureADLicenseUsage`.
    pub fn path(&self) -> String {
        format!("{}/{}", self.singleton.name, self.collection)
    }

    /// The resource whose collection segment is `name` in any singleton (case-insensitive), for
    /// the command line.
    pub fn by_name(name: &str) -> Option<&'static ResourceDef> {
        ALL.iter()
            .copied()
            .find(|def| def.collection.eq_ignore_ascii_case(name))
    }

    /// Whether `name` is a singleton some resource lives in (case-insensitive).
    pub fn is_singleton(name: &str) -> bool {
        ALL.iter()
            .any(|def| def.singleton.name.eq_ignore_ascii_case(name))
    }

    /// The resource of `singleton` whose collection segment is `name` (case-insensitive, as
    /// Graph's are).
    pub fn by_collection(singleton: &str, name: &str) -> Option<&'static ResourceDef> {
        ALL.iter().copied().find(|def| {
            def.singleton.name.eq_ignore_ascii_case(singleton)
                && def.collection.eq_ignore_ascii_case(name)
        })
    }

    /// The resource of `singleton` whose function is `name`, plain or
    /// `microsoft.graph.`-qualified (case-insensitive).
    pub fn by_function(singleton: &str, name: &str) -> Option<&'static ResourceDef> {
        const QUALIFIER: &str = "microsoft.graph.";
        let plain = match name.get(..QUALIFIER.len()) {
            Some(prefix) if prefix.eq_ignore_ascii_case(QUALIFIER) => &name[QUALIFIER.len()..],
            _ => name,
        };
        ALL.iter().copied().find(|def| {
            def.singleton.name.eq_ignore_ascii_case(singleton)
                && def
                    .function
                    .as_ref()
                    .is_some_and(|function| function.name.eq_ignore_ascii_case(plain))
        })
    }
}

/// A bound function of `reportRoot` that returns the collection, composable with the query
/// options.
#[derive(Debug)]
pub struct FunctionDef {
    pub name: &'static str,
    pub kind: FunctionKind,
}

#[derive(Debug)]
pub enum FunctionKind {
    /// `f(period='D7'|'D30'|'D90'|'D180')`: the objects whose time lies at or after the
    /// request's arrival minus that many days.
    Window,
    /// `f()`: per value of the property, the object with the latest time (ties: the greatest
    /// id).
    LatestPer(&'static Property),
}

/// How the stores keep a resource: its table, and what is indexed beyond the columns.
#[derive(Debug)]
pub struct Storage {
    pub table: &'static str,
    /// A column of bits, one per member of an enum, that says which members the items of a
    /// collection hold; `any(d: d/member eq X)` reads it instead of each row's JSON.
    pub enum_set: Option<EnumSet>,
    /// Columns besides the tenant's and the time's that reads look up by (their own index).
    pub indexed: &'static [&'static Property],
    /// Columns no two objects of a tenant share (a unique index; a write that would repeat
    /// one is a 400).
    pub unique: &'static [&'static Property],
}

#[derive(Debug)]
pub struct EnumSet {
    pub collection: &'static Property,
    pub member: &'static Property,
    pub column: &'static str,
}

/// Who may read and write a resource: any one of the permissions (delegated scopes in `scp`,
/// application roles in `roles`), and for a delegated caller also one of the directory roles
/// (`wids`).
#[derive(Debug)]
pub struct Permissions {
    pub read: &'static [&'static str],
    pub read_roles: &'static [&'static str],
    pub write: &'static [&'static str],
    pub write_roles: &'static [&'static str],
    /// The 403 messages.
    pub read_denied: &'static str,
    pub write_denied: &'static str,
}

pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
pub const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
pub const REPORTS_READER: &str = "4a5d8f65-41da-4de4-8968-e035b65339cf";

/// The reports' permissions (SPEC §9).
pub static REPORTS: Permissions = Permissions {
    read: &["Reports.Read.All", "Reports.ReadWrite.All"],
    read_roles: &[GLOBAL_ADMINISTRATOR, GLOBAL_READER, REPORTS_READER],
    write: &["Reports.ReadWrite.All"],
    write_roles: &[GLOBAL_ADMINISTRATOR],
    read_denied: "Insufficient privileges to complete the operation: reading needs Reports.Read.All or Reports.ReadWrite.All (and, for a user, a Global Administrator, Global Reader or Reports Reader role).",
    write_denied: "Insufficient privileges to complete the operation: writing needs Reports.ReadWrite.All (and, for a user, the Global Administrator role).",
};
