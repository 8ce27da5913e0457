//! The apps' table in both dialects, and the statements both backends run (`?` placeholders;
//! PostgreSQL's are numbered by [`numbered`]). The SELECTs give the columns in the order
//! [`super::decode`] takes them.

use crate::sql::Dialect;

pub const TABLE: &str = "apps";

/// The table (`CREATE … IF NOT EXISTS`: run at every start, after the migrations). The client
/// id is the key: it is a random GUID, unique across tenants.
pub fn create_table(dialect: Dialect) -> String {
    let text = match dialect {
        Dialect::Sqlite => "TEXT",
        Dialect::Postgres => "TEXT COLLATE \"C\"",
    };
    format!(
        "CREATE TABLE IF NOT EXISTS {TABLE} (
    client_id TEXT NOT NULL PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    name {text} NOT NULL,
    secret_hash TEXT NOT NULL,
    roles TEXT NOT NULL,
    created TEXT NOT NULL,
    certificate_sha1 TEXT,
    certificate_sha256 TEXT,
    certificate_key TEXT
);
CREATE INDEX IF NOT EXISTS apps_by_tenant ON {TABLE} (tenant_id, created, client_id);
"
    )
}

pub const INSERT: &str =
    "INSERT INTO apps (tenant_id, client_id, name, secret_hash, roles, created, certificate_sha1, certificate_sha256, certificate_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
pub const SELECT_ONE: &str =
    "SELECT tenant_id, client_id, name, secret_hash, roles, created, certificate_sha1, certificate_sha256, certificate_key FROM apps WHERE client_id = ? AND tenant_id = ?";
pub const SELECT_TENANT: &str =
    "SELECT tenant_id, client_id, name, secret_hash, roles, created, certificate_sha1, certificate_sha256, certificate_key FROM apps WHERE tenant_id = ? ORDER BY tenant_id, created, client_id";
pub const SELECT_ALL: &str =
    "SELECT tenant_id, client_id, name, secret_hash, roles, created, certificate_sha1, certificate_sha256, certificate_key FROM apps ORDER BY tenant_id, created, client_id";
pub const DELETE: &str = "DELETE FROM apps WHERE client_id = ?";

/// `sql` with PostgreSQL's `$1, $2, …` for its `?`s.
pub fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}
