//! `tally dashboard`: print a link to the dashboard whose URL fragment carries a short-lived,
//! read-only application token: `Reports.Read.All` for the usage report, and
//! `LicenseAssignment.Read.All` and `User.Read.All` for the Licenses view (the tenant's SKUs and
//! who holds them), and `AuditLog.Read.All` besides `User.Read.All` for the Reclaim view (who
//! has not signed in lately: sign-in activity is audit data); no role that writes. The fragment never reaches the server or its logs; the
//! page moves the token to session storage and clears the address bar.

use std::time::Duration;

use tally_server::auth::{mint_token, LocalKey, TokenRequest};

use crate::cli::DashboardArgs;

/// The link's roles: read the reports, the SKUs, the users and their sign-in activity; write
/// nothing.
const ROLES: [&str; 4] = [
    "Reports.Read.All",
    "LicenseAssignment.Read.All",
    "User.Read.All",
    "AuditLog.Read.All",
];
/// A link is for looking now, not for bookmarking.
const LONGEST_TTL: Duration = Duration::from_secs(24 * 3600);

pub fn run(args: DashboardArgs) -> anyhow::Result<()> {
    if args.ttl.is_zero() || args.ttl > LONGEST_TTL {
        anyhow::bail!("--ttl: a dashboard link lives between 1 second and 24h");
    }
    let base = base_url(&args.url)?;
    let key = LocalKey::load_or_create(&args.data_dir)?;
    let request = TokenRequest {
        tenant: args.tenant,
        scopes: Vec::new(),
        roles: ROLES.iter().map(|role| (*role).to_owned()).collect(),
        wids: Vec::new(),
        application: true,
        lifetime: args.ttl,
    };
    println!("{base}/#token={}", mint_token(&key, &request)?);
    Ok(())
}

/// `http(s)://host[:port][/prefix]` without a trailing slash, query or fragment.
fn base_url(url: &str) -> anyhow::Result<&str> {
    let base = url.trim().trim_end_matches('/');
    let has_scheme = base.starts_with("http://") || base.starts_with("https://");
    if !has_scheme || base.contains(['?', '#']) || base.ends_with("//") {
        anyhow::bail!("--url: '{url}' is not a base URL such as http://127.0.0.1:8080");
    }
    Ok(base)
}

#[cfg(test)]
mod tests {
    use super::{base_url, ROLES};

    #[test]
    fn the_link_reads_reports_skus_users_and_sign_ins_and_writes_nothing() {
        for role in [
            "Reports.Read.All",
            "LicenseAssignment.Read.All",
            "User.Read.All",
            "AuditLog.Read.All",
        ] {
            assert!(ROLES.contains(&role), "{role}");
        }
        for role in ROLES {
            assert!(role.ends_with(".Read.All"), "{role} is not read-only");
        }
    }

    #[test]
    fn base_urls_lose_their_trailing_slash() {
        assert_eq!(
            base_url("http://127.0.0.1:8080/").ok(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            base_url("https://tally.example/reports").ok(),
            Some("https://tally.example/reports")
        );
    }

    #[test]
    fn other_strings_are_refused() {
        for url in [
            "127.0.0.1:8080",
            "ftp://x",
            "http://x/?a=1",
            "http://x/#y",
            "http://",
        ] {
            assert!(base_url(url).is_err(), "{url}");
        }
    }
}
