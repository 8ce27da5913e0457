//! `tally token`: print a JWT signed with the data directory's local key.

use tally_server::auth::{mint_token, LocalKey, TokenRequest};

use crate::cli::TokenArgs;

const READ_WRITE_ALL: &str = "Reports.ReadWrite.All";
const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";

pub fn run(args: TokenArgs) -> anyhow::Result<()> {
    let key = LocalKey::load_or_create(&args.data_dir)?;
    let defaults = args.scopes.is_empty() && args.roles.is_empty();
    let request = TokenRequest {
        tenant: args.tenant,
        scopes: if defaults && !args.app {
            vec![READ_WRITE_ALL.into()]
        } else {
            args.scopes
        },
        roles: if defaults && args.app {
            vec![READ_WRITE_ALL.into()]
        } else {
            args.roles
        },
        wids: if args.wids.is_empty() && defaults {
            vec![GLOBAL_ADMINISTRATOR.into()]
        } else {
            args.wids
        },
        application: args.app,
        lifetime: args.ttl,
    };
    println!("{}", mint_token(&key, &request)?);
    Ok(())
}
