//! `licenseCosts` (tally's, SPEC §13.3): per SKU, the units bought, assigned, unassigned, held
//! by disabled accounts and held by enabled accounts that have not signed in for 30 × 24 h, and
//! what each costs a month at the tenant's price, with totals per currency. The holders' part
//! ([`HolderActivity`]) is counted once per change of the directory and kept sorted, so that
//! the inactive count at any moment is one binary search.

use std::collections::HashMap;

use tally_odata::query::Selection;
use tally_odata::schema::{EntityType, Property, Type};
use tally_odata::Decimal;
use uuid::Uuid;

use super::derive::ACTIVE_WINDOW;
use super::objects::Sku;
use crate::money::{Amount, BillingPeriod};
use crate::wire::push_json_str;

const NONE: &str = "-";

const fn count(name: &'static str) -> Property {
    Property {
        nullable: false,
        ..Property::new(name, Type::Int64, NONE)
    }
}

/// One row of the report, as `$select` and the OpenAPI document know it.
pub static LICENSE_COST: EntityType = EntityType {
    name: "microsoft.graph.licenseCost",
    properties: &[
        Property {
            name: "skuId",
            ty: Type::Guid,
            column: NONE,
            ..Property::KEY
        },
        Property::new("skuPartNumber", Type::String, NONE),
        Property {
            nullable: false,
            ..Property::new("productName", Type::String, NONE)
        },
        Property::new("currency", Type::String, NONE),
        Property::new("monthlyUnitPrice", Type::Decimal, NONE),
        count("purchasedUnits"),
        count("assignedUnits"),
        count("unassignedUnits"),
        count("disabledHolderUnits"),
        count("inactiveHolderUnits"),
        Property::new("purchasedCost", Type::Decimal, NONE),
        Property::new("assignedCost", Type::Decimal, NONE),
        Property::new("unassignedCost", Type::Decimal, NONE),
        Property::new("disabledHolderCost", Type::Decimal, NONE),
        Property::new("inactiveHolderCost", Type::Decimal, NONE),
    ],
};

/// A SKU's price as the report reads it.
#[derive(Clone, Debug)]
pub struct Price {
    pub unit_price: Decimal,
    pub currency: String,
    pub period: BillingPeriod,
}

/// Who holds each SKU, as the costs need it: counted from the directory once per change.
#[derive(Clone, Debug, Default)]
pub struct HolderActivity {
    skus: HashMap<Uuid, SkuHolders>,
}

#[derive(Clone, Debug, Default)]
struct SkuHolders {
    disabled: u64,
    /// Each enabled holder's latest sign-in (interactive or not) in ticks, `i64::MIN` for one
    /// who never signed in; sorted once counted.
    enabled_latest: Vec<i64>,
}

impl HolderActivity {
    /// Counts one holder of `sku_id` (`enabled`: `accountEnabled` is not false).
    pub fn add(&mut self, sku_id: Uuid, enabled: bool, latest_sign_in: Option<i64>) {
        let holders = self.skus.entry(sku_id).or_default();
        if enabled {
            holders
                .enabled_latest
                .push(latest_sign_in.unwrap_or(i64::MIN));
        } else {
            holders.disabled += 1;
        }
    }

    /// Done adding: sorted for counting.
    pub fn finish(mut self) -> Self {
        for holders in self.skus.values_mut() {
            holders.enabled_latest.sort_unstable();
        }
        self
    }

    /// Holders of `sku_id` whose account is disabled.
    pub fn disabled(&self, sku_id: Uuid) -> u64 {
        self.skus.get(&sku_id).map_or(0, |holders| holders.disabled)
    }

    /// Enabled holders of `sku_id` whose latest sign-in is older than 30 × 24 h before `now`
    /// (ticks), or who never signed in.
    pub fn inactive(&self, sku_id: Uuid, now: i64) -> u64 {
        let since = now.saturating_sub(ACTIVE_WINDOW);
        self.skus.get(&sku_id).map_or(0, |holders| {
            holders.enabled_latest.partition_point(|at| *at < since) as u64
        })
    }
}

/// One SKU's row.
#[derive(Clone, Debug)]
pub struct CostRow {
    pub sku_id: Uuid,
    pub sku_part_number: Option<String>,
    pub product_name: String,
    pub price: Option<(Amount, String)>,
    pub purchased: u64,
    pub assigned: u64,
    pub unassigned: u64,
    pub disabled: u64,
    pub inactive: u64,
}

impl CostRow {
    /// The monthly cost of `units` (none without a price), exactly.
    fn cost(&self, units: u64) -> Option<Amount> {
        self.price.as_ref().map(|(monthly, _)| monthly.times(units))
    }

    fn currency(&self) -> Option<&str> {
        self.price.as_ref().map(|(_, currency)| currency.as_str())
    }

    /// Units that cost without use: unassigned, on disabled accounts, on inactive ones.
    fn wasted(&self) -> u64 {
        self.unassigned + self.disabled + self.inactive
    }
}

/// The report: a row per SKU, in the SKUs' order.
#[derive(Clone, Debug)]
pub struct Costs {
    pub rows: Vec<CostRow>,
}

impl Costs {
    /// The report of `skus` at `now` (ticks), with `prices` by skuId and the products' names.
    pub fn new(
        skus: &[Sku],
        prices: &HashMap<Uuid, Price>,
        holders: &HolderActivity,
        now: i64,
        product_name: impl Fn(&Sku) -> String,
    ) -> Self {
        let rows = skus
            .iter()
            .map(|sku| {
                let purchased = u64::try_from(sku.prepaid_units.capacity()).unwrap_or(0);
                let assigned = u64::try_from(sku.consumed_units).unwrap_or(0);
                CostRow {
                    sku_id: sku.sku_id,
                    sku_part_number: sku.sku_part_number.clone(),
                    product_name: product_name(sku),
                    price: prices.get(&sku.sku_id).map(|price| {
                        (
                            Amount::monthly(price.unit_price, price.period),
                            price.currency.clone(),
                        )
                    }),
                    purchased,
                    assigned,
                    unassigned: purchased.saturating_sub(assigned),
                    disabled: holders.disabled(sku.sku_id),
                    inactive: holders.inactive(sku.sku_id, now),
                }
            })
            .collect();
        Self { rows }
    }

    /// Per currency (in order of name), the exact sums of the purchased and the wasted units'
    /// costs.
    pub fn totals(&self) -> Vec<(String, Amount, Amount)> {
        let mut totals: Vec<(String, Amount, Amount)> = Vec::new();
        for row in &self.rows {
            let (Some(currency), Some(purchased), Some(wasted)) = (
                row.currency(),
                row.cost(row.purchased),
                row.cost(row.wasted()),
            ) else {
                continue;
            };
            match totals.iter_mut().find(|(name, ..)| name == currency) {
                Some((_, total_purchased, total_wasted)) => {
                    *total_purchased = *total_purchased + purchased;
                    *total_wasted = *total_wasted + wasted;
                }
                None => totals.push((currency.to_owned(), purchased, wasted)),
            }
        }
        totals.sort_by(|a, b| a.0.cmp(&b.0));
        totals
    }

    /// The rows as a JSON array, each with the selected properties (all without `$select`).
    pub fn write_rows(&self, selection: Option<&Selection>, out: &mut Vec<u8>) {
        out.push(b'[');
        for (index, row) in self.rows.iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            write_row(row, selection, out);
        }
        out.push(b']');
    }

    /// `@tally.totals`: `[{"currency","purchasedCost","wasteCost"}]`.
    pub fn write_totals(&self, out: &mut Vec<u8>) {
        out.push(b'[');
        for (index, (currency, purchased, wasted)) in self.totals().iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"currency\":");
            push_json_str(out, currency);
            out.extend_from_slice(
                format!(
                    ",\"purchasedCost\":{},\"wasteCost\":{}}}",
                    purchased.rounded(2),
                    wasted.rounded(2)
                )
                .as_bytes(),
            );
        }
        out.push(b']');
    }
}

fn write_row(row: &CostRow, selection: Option<&Selection>, out: &mut Vec<u8>) {
    let cost = |units: u64| row.cost(units).map(|amount| amount.rounded(2).to_string());
    let text = |value: Option<&str>| value.map(json_string);
    let number = |value: u64| Some(value.to_string());
    let fields: [(&str, Option<String>); 15] = [
        ("skuId", Some(json_string(&row.sku_id.to_string()))),
        ("skuPartNumber", text(row.sku_part_number.as_deref())),
        ("productName", Some(json_string(&row.product_name))),
        ("currency", text(row.currency())),
        (
            "monthlyUnitPrice",
            row.price
                .as_ref()
                .map(|(monthly, _)| monthly.rounded(4).to_string()),
        ),
        ("purchasedUnits", number(row.purchased)),
        ("assignedUnits", number(row.assigned)),
        ("unassignedUnits", number(row.unassigned)),
        ("disabledHolderUnits", number(row.disabled)),
        ("inactiveHolderUnits", number(row.inactive)),
        ("purchasedCost", cost(row.purchased)),
        ("assignedCost", cost(row.assigned)),
        ("unassignedCost", cost(row.unassigned)),
        ("disabledHolderCost", cost(row.disabled)),
        ("inactiveHolderCost", cost(row.inactive)),
    ];
    out.push(b'{');
    let mut first = true;
    for (property, (name, value)) in LICENSE_COST.properties.iter().zip(fields) {
        debug_assert_eq!(property.name, name);
        let selected = first || selection.is_none_or(|selection| selection.includes(property));
        if !selected {
            continue;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        push_json_str(out, name);
        out.push(b':');
        out.extend_from_slice(value.as_deref().unwrap_or("null").as_bytes());
    }
    out.push(b'}');
}

fn json_string(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len() + 2);
    push_json_str(&mut out, text);
    String::from_utf8(out).unwrap_or_default()
}
