//! `$filter` to SQL, with OData's two-valued semantics, in either dialect.
//!
//! Every condition translates to an expression that is true or false, never NULL, so `NOT` and
//! `all` are exact: `eq`/`ne` are null-safe (`IS` / `IS NOT DISTINCT FROM`), ordering comparisons
//! are `COALESCE(a < b, false)` (false when either side is null), and lambdas read a
//! collection's stored JSON (`json_each` / `jsonb_array_elements`). A DateTimeOffset inside an
//! item compares as an instant through `tally_ticks(text)`, a function each backend defines.
//! Root columns are qualified with the table (inside a lambda, SQLite's json_each has an `id`
//! of its own).

use tally_model::resources::{EnumSet, ResourceDef};
use tally_odata::query::{CompareOp, Constant, Operand, TypedExpr};
use tally_odata::schema::{Property, Type};

use super::{sort_column, Dialect, SqlBuilder, SqlParam};
use crate::enum_set;

/// Appends the SQL of `expr` on `def`'s table.
pub fn translate(def: &'static ResourceDef, expr: &TypedExpr, out: &mut SqlBuilder) {
    Translator {
        table: def.storage.table,
        enum_set: def.storage.enum_set.as_ref(),
    }
    .translate(expr, out);
}

/// Appends the SQL of `expr` on `table`, whose columns are the properties' `column`s (the
/// directory's tables).
pub fn translate_on(table: &'static str, expr: &TypedExpr, out: &mut SqlBuilder) {
    Translator {
        table,
        enum_set: None,
    }
    .translate(expr, out);
}

struct Translator {
    table: &'static str,
    enum_set: Option<&'static EnumSet>,
}

impl Translator {
    fn translate(&self, expr: &TypedExpr, out: &mut SqlBuilder) {
        let postgres = out.dialect == Dialect::Postgres;
        match expr {
            TypedExpr::Constant(value) => out.push(match (value, postgres) {
                (true, true) => "TRUE",
                (false, true) => "FALSE",
                (true, false) => "1",
                (false, false) => "0",
            }),
            TypedExpr::Compare { op, left, right } => self.compare(*op, left, right, out),
            TypedExpr::In { operand, values } => {
                nested(0..values.len(), " OR ", out, &mut |index, out| {
                    let value = Operand::Constant(values[index].clone());
                    self.compare(CompareOp::Eq, operand, &value, out);
                });
            }
            TypedExpr::And(items) => self.chain(items, " AND ", out),
            TypedExpr::Or(items) => self.chain(items, " OR ", out),
            TypedExpr::Not(inner) => {
                out.push("(NOT ");
                self.translate(inner, out);
                out.push(")");
            }
            TypedExpr::Any {
                collection,
                predicate: None,
            } => {
                out.push("(");
                self.count(collection, out);
                out.push(" > 0)");
            }
            TypedExpr::Any {
                collection,
                predicate: Some(predicate),
            } => {
                if let Some((member, members)) = members_sought(predicate) {
                    if self.any_member(collection, member, &members, out) {
                        return;
                    }
                }
                out.push("EXISTS (SELECT 1 FROM ");
                self.elements(collection, out);
                out.push(" WHERE ");
                self.translate(predicate, out);
                out.push(")");
            }
            TypedExpr::All {
                collection,
                predicate,
            } => {
                out.push("NOT EXISTS (SELECT 1 FROM ");
                self.elements(collection, out);
                out.push(" WHERE NOT ");
                self.translate(predicate, out);
                out.push(")");
            }
            TypedExpr::StartsWith { property, prefix } => {
                // LIKE ignores ASCII case in SQLite; ILIKE ignores case in PostgreSQL.
                let like = if postgres { "ILIKE" } else { "LIKE" };
                out.push(&format!(
                    "COALESCE({}.{} {like} ",
                    self.table, property.column
                ));
                let pattern: String = prefix
                    .chars()
                    .flat_map(|c| match c {
                        '\\' | '%' | '_' => vec!['\\', c],
                        c => vec![c],
                    })
                    .chain(['%'])
                    .collect();
                out.param(SqlParam::Text(pattern));
                out.push(if postgres {
                    " ESCAPE '\\', FALSE)"
                } else {
                    " ESCAPE '\\', 0)"
                });
            }
        }
    }

    /// `collection/$count`.
    fn count(&self, collection: &Property, out: &mut SqlBuilder) {
        let table = self.table;
        out.push(&match out.dialect {
            Dialect::Postgres => format!("jsonb_array_length({table}.{})", collection.column),
            Dialect::Sqlite => format!("json_array_length({table}.{})", collection.column),
        });
    }

    /// `any(d: d/member eq X)` without walking the items one by one: PostgreSQL's jsonb
    /// containment, and in SQLite a test of the enum-set column where the description keeps one
    /// ([`crate::enum_set`]). `false` (and nothing written) where neither applies.
    fn any_member(
        &self,
        collection: &Property,
        member: &Property,
        members: &[String],
        out: &mut SqlBuilder,
    ) -> bool {
        let table = self.table;
        match out.dialect {
            Dialect::Postgres => {
                out.push("(");
                for (index, value) in members.iter().enumerate() {
                    if index > 0 {
                        out.push(" OR ");
                    }
                    out.push(&format!("{table}.{} @> CAST(", collection.column));
                    let item = serde_json::json!([{ member.name: value }]);
                    out.param(SqlParam::Text(item.to_string()));
                    out.push(" AS jsonb)");
                }
                out.push(")");
            }
            Dialect::Sqlite => {
                let Some(set) = self.enum_set(collection, member) else {
                    return false;
                };
                let Some(bits) = members.iter().try_fold(0, |bits, value| {
                    enum_set::bit(set, value).map(|bit| bits | bit)
                }) else {
                    return false;
                };
                out.push(&format!("(({table}.{} & ", set.column));
                out.param(SqlParam::Int(bits));
                out.push(") != 0)");
            }
        }
        true
    }

    fn enum_set(&self, collection: &Property, member: &Property) -> Option<&'static EnumSet> {
        self.enum_set
            .filter(|set| set.collection == collection && set.member == member)
    }

    /// The items of `collection` as a row source `d` with a column `value`.
    fn elements(&self, collection: &Property, out: &mut SqlBuilder) {
        let table = self.table;
        out.push(&match out.dialect {
            Dialect::Postgres => format!(
                "jsonb_array_elements({table}.{}) AS d(value)",
                collection.column
            ),
            Dialect::Sqlite => format!("json_each({table}.{}) AS d", collection.column),
        });
    }

    fn chain(&self, items: &[TypedExpr], separator: &str, out: &mut SqlBuilder) {
        nested(0..items.len(), separator, out, &mut |index, out| {
            self.translate(&items[index], out);
        });
    }

    fn compare(&self, op: CompareOp, left: &Operand, right: &Operand, out: &mut SqlBuilder) {
        let postgres = out.dialect == Dialect::Postgres;
        let symbol = match (op, postgres) {
            (CompareOp::Eq, false) => "IS",
            (CompareOp::Ne, false) => "IS NOT",
            (CompareOp::Eq, true) => "IS NOT DISTINCT FROM",
            (CompareOp::Ne, true) => "IS DISTINCT FROM",
            (CompareOp::Gt, _) => ">",
            (CompareOp::Ge, _) => ">=",
            (CompareOp::Lt, _) => "<",
            (CompareOp::Le, _) => "<=",
        };
        let ordering = !matches!(op, CompareOp::Eq | CompareOp::Ne);
        // PostgreSQL orders a text by the database's default collation unless told otherwise
        // (string columns are `COLLATE "C"`, but a parameter or an item's `->>` is not).
        let ordinal = |operand: &Operand| {
            let collate = postgres && ordering && is_string(operand);
            if collate {
                " COLLATE \"C\""
            } else {
                ""
            }
        };
        out.push(if ordering { "COALESCE(" } else { "(" });
        self.operand(left, out);
        out.push(ordinal(left));
        out.push(" ");
        out.push(symbol);
        out.push(" ");
        self.operand(right, out);
        out.push(ordinal(right));
        out.push(match (ordering, postgres) {
            (true, true) => ", FALSE)",
            (true, false) => ", 0)",
            (false, _) => ")",
        });
    }

    fn operand(&self, operand: &Operand, out: &mut SqlBuilder) {
        let table = self.table;
        match operand {
            Operand::Property(property) => {
                out.push(&format!("{table}.{}", sort_column(property)));
            }
            Operand::Count(collection) => self.count(collection, out),
            Operand::Member(property) => member(property, out),
            Operand::Constant(constant) => match constant {
                Constant::Null => out.push("NULL"),
                Constant::String(text) => out.param(SqlParam::Text(text.clone())),
                Constant::Int(value) => out.param(SqlParam::Int(*value)),
                Constant::DateTimeOffset(value) => out.param(SqlParam::Int(value.ticks())),
                Constant::Enum(_, member) => out.param(SqlParam::Text((*member).to_owned())),
                Constant::Guid(text) => out.param(SqlParam::Text(text.clone())),
                Constant::Bool(value) => out.push(match (value, out.dialect) {
                    (true, Dialect::Postgres) => "TRUE",
                    (false, Dialect::Postgres) => "FALSE",
                    (true, Dialect::Sqlite) => "1",
                    (false, Dialect::Sqlite) => "0",
                }),
            },
        }
    }
}

/// The enum members (or GUIDs) `predicate` asks for when it is only `d/member eq X` (either
/// way round) or `d/member in (X, Y)`, with that member property: the reports' most common
/// filter, and the directory's `assignedLicenses/any(x: x/skuId eq …)`.
fn members_sought(predicate: &TypedExpr) -> Option<(&'static Property, Vec<String>)> {
    let member = |operand: &Operand| match operand {
        Operand::Constant(Constant::Enum(_, member)) => Some((*member).to_owned()),
        Operand::Constant(Constant::Guid(guid)) => Some(guid.clone()),
        _ => None,
    };
    let enum_member = |operand: &Operand| match operand {
        Operand::Member(property) if matches!(property.ty, Type::Enum(_) | Type::Guid) => {
            Some(*property)
        }
        _ => None,
    };
    match predicate {
        TypedExpr::Compare {
            op: CompareOp::Eq,
            left,
            right,
        } => match (enum_member(left), enum_member(right)) {
            (Some(property), None) => member(right).map(|m| (property, vec![m])),
            (None, Some(property)) => member(left).map(|m| (property, vec![m])),
            _ => None,
        },
        TypedExpr::In { operand, values } => {
            let property = enum_member(operand)?;
            let members = values
                .iter()
                .map(|value| member(&Operand::Constant(value.clone())))
                .collect::<Option<Vec<_>>>()?;
            Some((property, members))
        }
        _ => None,
    }
}

/// Whether `operand` is a string (not `null`, which has no collation).
fn is_string(operand: &Operand) -> bool {
    match operand {
        Operand::Property(property) | Operand::Member(property) => property.ty == Type::String,
        Operand::Constant(constant) => matches!(constant, Constant::String(_)),
        Operand::Count(_) => false,
    }
}

/// A property of the current item; the JSON keys are the properties' names.
fn member(property: &Property, out: &mut SqlBuilder) {
    let key = property.name;
    out.push(&match (out.dialect, property.ty) {
        (Dialect::Sqlite, Type::DateTimeOffset) => {
            format!("tally_ticks(json_extract(d.value, '$.{key}'))")
        }
        (Dialect::Sqlite, _) => format!("json_extract(d.value, '$.{key}')"),
        (Dialect::Postgres, Type::Int32) => format!("((d.value->>'{key}')::bigint)"),
        (Dialect::Postgres, Type::DateTimeOffset) => format!("tally_ticks(d.value->>'{key}')"),
        (Dialect::Postgres, _) => format!("(d.value->>'{key}')"),
    });
}

/// The items in `range`, joined by `separator`, in parentheses: flat when few; a long list in
/// halves, nested, since SQLite counts each operator of a flat chain as a level of its
/// expression tree (at most 1,000: "Expression tree is too large"), and halves nest log2(n) deep.
fn nested(
    range: std::ops::Range<usize>,
    separator: &str,
    out: &mut SqlBuilder,
    item: &mut impl FnMut(usize, &mut SqlBuilder),
) {
    out.push("(");
    if range.len() <= 16 {
        for index in range.clone() {
            if index > range.start {
                out.push(separator);
            }
            item(index, out);
        }
    } else {
        let middle = range.start + range.len() / 2;
        nested(range.start..middle, separator, out, item);
        out.push(separator);
        nested(middle..range.end, separator, out, item);
    }
    out.push(")");
}
