//! `tally collect` (SPEC §12.4): signs in with client credentials (a secret, or a certificate's
//! client assertion), reads a tenant's `subscribedSkus`, `directory/subscriptions` (SPEC §13.2;
//! without the permission, none) and `users` from Microsoft Graph (or any Graph-compatible
//! service, such as another tally) following every `@odata.nextLink`, retrying
//! 429 and 503 (and 5xx and broken connections) after their Retry-After or a backoff, a capped
//! number of times; then replaces the tenant's directory in the store in one transaction
//! ([`Store::replace_directory`]: a failed collect changes nothing), and takes the derived
//! snapshot (`crate::snapshots::take`). Everything is read before the store is touched, within
//! bounds ([`limits`]: pages, bytes a page, time), each page streamed into typed records
//! ([`page`], [`records`]). One summary line on stdout, for cron's logs; errors are one line on
//! stderr and a non-zero exit; whatever is printed has its control characters escaped
//! ([`terminal`]).

mod graph;
mod limits;
mod page;
mod records;
mod subscriptions;
mod terminal;

use std::time::Instant;

use anyhow::Context;
use tally_model::directory::{AssignedLicense, Sku, User};
use tally_model::Entity;
use tally_odata::edm::DateTimeOffset;
use tally_store::directory::DirectoryError;
use tally_store::Store;

use super::storage::open_store;
use crate::cli::CollectArgs;
use crate::snapshots::take;
use graph::{checked_url, Certificate, Credential, Graph};
use limits::{Limits, Pages};
use records::{GraphSku, GraphUser, UnparsableDates};

/// What a user page asks for: what the directory keeps of a user.
const USER_SELECT: &str = "id,userPrincipalName,displayName,givenName,surname,jobTitle,mail,\
mailNickname,accountEnabled,userType,usageLocation,assignedLicenses,signInActivity";
/// Graph's error code for signInActivity asked of a tenant without Entra ID P1 or P2.
const NON_PREMIUM: &str = "Authentication_RequestFromNonPremiumTenantOrB2CTenant";

pub fn run(args: CollectArgs) -> anyhow::Result<()> {
    // Its error may quote Graph (a userPrincipalName, Graph's message): shown escaped, on one
    // line.
    collect(args).map_err(|error| anyhow::anyhow!(terminal::escape(&format!("{error:#}"))))
}

fn collect(args: CollectArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let limits = Limits::new(args.max_pages, args.max_page_bytes, args.timeout);
    let authority = checked_url("--authority", &args.authority)?;
    let graph = checked_url("--graph-url", &args.graph_url)?;
    let credential = match (&args.client_secret, &args.certificate) {
        (Some(secret), _) => Credential::Secret(secret.clone()),
        (None, Some(path)) => {
            let pem = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            Credential::Certificate(
                Certificate::from_pem(&pem).with_context(|| format!("{}", path.display()))?,
            )
        }
        (None, None) => anyhow::bail!("--client-secret or --certificate is required"),
    };
    let tenant = args.tenant;
    let mut client = Graph::new(
        &authority,
        tenant,
        &graph,
        args.client_id.clone(),
        credential,
        args.max_attempts,
        limits,
    )?;

    let progress =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    progress.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {pos} users {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    let read = read_tenant(
        &mut client,
        &graph,
        args.page_size.max(1),
        &limits,
        &progress,
    );
    progress.finish_and_clear();
    let Tenant {
        skus,
        subscriptions,
        users,
        unparsable_dates,
    } = read.context("reading the tenant from Graph (the store is unchanged)")?;
    if let Some(warning) = unparsable_dates.warning() {
        eprintln!("{}", terminal::escape(&warning));
    }

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (stored, snapshot) = runtime.block_on(async {
        let store = open_store(&args.store).await?;
        let result = store_tenant(&store, tenant, skus, users, subscriptions).await;
        store.shutdown();
        result
    })?;
    let snapshot = match snapshot {
        Some(id) => format!("snapshot {id}"),
        None => "a snapshot of this minute exists already; none taken".to_owned(),
    };
    println!(
        "collected tenant {tenant}: {} SKUs, {} subscriptions, {} users in {:.1} s ({} retries); \
         {snapshot}",
        stored.skus,
        stored.subscriptions,
        stored.users,
        started.elapsed().as_secs_f64(),
        client.retries
    );
    Ok(())
}

async fn store_tenant(
    store: &Store,
    tenant: tally_store::TenantId,
    skus: Vec<Sku>,
    users: Vec<(User, Vec<AssignedLicense>)>,
    subscriptions: Vec<Entity>,
) -> anyhow::Result<(tally_store::directory::ReplaceOutcome, Option<uuid::Uuid>)> {
    let stored = store
        .replace_directory(tenant, skus, users, subscriptions)
        .await
        .map_err(|error| match error {
            DirectoryError::NotFound => anyhow::anyhow!("not found"),
            DirectoryError::BadRequest(message) => anyhow::anyhow!(message),
            DirectoryError::Store(error) => anyhow::Error::new(error),
        })
        .context("storing the tenant's directory (the store is unchanged)")?;
    store.refresh_directory_statistics().await?;
    let at = DateTimeOffset::parse(&tally_store::directory::now_text())
        .map_err(|error| anyhow::anyhow!("now: {error}"))?;
    let snapshot = take(store, tenant, &at)
        .await
        .context("taking the snapshot (the directory was stored)")?;
    Ok((stored, snapshot))
}

/// What collect read of a tenant.
struct Tenant {
    skus: Vec<Sku>,
    /// As Graph reported them; none when Graph refused them (403).
    subscriptions: Vec<Entity>,
    users: Vec<(User, Vec<AssignedLicense>)>,
    unparsable_dates: UnparsableDates,
}

/// Reads the tenant's SKUs, then its subscriptions, then its users, page by page: at most
/// `--max-pages` pages in all, and none twice.
fn read_tenant(
    client: &mut Graph,
    graph: &str,
    page_size: u32,
    limits: &Limits,
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<Tenant> {
    let mut pages = Pages::new(limits.max_pages);
    let mut skus = Vec::new();
    let mut next = Some(format!("{graph}/v1.0/subscribedSkus"));
    while let Some(url) = next.take() {
        pages.admit(&url)?;
        let page = client.get_page(&url, GraphSku::into_sku)?;
        skus.extend(page.records);
        next = client.next_link(page.next_link)?;
    }
    let subscriptions = subscriptions::read(client, graph, &mut pages)?.unwrap_or_else(|| {
        // The whole directory is replaced: the tenant's stored subscriptions go too.
        progress.suspend(|| {
            eprintln!(
                "the app may not read /directory/subscriptions (HTTP 403): collected without \
                 subscriptions, and the tenant's stored ones are dropped; grant it {} to \
                 collect them",
                subscriptions::READ_PERMISSIONS
            )
        });
        Vec::new()
    });
    progress.set_message(format!(
        "({} SKUs, {} subscriptions)",
        skus.len(),
        subscriptions.len()
    ));
    let mut users = Vec::new();
    let mut unparsable_dates = UnparsableDates::default();
    let first = format!("{graph}/v1.0/users?$select={USER_SELECT}&$top={page_size}");
    let mut next = Some(first.clone());
    while let Some(url) = next.take() {
        pages.admit(&url)?;
        let page = match client.get_page(&url, GraphUser::into_record) {
            // Graph answers signInActivity only in tenants with Entra ID P1 or P2: without,
            // the users are read without it (and their sign-ins are unknown).
            Err(error) if url == first && format!("{error}").contains(NON_PREMIUM) => {
                progress.suspend(|| {
                    eprintln!(
                        "the tenant has no Entra ID P1 or P2: users are read without signInActivity"
                    )
                });
                let select = USER_SELECT.replace(",signInActivity", "");
                let url = format!("{graph}/v1.0/users?$select={select}&$top={page_size}");
                pages.admit(&url)?;
                client.get_page(&url, GraphUser::into_record)?
            }
            page => page?,
        };
        for record in page.records {
            unparsable_dates.count(record.unparsable_date);
            users.push((record.user, record.licenses));
        }
        progress.set_position(users.len() as u64);
        next = client.next_link(page.next_link)?;
    }
    Ok(Tenant {
        skus,
        subscriptions,
        users,
        unparsable_dates,
    })
}
