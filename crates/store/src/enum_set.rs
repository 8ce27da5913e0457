//! The embedded store's enum-set column ([`tally_model::resources::EnumSet`], such as
//! `license_usage.license_types`): which members of an enum the items of a collection hold, one
//! bit per member in the enum's order, so that `any(d: d/licenseType eq X)` tests a column
//! instead of each row's JSON. The first schema migration spells the same bits in SQL, and a
//! test there ties the two (so it also fails if the order ever changes under stored data).

use tally_model::resources::EnumSet;
use tally_model::{Entity, Value};
use tally_odata::schema::{EntityType, EnumType, Type};

/// The bit of `member` of the set's enum; `None` for a name that is no member.
pub fn bit(set: &EnumSet, member: &str) -> Option<i64> {
    let ty = enum_type(set)?;
    ty.members
        .iter()
        .position(|m| *m == member)
        .map(|index| 1 << index)
}

fn enum_type(set: &EnumSet) -> Option<&'static EnumType> {
    match set.member.ty {
        Type::Enum(ty) => Some(ty),
        _ => None,
    }
}

/// The column's value for `entity`: the bits of the members its items hold.
pub fn mask(ty: &EntityType, set: &EnumSet, entity: &Entity) -> i64 {
    let Type::Collection(item_type) = set.collection.ty else {
        return 0;
    };
    let Some(member_index) = item_type.properties.iter().position(|p| p == set.member) else {
        return 0;
    };
    entity
        .get(ty, set.collection)
        .items()
        .iter()
        .filter_map(|item| match item.0.get(member_index) {
            Some(Value::Enum(member)) => bit(set, member),
            _ => None,
        })
        .fold(0, |mask, bit| mask | bit)
}

#[cfg(test)]
mod tests {
    use tally_model::resources::{LICENSE_TYPE, LICENSE_USAGE};
    use tally_model::{Collection, Item};
    use uuid::Uuid;

    use super::*;

    fn usage(members: &[&'static str]) -> Entity {
        let items = members
            .iter()
            .map(|member| {
                Item(vec![
                    Value::Enum(member),
                    Value::Int(10),
                    Value::Null,
                    Value::Int(1),
                ])
            })
            .collect();
        Entity::new(
            Uuid::nil(),
            vec![Value::Null, Value::Collection(Collection::Items(items))],
        )
    }

    /// Each member has its own bit, and a row's mask holds exactly its items' members.
    #[test]
    fn a_rows_mask_holds_exactly_the_members_of_its_items() {
        let set = LICENSE_USAGE.storage.enum_set.as_ref().unwrap();
        let bits: Vec<i64> = LICENSE_TYPE
            .members
            .iter()
            .map(|member| bit(set, member).unwrap())
            .collect();
        assert_eq!(bits.iter().fold(0, |all, bit| all | bit), 0b11_1111);
        assert_eq!(bit(set, "premiump2"), None);
        let ty = LICENSE_USAGE.entity;
        assert_eq!(mask(ty, set, &usage(&[])), 0);
        for (first, first_bit) in LICENSE_TYPE.members.iter().zip(&bits) {
            for (second, second_bit) in LICENSE_TYPE.members.iter().zip(&bits) {
                let mask = mask(ty, set, &usage(&[first, second, first]));
                assert_eq!(mask, first_bit | second_bit, "{first} {second}");
            }
        }
    }
}
