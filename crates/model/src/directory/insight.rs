//! `azureADPremiumLicenseInsight` (Graph beta; SPEC §12.3): a tenant's P1 and P2 entitlements
//! beside how many users used each premium feature in the last 30 × 24 h, counted from the
//! latest `azureADUserFeatureUsage` record of each user. [`Usage`] holds what the counts need,
//! sorted so that a count at any moment is two binary searches: it is built once per change of
//! the inputs and read many times.

use serde::Deserialize;
use serde_json::{json, Map, Value as Json};
use tally_odata::edm::DateTimeOffset;
use tally_odata::query::Selection;
use tally_odata::schema::{ComplexType, EntityType, Property, Type};
use uuid::Uuid;

use super::derive::{Tier, ACTIVE_WINDOW};
use super::objects::Sku;
use crate::resources::{Permissions, GLOBAL_ADMINISTRATOR, GLOBAL_READER, REPORTS_READER};

const NONE: &str = "-";

static FEATURE_UTILIZATION: ComplexType = ComplexType {
    name: "microsoft.graph.azureADPremiumFeatureUtilization",
    properties: &[Property::new("userCount", Type::Int64, NONE)],
    unique: None,
};

const fn utilization(name: &'static str) -> Property {
    Property::new(name, Type::Complex(&FEATURE_UTILIZATION), NONE)
}

static P1_UTILIZATIONS: ComplexType = ComplexType {
    name: "microsoft.graph.azureADPremiumP1FeatureUtilizations",
    properties: &[
        utilization("conditionalAccess"),
        utilization("conditionalAccessGuestUsers"),
    ],
    unique: None,
};

static P2_UTILIZATIONS: ComplexType = ComplexType {
    name: "microsoft.graph.azureADPremiumP2FeatureUtilizations",
    properties: &[
        utilization("riskBasedConditionalAccess"),
        utilization("riskBasedConditionalAccessGuestUsers"),
    ],
    unique: None,
};

static INTERNET_UTILIZATIONS: ComplexType = ComplexType {
    name: "microsoft.graph.internetAccessFeatureUtilizations",
    properties: &[
        utilization("internetAccess"),
        utilization("internetAccessM365"),
    ],
    unique: None,
};

static PRIVATE_UTILIZATIONS: ComplexType = ComplexType {
    name: "microsoft.graph.privateAccessFeatureUtilizations",
    properties: &[utilization("privateAccess")],
    unique: None,
};

/// `microsoft.graph.azureADPremiumLicenseInsight`, as Graph's beta CSDL has it.
pub static PREMIUM_LICENSE_INSIGHT: EntityType = EntityType {
    name: "microsoft.graph.azureADPremiumLicenseInsight",
    properties: &[
        Property {
            nullable: false,
            ..Property::new("id", Type::String, NONE)
        },
        Property::new("entitledP1LicenseCount", Type::Int64, NONE),
        Property::new("entitledP2LicenseCount", Type::Int64, NONE),
        Property::new("entitledTotalLicenseCount", Type::Int64, NONE),
        Property::new(
            "internetAccessFeatureUtilizations",
            Type::Complex(&INTERNET_UTILIZATIONS),
            NONE,
        ),
        Property::new(
            "p1FeatureUtilizations",
            Type::Complex(&P1_UTILIZATIONS),
            NONE,
        ),
        Property::new(
            "p2FeatureUtilizations",
            Type::Complex(&P2_UTILIZATIONS),
            NONE,
        ),
        Property::new(
            "privateAccessFeatureUtilizations",
            Type::Complex(&PRIVATE_UTILIZATIONS),
            NONE,
        ),
    ],
};

/// Security Reader, Security Administrator, Security Operator, Application Administrator and
/// Cloud Application Administrator: the roles besides the reports' that may read the insight.
pub const SECURITY_READER: &str = "5d6b6bb7-de71-4623-b4af-96380a352509";
pub const SECURITY_ADMINISTRATOR: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
pub const SECURITY_OPERATOR: &str = "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f";
pub const APPLICATION_ADMINISTRATOR: &str = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
pub const CLOUD_APPLICATION_ADMINISTRATOR: &str = "158c047a-c907-4556-b7ef-446551a6b5f7";

/// `GET /beta/reports/azureADPremiumLicenseInsight`.
pub static INSIGHT: Permissions = Permissions {
    read: &["Reports.Read.All", "Reports.ReadWrite.All"],
    read_roles: &[
        GLOBAL_ADMINISTRATOR,
        GLOBAL_READER,
        REPORTS_READER,
        SECURITY_READER,
        SECURITY_ADMINISTRATOR,
        SECURITY_OPERATOR,
        APPLICATION_ADMINISTRATOR,
        CLOUD_APPLICATION_ADMINISTRATOR,
    ],
    write: &[],
    write_roles: &[],
    read_denied: "Insufficient privileges to complete the operation: the premium license insight needs Reports.Read.All (and, for a user, a Global Administrator, Global Reader, Reports Reader, Security Reader, Security Administrator, Security Operator, Application Administrator or Cloud Application Administrator role).",
    write_denied: "",
};

/// What one count counts: a feature, and for the two conditional-access features whether the
/// users are guests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Counter {
    ConditionalAccess,
    ConditionalAccessGuests,
    RiskBased,
    RiskBasedGuests,
    InternetAccess,
    InternetAccessM365,
    PrivateAccess,
}

const COUNTERS: usize = 7;

impl Counter {
    /// The counter a featureName (any case) feeds, for a guest or not.
    fn of(feature: &str, guest: bool) -> Option<Counter> {
        let is = |name: &str| feature.eq_ignore_ascii_case(name);
        Some(if is("conditionalAccess") {
            if guest {
                Counter::ConditionalAccessGuests
            } else {
                Counter::ConditionalAccess
            }
        } else if is("riskBasedConditionalAccess") {
            if guest {
                Counter::RiskBasedGuests
            } else {
                Counter::RiskBased
            }
        } else if is("internetAccess") {
            Counter::InternetAccess
        } else if is("internetAccessM365") {
            Counter::InternetAccessM365
        } else if is("privateAccess") {
            Counter::PrivateAccess
        } else {
            return None;
        })
    }
}

/// One featureUsageDetail as the stores keep it (only what the insight reads).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredDetail {
    feature_name: Option<String>,
    last_used_date_time: Option<String>,
}

/// A tenant's entitlements and, per counter, when each counted user last used the feature.
#[derive(Debug, Default)]
pub struct Usage {
    /// Σ (enabled + warning) over the premiumP1 SKUs, and over the premiumP2 ones.
    entitled_p1: i64,
    entitled_p2: i64,
    /// Whether the tenant has a premiumP1 or premiumP2 SKU at all (with 0 units or more).
    premium: bool,
    /// Per counter: the last use (ticks) of each user with one dated use of the feature,
    /// sorted once built.
    single: [Vec<i64>; COUNTERS],
    /// Per counter: users whose latest record names the feature more than once (rare), with
    /// every date.
    several: [Vec<Vec<i64>>; COUNTERS],
}

impl Usage {
    /// Starts from the tenant's SKUs.
    pub fn new(skus: &[Sku]) -> Self {
        let mut usage = Usage::default();
        for sku in skus {
            match Tier::of_sku(sku) {
                Some(Tier::PremiumP1) => usage.entitled_p1 += sku.prepaid_units.capacity(),
                Some(Tier::PremiumP2) => usage.entitled_p2 += sku.prepaid_units.capacity(),
                _ => continue,
            }
            usage.premium = true;
        }
        usage
    }

    /// Adds one user's latest record: its featureUsageDetails in the stores' JSON, and whether
    /// the user's `/users` entry is a guest. A detail without a date, or with one that does not
    /// parse, was never used.
    pub fn add_record(&mut self, details: &str, guest: bool) -> Result<(), serde_json::Error> {
        let details: Vec<StoredDetail> = serde_json::from_str(details)?;
        let mut uses: Vec<(Counter, i64)> = details
            .iter()
            .filter_map(|detail| {
                let counter = Counter::of(detail.feature_name.as_deref()?, guest)?;
                let at = DateTimeOffset::parse(detail.last_used_date_time.as_deref()?).ok()?;
                Some((counter, at.ticks()))
            })
            .collect();
        uses.sort_by_key(|(counter, _)| *counter as usize);
        for group in uses.chunk_by(|a, b| a.0 == b.0) {
            let counter = group[0].0 as usize;
            match group {
                [(_, at)] => self.single[counter].push(*at),
                many => self.several[counter].push(many.iter().map(|(_, at)| *at).collect()),
            }
        }
        Ok(())
    }

    /// Makes the counts readable (sorts the dates).
    pub fn finish(mut self) -> Self {
        for dates in &mut self.single {
            dates.sort_unstable();
        }
        self
    }

    /// Whether the tenant has a premiumP1 or premiumP2 SKU (else the insight is a 403).
    pub fn has_premium(&self) -> bool {
        self.premium
    }

    /// The users counted by `counter` whose use lies in the 30 × 24 h up to `now` (ticks).
    fn count(&self, counter: Counter, now: i64) -> i64 {
        let within = |at: &i64| (now - ACTIVE_WINDOW..=now).contains(at);
        let dates = &self.single[counter as usize];
        let from = dates.partition_point(|at| *at < now - ACTIVE_WINDOW);
        let to = dates.partition_point(|at| *at <= now);
        let several = self.several[counter as usize]
            .iter()
            .filter(|dates| dates.iter().any(within))
            .count();
        (to - from + several) as i64
    }

    /// The insight at `now`, as Graph writes it; with `$select`, only what it names (and `id`).
    pub fn json(
        &self,
        tenant: Uuid,
        now: &DateTimeOffset,
        selection: Option<&Selection>,
    ) -> Map<String, Json> {
        let now = now.ticks();
        let users = |counter| json!({ "userCount": self.count(counter, now) });
        let all = [
            ("id", json!(tenant.to_string())),
            ("entitledP1LicenseCount", json!(self.entitled_p1)),
            ("entitledP2LicenseCount", json!(self.entitled_p2)),
            (
                "entitledTotalLicenseCount",
                json!(self.entitled_p1 + self.entitled_p2),
            ),
            (
                "internetAccessFeatureUtilizations",
                json!({
                    "internetAccess": users(Counter::InternetAccess),
                    "internetAccessM365": users(Counter::InternetAccessM365),
                }),
            ),
            (
                "p1FeatureUtilizations",
                json!({
                    "conditionalAccess": users(Counter::ConditionalAccess),
                    "conditionalAccessGuestUsers": users(Counter::ConditionalAccessGuests),
                }),
            ),
            (
                "p2FeatureUtilizations",
                json!({
                    "riskBasedConditionalAccess": users(Counter::RiskBased),
                    "riskBasedConditionalAccessGuestUsers": users(Counter::RiskBasedGuests),
                }),
            ),
            (
                "privateAccessFeatureUtilizations",
                json!({ "privateAccess": users(Counter::PrivateAccess) }),
            ),
        ];
        let mut out = Map::new();
        for (property, (name, value)) in PREMIUM_LICENSE_INSIGHT.properties.iter().zip(all) {
            if selection.is_none_or(|selection| selection.includes(property)) {
                out.insert(name.into(), value);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTimeOffset {
        DateTimeOffset::parse(text).unwrap()
    }

    fn counts(usage: &Usage, now: &str) -> Map<String, Json> {
        usage.json(Uuid::nil(), &at(now), None)
    }

    #[test]
    fn a_use_counts_in_the_30_days_up_to_now_bounds_included() {
        let mut usage = Usage::default();
        for date in [
            "2026-11-02T12:00:00Z",      // exactly 30 days before: counts
            "2026-11-02T11:59:59Z",      // a second earlier: does not
            "2026-12-02T12:00:00Z",      // now: counts
            "2026-12-02T12:00:01Z",      // after now: does not
            "2026-11-20T13:00:00+01:00", // an offset: counts
        ] {
            let details =
                format!(r#"[{{"featureName":"CONDITIONALACCESS","lastUsedDateTime":"{date}"}}]"#);
            usage.add_record(&details, false).unwrap();
        }
        let usage = usage.finish();
        let json = counts(&usage, "2026-12-02T12:00:00Z");
        assert_eq!(
            json["p1FeatureUtilizations"]["conditionalAccess"]["userCount"],
            3
        );
        assert_eq!(
            json["p1FeatureUtilizations"]["conditionalAccessGuestUsers"]["userCount"],
            0
        );
    }

    #[test]
    fn guests_count_apart_for_conditional_access_only_and_a_user_once_per_feature() {
        let mut usage = Usage::default();
        let details = r#"[{"featureName":"riskBasedConditionalAccess","lastUsedDateTime":"2026-12-01T00:00:00Z"},
            {"featureName":"riskBasedConditionalAccess","lastUsedDateTime":"2025-01-01T00:00:00Z"},
            {"featureName":"internetAccess","lastUsedDateTime":"2026-12-01T00:00:00Z"},
            {"featureName":"privateAccess","lastUsedDateTime":null},
            {"featureName":"somethingElse","lastUsedDateTime":"2026-12-01T00:00:00Z"}]"#;
        usage.add_record(details, true).unwrap();
        let usage = usage.finish();
        let json = counts(&usage, "2026-12-02T00:00:00Z");
        let p2 = &json["p2FeatureUtilizations"];
        assert_eq!(p2["riskBasedConditionalAccess"]["userCount"], 0);
        assert_eq!(p2["riskBasedConditionalAccessGuestUsers"]["userCount"], 1);
        assert_eq!(
            json["internetAccessFeatureUtilizations"]["internetAccess"]["userCount"],
            1
        );
        assert_eq!(
            json["privateAccessFeatureUtilizations"]["privateAccess"]["userCount"],
            0
        );
    }
}
