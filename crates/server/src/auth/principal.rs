//! Who is calling, after the token checked out, and what they may do (SPEC §9).

use uuid::Uuid;

const READ_ALL: &str = "Reports.Read.All";
const READ_WRITE_ALL: &str = "Reports.ReadWrite.All";
const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
const REPORTS_READER: &str = "4a5d8f65-41da-4de4-8968-e035b65339cf";

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
    /// Reading needs Reports.Read.All or Reports.ReadWrite.All, and for a user a reader role.
    pub fn can_read(&self) -> bool {
        match &self.grant {
            Grant::Delegated { scopes, wids } => {
                (has(scopes, READ_ALL) || has(scopes, READ_WRITE_ALL))
                    && [GLOBAL_ADMINISTRATOR, GLOBAL_READER, REPORTS_READER]
                        .iter()
                        .any(|role| has(wids, role))
            }
            Grant::Application { roles } => has(roles, READ_ALL) || has(roles, READ_WRITE_ALL),
        }
    }

    /// Writing needs Reports.ReadWrite.All, and for a user the Global Administrator role.
    pub fn can_write(&self) -> bool {
        match &self.grant {
            Grant::Delegated { scopes, wids } => {
                has(scopes, READ_WRITE_ALL) && has(wids, GLOBAL_ADMINISTRATOR)
            }
            Grant::Application { roles } => has(roles, READ_WRITE_ALL),
        }
    }
}
