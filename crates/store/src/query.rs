//! What a read asks of the store: window, order, keyset position, skip and page size. Backends
//! translate it into their own query language; nothing here knows SQL.

use tally_model::{DetailsJson, EntityTag, LicenseInfoDetail, LicenseUsage};
use tally_odata::query::TypedExpr;
use tally_odata::DateTimeOffset;
use uuid::Uuid;

use crate::details::decode_stored_details;
use crate::{StoreError, StoredUsage};

/// A property the collection can be ordered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderProperty {
    SnapshotDateTime,
    Id,
}

/// One `$orderby` item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OrderKey {
    pub property: OrderProperty,
    pub descending: bool,
}

/// The value of one order key for one object: where a page ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CursorValue {
    Ticks(i64),
    Id(Uuid),
}

/// The order-key values of the last object of a page; the next page starts after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor(pub Vec<CursorValue>);

/// A read of the collection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListQuery {
    /// Only snapshots at or after this instant (the report function's window).
    pub since_ticks: Option<i64>,
    /// Only objects that satisfy this bound `$filter`.
    pub filter: Option<TypedExpr>,
    /// The requested order; [`ListQuery::effective_order`] completes it with `id`.
    pub order: Vec<OrderKey>,
    /// Continue after this position (keyset paging).
    pub after: Option<Cursor>,
    pub skip: u64,
    pub page_size: usize,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            since_ticks: None,
            filter: None,
            order: Vec::new(),
            after: None,
            skip: 0,
            page_size: 100,
        }
    }
}

impl ListQuery {
    /// The default order is oldest first; ties are always broken by `id` ascending, so every
    /// order is total and keyset paging visits each object once.
    pub fn effective_order(&self) -> Vec<OrderKey> {
        let mut keys = if self.order.is_empty() {
            vec![OrderKey {
                property: OrderProperty::SnapshotDateTime,
                descending: false,
            }]
        } else {
            self.order.clone()
        };
        match keys
            .iter()
            .position(|key| key.property == OrderProperty::Id)
        {
            Some(index) => keys.truncate(index + 1),
            None => keys.push(OrderKey {
                property: OrderProperty::Id,
                descending: false,
            }),
        }
        keys.dedup_by_key(|key| key.property);
        keys
    }

    /// The cursor that points just past `item` in `order`.
    pub fn cursor_after(order: &[OrderKey], item: &ListedUsage) -> Cursor {
        Cursor(
            order
                .iter()
                .map(|key| match key.property {
                    OrderProperty::SnapshotDateTime => {
                        CursorValue::Ticks(item.snapshot_date_time.ticks())
                    }
                    OrderProperty::Id => CursorValue::Id(item.id),
                })
                .collect(),
        )
    }
}

/// An object as a page holds it: its details as the store had them, decoded only when asked
/// ([`ListedUsage::decode`]): a response copies the embedded store's JSON as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedUsage {
    pub id: Uuid,
    pub snapshot_date_time: DateTimeOffset,
    pub details: ListedDetails,
    pub version: i64,
}

/// The details of a [`ListedUsage`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListedDetails {
    Decoded(Vec<LicenseInfoDetail>),
    /// Exactly `serde_json::to_vec` of the details (the embedded store's own encoding).
    CompactSerde(Box<[u8]>),
}

impl ListedUsage {
    pub fn etag(&self) -> EntityTag {
        EntityTag(self.version)
    }

    /// The details for [`tally_model::EntityJson`].
    pub fn details_json(&self) -> DetailsJson<'_> {
        match &self.details {
            ListedDetails::Decoded(details) => DetailsJson::Decoded(details),
            ListedDetails::CompactSerde(json) => DetailsJson::CompactSerde(json),
        }
    }

    /// The object with its details decoded.
    pub fn decode(self) -> Result<StoredUsage, StoreError> {
        let license_info_details = match self.details {
            ListedDetails::Decoded(details) => details,
            ListedDetails::CompactSerde(json) => decode_stored_details(self.id, &json)?,
        };
        Ok(StoredUsage {
            usage: LicenseUsage {
                id: self.id,
                snapshot_date_time: self.snapshot_date_time,
                license_info_details,
            },
            version: self.version,
        })
    }
}

impl From<StoredUsage> for ListedUsage {
    fn from(stored: StoredUsage) -> Self {
        Self {
            id: stored.usage.id,
            snapshot_date_time: stored.usage.snapshot_date_time,
            details: ListedDetails::Decoded(stored.usage.license_info_details),
            version: stored.version,
        }
    }
}

/// One page of a read, and where the next one starts if there is more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    pub items: Vec<ListedUsage>,
    pub next: Option<Cursor>,
}

impl Page {
    /// The page from up to `page_size + 1` rows read in `query`'s order: the extra row, if
    /// there, only says that a next page exists.
    pub fn from_overfetched(mut items: Vec<ListedUsage>, query: &ListQuery) -> Self {
        let next = if items.len() > query.page_size {
            items.truncate(query.page_size);
            items
                .last()
                .map(|last| ListQuery::cursor_after(&query.effective_order(), last))
        } else {
            None
        };
        Self { items, next }
    }
}
