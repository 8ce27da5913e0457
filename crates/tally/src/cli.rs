//! The command line (SPEC §11). Every flag can also be set with a `TALLY_*` variable.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use tally_model::ResourceDef;
use tally_store::Location;

#[derive(Parser, Debug)]
#[command(
    name = "tally",
    version,
    about = "A Microsoft Graph-compatible service for Azure AD license usage reports"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// How logs on stderr are written: `text` for people, `json` (one object a line) for
    /// collectors.
    #[arg(
        long,
        global = true,
        env = "TALLY_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text
    )]
    pub log_format: LogFormat,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

// Parsed once at start: the size of the largest variant (serve's flags) does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the Graph API.
    Serve(ServeArgs),
    /// Print a bearer token signed with the data directory's local key.
    Token(TokenArgs),
    /// Print a dashboard link carrying a short-lived, read-only token.
    Dashboard(DashboardArgs),
    /// Bulk-load one tenant's objects of a resource from JSON lines (or its snapshots from CSV),
    /// while the server runs or not.
    Import(ImportArgs),
    /// Write one tenant's objects of a resource as JSON lines (or its snapshots as CSV).
    Export(ExportArgs),
    /// Take a license-usage snapshot derived from a tenant's directory (SPEC §12.3).
    Snapshot(SnapshotArgs),
    /// Register, list and remove the apps that may sign in with client credentials (SPEC §12.4).
    App(AppArgs),
    /// Copy a real tenant's SKUs and users from Microsoft Graph (or any Graph-compatible
    /// service) into the store, then take a derived snapshot (SPEC §12.4).
    Collect(CollectArgs),
    /// Set, list and import what a tenant's licenses cost (SPEC §13.3), for `licenseCosts`.
    Price(PriceArgs),
    /// Add, list and remove a tenant's license alert rules (SPEC §13.4).
    Alert(AlertArgs),
}

#[derive(Args, Debug)]
pub struct AlertArgs {
    #[command(subcommand)]
    pub command: AlertCommand,
}

#[derive(Subcommand, Debug)]
pub enum AlertCommand {
    /// Add a rule; prints `id=<id>`.
    Add(AlertAddArgs),
    /// Print the tenant's rules, one a line.
    List(AlertListArgs),
    /// Remove a rule.
    Remove(AlertRemoveArgs),
}

#[derive(Args, Debug)]
pub struct AlertAddArgs {
    #[arg(long, env = "TALLY_TENANT")]
    pub tenant: uuid::Uuid,
    /// What the rule watches: lowFreeUnits, overAssigned, premiumOverUse, renewalDue,
    /// groupLicenseErrors or inactiveLicensed.
    #[arg(long)]
    pub kind: String,
    /// The SKU it watches (lowFreeUnits, overAssigned): a skuId or a skuPartNumber; every SKU
    /// when left out.
    #[arg(long)]
    pub sku: Option<String>,
    /// lowFreeUnits: free units at or below which it alerts (default 0); inactiveLicensed: the
    /// inactive or disabled holders from which it alerts (default 1).
    #[arg(long)]
    pub threshold: Option<u32>,
    /// renewalDue: how many days ahead a renewal is due (default 30).
    #[arg(long)]
    pub days: Option<u32>,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Args, Debug)]
pub struct AlertListArgs {
    #[arg(long, env = "TALLY_TENANT")]
    pub tenant: uuid::Uuid,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Args, Debug)]
pub struct AlertRemoveArgs {
    /// The rule's id, as `add` and `list` print it.
    pub id: uuid::Uuid,
    /// The tenant the rule belongs to.
    #[arg(long, env = "TALLY_TENANT")]
    pub tenant: uuid::Uuid,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Args, Debug)]
pub struct PriceArgs {
    #[command(subcommand)]
    pub command: PriceCommand,
}

#[derive(Subcommand, Debug)]
pub enum PriceCommand {
    /// Set (create or replace) the price of one SKU.
    Set(PriceSetArgs),
    /// Print the tenant's prices, one a line.
    List(PriceListArgs),
    /// Set prices from a CSV file with the header `skuPartNumber,unitPrice,currency,billingPeriod`;
    /// a bad row is reported with its line number and skipped, and the command then exits 1.
    Import(PriceImportArgs),
}

#[derive(Args, Debug)]
pub struct PriceSetArgs {
    #[arg(long, env = "TALLY_TENANT")]
    pub tenant: uuid::Uuid,
    /// The SKU: its skuId, or its skuPartNumber (SPE_E5) as the tenant's SKUs or Microsoft's
    /// product table name it.
    #[arg(long)]
    pub sku: String,
    /// The price of one unit, with at most four decimals (57.00).
    #[arg(long)]
    pub price: String,
    /// An ISO 4217 currency code (USD).
    #[arg(long)]
    pub currency: String,
    /// Charged per month or per year.
    #[arg(long = "per", value_enum, default_value_t = BillingPeriodArg::Month)]
    pub period: BillingPeriodArg,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BillingPeriodArg {
    Month,
    Year,
}

#[derive(Args, Debug)]
pub struct PriceListArgs {
    #[arg(long, env = "TALLY_TENANT")]
    pub tenant: uuid::Uuid,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Args, Debug)]
pub struct PriceImportArgs {
    /// The CSV file.
    pub file: PathBuf,
    #[arg(long, env = "TALLY_TENANT")]
    pub tenant: uuid::Uuid,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Args, Debug)]
// The store's flags, in serve's own words (the server's data directory holds its key too).
#[command(
    mut_arg("data_dir", |arg| arg.help("Where the embedded database and the signing key live")),
    mut_arg("database_url", |arg| arg
        .help("PostgreSQL connection URL (`postgres://user@host/db`): share one database between processes")
        .conflicts_with("in_memory")),
)]
pub struct ServeArgs {
    /// A TOML file of these settings, keyed by the flags' names (`listen = "0.0.0.0:8080"`,
    /// `data-dir` or `data_dir`, ...). Flags and TALLY_* variables override it.
    #[arg(long, env = "TALLY_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, env = "TALLY_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Keep no data on disk (for test suites that want speed over durability); the signing key
    /// still lives in the data directory.
    #[arg(long, env = "TALLY_IN_MEMORY")]
    pub in_memory: bool,
    /// The URL clients reach this service at, for absolute links (default: from the Host header).
    #[arg(long, env = "TALLY_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The largest request body accepted, in bytes.
    #[arg(long, env = "TALLY_BODY_LIMIT", default_value_t = 1024 * 1024)]
    pub body_limit: usize,
    /// Throttle each tenant and application to N requests per second (burst 2N); off by default.
    #[arg(long, env = "TALLY_RATE_LIMIT")]
    pub rate_limit: Option<std::num::NonZeroU32>,
    /// A JWKS file of Entra ID signing keys to trust (RS256), besides the local key.
    #[arg(long, env = "TALLY_JWKS_FILE", conflicts_with = "jwks_url")]
    pub jwks_file: Option<PathBuf>,
    /// A JWKS URL of Entra ID signing keys, e.g.
    /// https://login.microsoftonline.com/common/discovery/v2.0/keys (cached and refreshed).
    #[arg(long, env = "TALLY_JWKS_URL")]
    pub jwks_url: Option<String>,
    /// An audience to accept besides Microsoft Graph's (repeatable; the env var takes a
    /// comma-separated list).
    #[arg(long = "audience", env = "TALLY_AUDIENCE", value_delimiter = ',')]
    pub audiences: Vec<String>,
    /// Requests in flight at most; the excess is answered 503 with Retry-After at once.
    #[arg(long, env = "TALLY_MAX_IN_FLIGHT", default_value_t = 1024)]
    pub max_in_flight: usize,
    /// Open connections at most (lowered to fit the open-files limit); more are closed at once.
    #[arg(long, env = "TALLY_MAX_CONNECTIONS", default_value_t = 4096)]
    pub max_connections: usize,
    /// A TLS handshake must finish within this (such as 10s).
    #[arg(long, env = "TALLY_HANDSHAKE_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub handshake_timeout: std::time::Duration,
    /// A request's headers must arrive within this; a new connection's first request too.
    #[arg(long, env = "TALLY_HEADER_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub header_timeout: std::time::Duration,
    /// A connection without a request in flight for this long is closed.
    #[arg(long, env = "TALLY_IDLE_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub idle_timeout: std::time::Duration,
    /// On SIGTERM, connections still open after this are dropped and the process ends.
    #[arg(long, env = "TALLY_DRAIN_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub drain_timeout: std::time::Duration,
    /// A read (list, count, report) running longer than this is stopped: 504.
    #[arg(long, env = "TALLY_QUERY_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub query_timeout: std::time::Duration,
    /// PostgreSQL: connecting, and any call that gets no answer, give up after this (503).
    #[arg(long, env = "TALLY_DATABASE_TIMEOUT", default_value = "3s", value_parser = parse_duration)]
    pub database_timeout: std::time::Duration,
    /// The most values an `in` list of $filter may have (more: 400).
    #[arg(long, env = "TALLY_MAX_IN_LIST", default_value_t = 100)]
    pub max_in_list: usize,
    /// Once a day at HH:MM UTC (24-hour), take a derived license-usage snapshot of every tenant
    /// with directory data, as `tally snapshot --all-tenants` would (SPEC §12.3); off by default.
    #[arg(
        long,
        env = "TALLY_SNAPSHOT_DAILY",
        value_name = "HH:MM",
        value_parser = crate::snapshots::daily::DailyTime::parse
    )]
    pub snapshot_daily: Option<crate::snapshots::daily::DailyTime>,
    /// Serve HTTPS with this PEM certificate (chain), with --tls-key.
    #[arg(
        long,
        env = "TALLY_TLS_CERT",
        requires = "tls_key",
        conflicts_with = "tls_self_signed"
    )]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1).
    #[arg(long, env = "TALLY_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Serve HTTPS with a certificate for localhost, 127.0.0.1 and ::1, made on first start as
    /// <data-dir>/tls/cert.pem (and key.pem) and kept; clients trust that file.
    #[arg(long, env = "TALLY_TLS_SELF_SIGNED")]
    pub tls_self_signed: bool,
}

/// Where the server's store is, declared once for every command that opens it: the embedded
/// store in the data directory, or the PostgreSQL database.
#[derive(Args, Debug)]
pub struct StoreArgs {
    /// The server's data directory (embedded store).
    #[arg(long, env = "TALLY_DATA_DIR", default_value = "./tally-data")]
    pub data_dir: PathBuf,
    /// The server's PostgreSQL database, instead of the data directory.
    #[arg(long, env = "TALLY_DATABASE_URL")]
    pub database_url: Option<String>,
}

impl StoreArgs {
    /// The store these flags name (`serve --in-memory` aside, which only the server has).
    pub fn location(&self) -> Location<'_> {
        Location::from_flags(self.database_url.as_deref(), false, &self.data_dir)
    }
}

#[derive(Args, Debug)]
pub struct TokenArgs {
    /// The tenant (the token's `tid`).
    #[arg(long, env = "TALLY_TENANT")]
    pub tenant: uuid::Uuid,
    /// A delegated scope; default Reports.ReadWrite.All when neither --scope nor --role is given.
    #[arg(long = "scope")]
    pub scopes: Vec<String>,
    /// An application role (with --app); default Reports.ReadWrite.All.
    #[arg(long = "role")]
    pub roles: Vec<String>,
    /// A directory role template id for a delegated token; default Global Administrator.
    #[arg(long = "wids")]
    pub wids: Vec<String>,
    /// Mint an application token (roles) instead of a delegated one (scopes and wids).
    #[arg(long)]
    pub app: bool,
    /// Lifetime, such as 30m, 1h or 7d.
    #[arg(long, default_value = "1h", value_parser = parse_duration)]
    pub ttl: std::time::Duration,
    /// The data directory whose key signs the token.
    #[arg(long, env = "TALLY_DATA_DIR", default_value = "./tally-data")]
    pub data_dir: PathBuf,
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["tenant", "all_tenants"])))]
pub struct SnapshotArgs {
    /// The tenant whose directory to count.
    #[arg(long, env = "TALLY_TENANT")]
    pub tenant: Option<uuid::Uuid>,
    /// Every tenant that has directory data (SKUs or users).
    #[arg(long)]
    pub all_tenants: bool,
    /// The snapshot's time (default: now), e.g. to backfill a day: 2026-11-30T00:00:00Z.
    #[arg(long)]
    pub at: Option<String>,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Args, Debug)]
pub struct AppArgs {
    #[command(subcommand)]
    pub command: AppCommand,
}

#[derive(Subcommand, Debug)]
pub enum AppCommand {
    /// Register an app; prints `client_id=…` and `client_secret=…` (the secret only this once),
    /// or with --certificate only `client_id=…`.
    Add(AppAddArgs),
    /// Print the registered apps (never their secrets).
    List(AppListArgs),
    /// Remove an app: its token requests are refused from then on.
    Remove(AppRemoveArgs),
}

#[derive(Args, Debug)]
pub struct AppAddArgs {
    /// The tenant the app belongs to (its tokens' `tid`).
    #[arg(long, env = "TALLY_TENANT")]
    pub tenant: uuid::Uuid,
    /// An application permission its tokens carry in `roles` (repeatable; at least one), such as
    /// Reports.Read.All.
    #[arg(long = "role", required = true)]
    pub roles: Vec<String>,
    /// Its display name (`app_displayname` in its tokens).
    #[arg(long, default_value = "tally app")]
    pub name: String,
    /// Sign in with client assertions signed by this PEM certificate's RSA key instead of a
    /// secret: only `client_id=…` is printed, and no secret is made.
    #[arg(long)]
    pub certificate: Option<PathBuf>,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Args, Debug)]
pub struct AppListArgs {
    /// Only this tenant's apps.
    #[arg(long, env = "TALLY_TENANT")]
    pub tenant: Option<uuid::Uuid>,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Args, Debug)]
pub struct AppRemoveArgs {
    /// The app's client id.
    #[arg(long)]
    pub client_id: uuid::Uuid,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("credential").required(true).args(["client_secret", "certificate"])))]
pub struct CollectArgs {
    /// The tenant to read (and to store it as).
    #[arg(long, env = "TALLY_TENANT")]
    pub tenant: uuid::Uuid,
    /// The app registration's client (application) id.
    #[arg(long, env = "TALLY_COLLECT_CLIENT_ID")]
    pub client_id: String,
    /// The app's client secret (better in the environment, out of `ps`).
    #[arg(long, env = "TALLY_COLLECT_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: Option<String>,
    /// Sign in with a client assertion signed by this PEM file's RSA key instead: the
    /// certificate and its private key, in one file.
    #[arg(long, env = "TALLY_COLLECT_CERTIFICATE")]
    pub certificate: Option<PathBuf>,
    /// The sign-in authority (https; http only on loopback addresses).
    #[arg(
        long,
        env = "TALLY_COLLECT_AUTHORITY",
        default_value = "https://login.microsoftonline.com"
    )]
    pub authority: String,
    /// Graph's base URL, before `/v1.0` (https; http only on loopback addresses).
    #[arg(
        long,
        env = "TALLY_COLLECT_GRAPH_URL",
        default_value = "https://graph.microsoft.com"
    )]
    pub graph_url: String,
    /// Users asked for per page (`$top`); tests page small.
    #[arg(long, default_value_t = 999, hide = true)]
    pub page_size: u32,
    /// Attempts per request before the collect gives up (throttling, outages).
    #[arg(long, default_value_t = 8, hide = true)]
    pub max_attempts: u32,
    /// Pages read from Graph at most, SKUs and users together (999 users a page: the default
    /// reads tenants of millions); a nextLink that never ends fails the collect here.
    #[arg(long, env = "TALLY_COLLECT_MAX_PAGES", default_value_t = 50_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_pages: u64,
    /// The largest page read from Graph, in bytes, or with K, M or G (KiB, MiB, GiB); a page
    /// of 999 users is a few MiB.
    #[arg(long, env = "TALLY_COLLECT_MAX_PAGE_BYTES", default_value = "32M", value_parser = parse_size)]
    pub max_page_bytes: u64,
    /// Reading the tenant from Graph (sign-in, every page, the waits of retries) must be done
    /// within this (such as 6h), so that a daily run never piles up on the next.
    #[arg(long, env = "TALLY_COLLECT_TIMEOUT", default_value = "6h", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Args, Debug)]
pub struct DashboardArgs {
    /// The tenant whose license usage the link shows.
    #[arg(long, env = "TALLY_TENANT")]
    pub tenant: uuid::Uuid,
    /// The URL the browser reaches tally at.
    #[arg(
        long,
        env = "TALLY_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub url: String,
    /// How long the link's token is valid, such as 30m or 1h (at most 24h).
    #[arg(long, default_value = "1h", value_parser = parse_duration)]
    pub ttl: std::time::Duration,
    /// The data directory whose key signs the token (the server's).
    #[arg(long, env = "TALLY_DATA_DIR", default_value = "./tally-data")]
    pub data_dir: PathBuf,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The file to load (`-` for stdin): JSON lines, or CSV when it ends in `.csv`.
    pub file: PathBuf,
    /// The tenant the objects belong to.
    #[arg(long, env = "TALLY_TENANT")]
    pub tenant: uuid::Uuid,
    /// The resource the records are objects of (its collection's name, or `subscribedSkus` or
    /// `users`).
    #[arg(long, default_value = "azureADLicenseUsage", value_parser = parse_collection)]
    pub resource: Collection,
    /// The file's format (default: from its extension; CSV is azureADLicenseUsage's).
    #[arg(long, value_enum)]
    pub format: Option<crate::commands::storage::Format>,
    /// Snapshots per transaction (each holds SQLite's single write lock for some tens of
    /// milliseconds, so a running server's writes interleave).
    #[arg(long, default_value_t = 10000)]
    pub batch_size: usize,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The tenant whose objects to write.
    #[arg(long, env = "TALLY_TENANT")]
    pub tenant: uuid::Uuid,
    /// The resource whose objects to write (its collection's name, or `subscribedSkus` or
    /// `users`).
    #[arg(long, default_value = "azureADLicenseUsage", value_parser = parse_collection)]
    pub resource: Collection,
    /// The format (default: from --output's extension, else JSON lines; CSV is
    /// azureADLicenseUsage's).
    #[arg(long, value_enum)]
    pub format: Option<crate::commands::storage::Format>,
    /// Write here instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// What `import` and `export` move: a report's objects, or the directory's SKUs or users.
#[derive(Clone, Copy, Debug)]
pub enum Collection {
    Report(&'static ResourceDef),
    SubscribedSkus,
    Users,
}

impl Collection {
    pub fn name(self) -> &'static str {
        match self {
            Collection::Report(def) => def.collection,
            Collection::SubscribedSkus => "subscribedSkus",
            Collection::Users => "users",
        }
    }
}

/// A collection by its name, e.g. `azureADFeatureUsage` or `users` (case-insensitive).
fn parse_collection(name: &str) -> Result<Collection, String> {
    if name.eq_ignore_ascii_case("subscribedSkus") {
        return Ok(Collection::SubscribedSkus);
    }
    if name.eq_ignore_ascii_case("users") {
        return Ok(Collection::Users);
    }
    ResourceDef::by_name(name)
        .filter(|def| def.rule.is_none())
        .map(Collection::Report)
        .ok_or_else(|| {
            let names: Vec<&str> = tally_model::resources::ALL
                .iter()
                .filter(|def| def.rule.is_none())
                .map(|def| def.collection)
                .chain(["subscribedSkus", "users"])
                .collect();
            format!(
                "no resource '{name}'; the resources are {}",
                names.join(", ")
            )
        })
}

/// A size in bytes: a number, optionally followed by K, M or G (or KiB, MiB, GiB: 1024-based).
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a size such as 32M or 1048576"))?;
    let shift = match unit.trim() {
        "" => 0,
        "K" | "k" | "KiB" => 10,
        "M" | "MiB" => 20,
        "G" | "GiB" => 30,
        other => {
            return Err(format!(
                "unknown unit '{other}' in '{text}'; use K, M or G (1024-based)"
            ))
        }
    };
    number
        .checked_mul(1 << shift)
        .filter(|bytes| *bytes > 0)
        .ok_or_else(|| format!("'{text}' must be at least 1 byte and fit in 64 bits"))
}

/// `90s`, `30m`, `1h`, `7d`, or plain seconds.
fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a duration such as 30m or 1h"))?;
    let seconds = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "unknown unit '{unit}' in '{text}'; use s, m, h or d"
            ))
        }
    };
    Ok(std::time::Duration::from_secs(number * seconds))
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_are_bytes_or_1024_based_multiples() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("32M"), Ok(32 << 20));
        assert_eq!(parse_size("64 KiB"), Ok(64 << 10));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert!(parse_size("0").is_err());
        assert!(parse_size("12MB").is_err());
        assert!(parse_size("99999999999G").is_err());
    }
}
