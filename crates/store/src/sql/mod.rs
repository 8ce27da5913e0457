//! SQL text for the read queries, in the dialect of each backend. Handlers describe reads with
//! [`ListQuery`](crate::ListQuery); this module is the one place that turns them into SQL, and
//! constants always travel as parameters, never as SQL text.

pub mod filter;
pub mod select;

/// The SQL dialects tally speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A parameter value, before it becomes a backend's own type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SqlParam {
    Int(i64),
    Text(String),
    /// NULL in an integer column.
    NullInt,
    /// NULL in a text column.
    NullText,
}

/// SQL text under construction, with its parameters.
pub struct SqlBuilder {
    pub dialect: Dialect,
    pub sql: String,
    pub params: Vec<SqlParam>,
}

impl SqlBuilder {
    pub fn new(dialect: Dialect) -> Self {
        Self {
            dialect,
            sql: String::new(),
            params: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) {
        self.sql.push_str(text);
    }

    /// Writes a placeholder for `param` (`?` or `$n` with a cast PostgreSQL can type).
    pub fn param(&mut self, param: SqlParam) {
        match self.dialect {
            Dialect::Sqlite => self.sql.push('?'),
            Dialect::Postgres => {
                let cast = match param {
                    SqlParam::Int(_) | SqlParam::NullInt => "bigint",
                    SqlParam::Text(_) | SqlParam::NullText => "text",
                };
                let number = self.params.len() + 1;
                self.sql.push_str(&format!("${number}::{cast}"));
            }
        }
        self.params.push(param);
    }
}

/// The column a property compares and sorts by: a DateTimeOffset's instant, else its value.
/// (The SQL of reads and the tables' layout both name columns by it; it lives here so that
/// `layout` uses `sql` and not the other way round.)
pub fn sort_column(property: &tally_odata::schema::Property) -> std::borrow::Cow<'static, str> {
    match property.ty {
        tally_odata::schema::Type::DateTimeOffset => {
            std::borrow::Cow::Owned(format!("{}_ticks", property.column))
        }
        _ => std::borrow::Cow::Borrowed(property.column),
    }
}
