//! One page of a Graph listing, read as it streams in: each item of its `value` array is
//! deserialized straight into its typed record and converted before the next is read, and
//! `@odata.nextLink` is kept; whatever else the page holds is skipped unread. No tree of the
//! whole page is built, so a page costs its records, not a multiple of its bytes.

use std::fmt;
use std::io::{BufReader, Read};
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess};
use serde::Deserialize;

/// A page's records and its link to the next page.
pub(super) struct Page<R> {
    pub(super) records: Vec<R>,
    pub(super) next_link: Option<String>,
}

/// Why a page could not be read.
pub(super) enum PageError {
    /// `convert` refused an item: its error.
    Item(anyhow::Error),
    /// Reading or parsing the body failed (an I/O error included, such as the size limit).
    Json(serde_json::Error),
}

/// Reads a page `{"value": [item, …], "@odata.nextLink": "…", …}` from `body`, each item a
/// `T` given to `convert`.
pub(super) fn read<T, R>(
    body: impl Read,
    convert: &mut impl FnMut(T) -> anyhow::Result<R>,
) -> Result<Page<R>, PageError>
where
    T: DeserializeOwned,
{
    let mut refused = None;
    let mut deserializer =
        serde_json::Deserializer::from_reader(BufReader::with_capacity(64 << 10, body));
    let page = PageSeed {
        convert,
        refused: &mut refused,
        item: PhantomData,
    }
    .deserialize(&mut deserializer)
    .and_then(|page| deserializer.end().map(|()| page));
    match (page, refused) {
        (_, Some(error)) => Err(PageError::Item(error)),
        (Ok(page), None) => Ok(page),
        (Err(error), None) => Err(PageError::Json(error)),
    }
}

/// The members of a page that are read; any other is skipped.
#[derive(Deserialize)]
#[serde(field_identifier)]
enum Member {
    #[serde(rename = "value")]
    Value,
    #[serde(rename = "@odata.nextLink")]
    NextLink,
    #[serde(other)]
    Other,
}

/// The page object. `refused` holds `convert`'s error, which stops the parse.
struct PageSeed<'a, T, F> {
    convert: &'a mut F,
    refused: &'a mut Option<anyhow::Error>,
    item: PhantomData<fn() -> T>,
}

impl<'de, T, R, F> DeserializeSeed<'de> for PageSeed<'_, T, F>
where
    T: DeserializeOwned,
    F: FnMut(T) -> anyhow::Result<R>,
{
    type Value = Page<R>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Page<R>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T, R, F> de::Visitor<'de> for PageSeed<'_, T, F>
where
    T: DeserializeOwned,
    F: FnMut(T) -> anyhow::Result<R>,
{
    type Value = Page<R>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a Graph page: an object with a 'value' array")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Page<R>, A::Error> {
        let mut records = None;
        let mut next_link = None;
        while let Some(member) = map.next_key::<Member>()? {
            match member {
                Member::Value if records.is_some() => {
                    return Err(de::Error::duplicate_field("value"))
                }
                Member::Value => {
                    records = Some(map.next_value_seed(Items {
                        convert: &mut *self.convert,
                        refused: &mut *self.refused,
                        item: PhantomData,
                    })?)
                }
                Member::NextLink => next_link = map.next_value::<Option<String>>()?,
                Member::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let records = records.ok_or_else(|| de::Error::missing_field("value"))?;
        Ok(Page { records, next_link })
    }
}

/// The `value` array, converted item by item.
struct Items<'a, T, F> {
    convert: &'a mut F,
    refused: &'a mut Option<anyhow::Error>,
    item: PhantomData<fn() -> T>,
}

impl<'de, T, R, F> DeserializeSeed<'de> for Items<'_, T, F>
where
    T: DeserializeOwned,
    F: FnMut(T) -> anyhow::Result<R>,
{
    type Value = Vec<R>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Vec<R>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, T, R, F> de::Visitor<'de> for Items<'_, T, F>
where
    T: DeserializeOwned,
    F: FnMut(T) -> anyhow::Result<R>,
{
    type Value = Vec<R>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an array of items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<R>, A::Error> {
        // Not the size hint: it is the sender's to say.
        let mut records = Vec::new();
        while let Some(item) = seq.next_element::<T>()? {
            match (self.convert)(item) {
                Ok(record) => records.push(record),
                Err(error) => {
                    *self.refused = Some(error);
                    return Err(de::Error::custom("an item was refused"));
                }
            }
        }
        Ok(records)
    }
}

#[cfg(test)]
mod tests {
    use super::{read, PageError};

    fn numbers(body: &str) -> Result<(Vec<u32>, Option<String>), String> {
        let mut convert = |n: u32| {
            if n == 13 {
                anyhow::bail!("not 13")
            }
            Ok(n * 2)
        };
        match read(body.as_bytes(), &mut convert) {
            Ok(page) => Ok((page.records, page.next_link)),
            Err(PageError::Item(error)) => Err(format!("item: {error}")),
            Err(PageError::Json(error)) => Err(format!("json: {error}")),
        }
    }

    #[test]
    fn items_are_converted_and_the_rest_skipped_in_any_order() {
        let page = r#"{"@odata.nextLink":"https://x/next","extra":{"deep":[1,{"a":null}]},"value":[1,2],"@odata.context":"c"}"#;
        assert_eq!(
            numbers(page),
            Ok((vec![2, 4], Some("https://x/next".to_owned())))
        );
        assert_eq!(numbers(r#"{"value":[]}"#), Ok((vec![], None)));
        assert_eq!(
            numbers(r#"{"value":[],"@odata.nextLink":null}"#),
            Ok((vec![], None))
        );
    }

    #[test]
    fn a_refused_item_a_missing_value_or_trailing_bytes_fail() {
        assert_eq!(
            numbers(r#"{"value":[1,13,2]}"#),
            Err("item: not 13".to_owned())
        );
        assert!(numbers(r#"{"values":[1]}"#).is_err_and(|e| e.contains("missing field `value`")));
        assert!(numbers(r#"{"value":[1],"value":[2]}"#).is_err_and(|e| e.contains("duplicate")));
        assert!(numbers(r#"{"value":[1]} {}"#).is_err_and(|e| e.contains("trailing")));
        assert!(numbers(r#"[1]"#).is_err_and(|e| e.starts_with("json: ")));
    }
}
