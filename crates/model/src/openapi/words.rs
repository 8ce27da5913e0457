//! The words the document uses for a resource and its types: the noun for its objects (from its
//! description), schema names, and English lists.

use tally_odata::schema::Property;

use crate::resources::{Noun, ResourceDef};

/// The noun for `def`'s objects.
pub(super) fn noun(def: &ResourceDef) -> Noun {
    def.noun
}

/// A schema's name: the type's short name with its first letter upper-cased
/// (`azureADLicenseUsage` → `AzureADLicenseUsage`).
pub(super) fn schema_name(short_name: &str) -> String {
    let mut chars = short_name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `a`, `a and b`, `a, b and c` (with `or` for `word`).
pub(super) fn list(items: &[&str], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

/// The names of `properties`.
pub(super) fn names(properties: &[&Property]) -> Vec<&'static str> {
    properties.iter().map(|p| p.name).collect()
}

/// A small count in words (`three`); digits from thirteen on.
pub(super) fn number(n: usize) -> String {
    const WORDS: [&str; 13] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve",
    ];
    WORDS
        .get(n)
        .map_or_else(|| n.to_string(), |word| (*word).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(schema_name("licenseInfoDetail"), "LicenseInfoDetail");
        assert_eq!(list(&["a", "b", "c"], "and"), "a, b and c");
        assert_eq!(list(&["a", "b"], "or"), "a or b");
        assert_eq!(list(&["a"], "or"), "a");
        assert_eq!(number(3), "three");
        assert_eq!(number(20), "20");
        let object = Noun {
            one: "object",
            many: "objects",
        };
        assert_eq!(object.a(), "an object");
    }
}
