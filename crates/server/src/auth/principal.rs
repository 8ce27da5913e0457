//! Who is calling, after the token checked out, and what they may do (SPEC §9).

use tally_model::resources::Permissions;
use uuid::Uuid;

/// A delegated (user) token carries scopes and directory roles; an application token, roles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grant {
    Delegated {
        scopes: Vec<String>,
        wids: Vec<String>,
    },
    Application {
        roles: Vec<String>,
    },
}

/// The caller of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub tenant: Uuid,
    /// The calling application (`appid` or `azp`), for throttling.
    pub app_id: String,
    pub grant: Grant,
}

fn has(list: &[String], wanted: &str) -> bool {
    list.iter().any(|item| item.eq_ignore_ascii_case(wanted))
}

impl Principal {
    /// Whether the caller may read (or, with `write`, write) what `permissions` guard: one of
    /// the permissions (a delegated scope or an application role), and for a user also one of
    /// the directory roles (where the permissions name any: reading the directory needs none).
    pub fn allows(&self, permissions: &Permissions, write: bool) -> bool {
        let (wanted, roles) = if write {
            (permissions.write, permissions.write_roles)
        } else {
            (permissions.read, permissions.read_roles)
        };
        match &self.grant {
            Grant::Delegated { scopes, wids } => {
                wanted.iter().any(|p| has(scopes, p))
                    && (roles.is_empty() || roles.iter().any(|r| has(wids, r)))
            }
            Grant::Application { roles } => wanted.iter().any(|p| has(roles, p)),
        }
    }
}
