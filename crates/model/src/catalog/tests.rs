//! The compiled-in table: every line a product, the ids unique, and the lookups' answers.

use std::collections::HashSet;

use uuid::Uuid;

use super::{by_part_number, by_sku_id, product_name, source, TABLE};
use crate::directory::body::MAX_ITEMS;

const SPE_E5: Uuid = Uuid::from_u128(0x06ebc4ee_1bb5_47dd_8120_11324bc54e06);
const AAD_PREMIUM_P2: Uuid = Uuid::from_u128(0xeec0eb4f_6444_4f95_aba0_50c24d67f998);

/// The table's product lines, as text.
fn product_lines() -> Vec<&'static str> {
    TABLE
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

#[test]
fn microsoft_365_e5_includes_entra_id_p2() {
    let product = by_sku_id(SPE_E5).expect("SPE_E5 is in the table");
    assert_eq!(product.name, "Microsoft 365 E5");
    assert_eq!(product.part_number, "SPE_E5");
    let p2 = product
        .plans
        .iter()
        .find(|plan| plan.service_plan_id == AAD_PREMIUM_P2)
        .expect("SPE_E5 includes AAD_PREMIUM_P2");
    assert_eq!(p2.service_plan_name, "AAD_PREMIUM_P2");
}

#[test]
fn every_line_is_a_product_found_by_its_sku_id() {
    let lines = product_lines();
    assert!(lines.len() > 500, "only {} products", lines.len());
    for line in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        let sku_id = Uuid::parse_str(fields[0]).unwrap_or_else(|_| panic!("{line}"));
        let product = by_sku_id(sku_id).unwrap_or_else(|| panic!("not parsed: {line}"));
        assert_eq!(product.part_number, fields[1], "{line}");
        assert_eq!(product.name, fields[2], "{line}");
        assert_eq!(product.plans.len(), fields.len() - 3, "{line}");
    }
}

#[test]
fn sku_ids_are_unique_and_plans_unique_within_a_product() {
    let lines = product_lines();
    let sku_ids: HashSet<&str> = lines
        .iter()
        .map(|line| line.split('\t').next().unwrap_or_default())
        .collect();
    assert_eq!(sku_ids.len(), lines.len(), "a skuId is listed twice");
    for sku_id in sku_ids {
        let product = by_sku_id(Uuid::parse_str(sku_id).unwrap_or_default()).expect(sku_id);
        let plans: HashSet<Uuid> = product.plans.iter().map(|p| p.service_plan_id).collect();
        assert_eq!(plans.len(), product.plans.len(), "{sku_id}: a plan twice");
        // A SKU created from the table must pass the body's own limit.
        assert!(product.plans.len() <= MAX_ITEMS, "{sku_id}");
    }
}

#[test]
fn part_numbers_are_found_whatever_their_case() {
    assert_eq!(by_part_number("SPE_E5").map(|p| p.sku_id), Some(SPE_E5));
    assert_eq!(by_part_number("spe_e5").map(|p| p.sku_id), Some(SPE_E5));
    assert!(by_part_number("NOT_A_PRODUCT").is_none());
}

#[test]
fn the_name_falls_back_to_the_part_number_then_the_given_text() {
    let unknown = Uuid::from_u128(1);
    assert_eq!(product_name(SPE_E5, "whatever"), "Microsoft 365 E5");
    assert_eq!(product_name(unknown, "spe_e5"), "Microsoft 365 E5");
    assert_eq!(product_name(unknown, "CONTOSO_CUSTOM"), "CONTOSO_CUSTOM");
    assert!(by_sku_id(unknown).is_none());
}

#[test]
fn the_source_names_the_file_and_its_date() {
    let text = source();
    let (file, date) = text.rsplit_once(", ").expect(text);
    assert!(file.ends_with(".md") || file.ends_with(".csv"), "{file}");
    assert_eq!(date.len(), "2025-10-29".len(), "{date}");
    assert!(date.starts_with("20"), "{date}");
}
