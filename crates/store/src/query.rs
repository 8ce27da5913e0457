//! What a read asks of the store: which objects (window or latest per key, filter), in which
//! order, from which keyset position, skip and page size. Backends translate it into their own
//! query language; nothing here knows SQL. Orders and filters are the query language's own
//! bound forms ([`OrderBy`], [`TypedExpr`]): one vocabulary from the parser down.

use tally_model::resources::ResourceDef;
use tally_model::{Entity, Value, Versioned};
use tally_odata::query::{OrderBy, SortDirection, TypedExpr};
use uuid::Uuid;

/// The value of one order key for one object: where a page ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CursorValue {
    /// An integer, or a DateTimeOffset's instant.
    Int(i64),
    Text(String),
    Id(Uuid),
    /// A nullable key's null (it sorts before every value).
    Null,
}

/// The order-key values of the last object of a page; the next page starts after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor(pub Vec<CursorValue>);

/// Which objects of the collection a read starts from, before its filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    /// A report window: only objects whose time is at or after this instant.
    Since(i64),
    /// Per value of the function's key property, the object with the latest time.
    Latest,
}

/// A read of a resource's collection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListQuery {
    pub scope: Scope,
    /// Only objects that satisfy this bound `$filter`.
    pub filter: Option<TypedExpr>,
    /// The requested order; [`ListQuery::effective_order`] completes it.
    pub order: Vec<OrderBy>,
    /// Continue after this position (keyset paging).
    pub after: Option<Cursor>,
    pub skip: u64,
    pub page_size: usize,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            scope: Scope::All,
            filter: None,
            order: Vec::new(),
            after: None,
            skip: 0,
            page_size: 100,
        }
    }
}

impl ListQuery {
    /// The default order is by the resource's time, oldest first; ties are always broken by
    /// `id` ascending, so every order is total and keyset paging visits each object once.
    pub fn effective_order(&self, def: &'static ResourceDef) -> Vec<OrderBy> {
        let mut keys = if self.order.is_empty() {
            vec![OrderBy {
                property: def.time,
                direction: SortDirection::Asc,
            }]
        } else {
            self.order.clone()
        };
        let id = def.entity.key();
        match keys.iter().position(|key| key.property == id) {
            Some(index) => keys.truncate(index + 1),
            None => keys.push(OrderBy {
                property: id,
                direction: SortDirection::Asc,
            }),
        }
        keys.dedup_by_key(|key| key.property);
        keys
    }

    /// The cursor that points just past `entity` in `order`.
    pub fn cursor_after(def: &'static ResourceDef, order: &[OrderBy], entity: &Entity) -> Cursor {
        Cursor(
            order
                .iter()
                .map(|key| {
                    if key.property == def.entity.key() {
                        return CursorValue::Id(entity.id);
                    }
                    match entity.get(def.entity, key.property) {
                        Value::DateTimeOffset(at) => CursorValue::Int(at.ticks()),
                        Value::Int(number) => CursorValue::Int(i64::from(*number)),
                        Value::Boolean(value) => CursorValue::Int(i64::from(*value)),
                        Value::Decimal(number) => CursorValue::Int(number.ten_thousandths()),
                        Value::String(text) => CursorValue::Text(text.to_string()),
                        Value::Enum(member) => CursorValue::Text((*member).to_owned()),
                        // Only non-nullable scalars are sortable.
                        Value::Null | Value::Collection(_) => CursorValue::Int(0),
                    }
                })
                .collect(),
        )
    }
}

/// One page of a read, and where the next one starts if there is more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    pub items: Vec<Versioned>,
    pub next: Option<Cursor>,
}

impl Page {
    /// The page from up to `page_size + 1` rows read in `query`'s order: the extra row, if
    /// there, only says that a next page exists.
    pub fn from_overfetched(
        def: &'static ResourceDef,
        mut items: Vec<Versioned>,
        query: &ListQuery,
    ) -> Self {
        let next = if items.len() > query.page_size {
            items.truncate(query.page_size);
            items
                .last()
                .map(|last| ListQuery::cursor_after(def, &query.effective_order(def), &last.entity))
        } else {
            None
        };
        Self { items, next }
    }
}
