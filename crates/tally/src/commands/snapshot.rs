//! `tally snapshot --tenant GUID | --all-tenants [--at T]`: takes an azureADLicenseUsage
//! snapshot derived from each tenant's directory by SPEC §12.3's rules, stored like any other
//! (durable when the command returns), on the same store as the server, running or not. A
//! tenant that has a snapshot in the same minute already gets no second one. The counting is
//! `crate::snapshots::take`, which `tally serve --snapshot-daily` uses too.

use tally_odata::edm::DateTimeOffset;

use super::storage::open_store;
use crate::cli::SnapshotArgs;
use crate::snapshots::take;

pub fn run(args: SnapshotArgs) -> anyhow::Result<()> {
    let at = match &args.at {
        Some(text) => DateTimeOffset::parse(text)
            .map_err(|error| anyhow::anyhow!("--at: '{text}' is not a DateTimeOffset: {error}"))?,
        None => now(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = open_store(&args.store).await?;
        let tenants = match args.tenant {
            Some(tenant) => vec![tenant],
            None => store.directory_tenants().await?,
        };
        let mut result = Ok(());
        for tenant in tenants {
            match take(&store, tenant, &at).await {
                Ok(Some(id)) => println!("tenant {tenant}: snapshot {id} at {}", at.as_str()),
                Ok(None) => println!(
                    "tenant {tenant}: a snapshot of this minute exists already; none taken"
                ),
                Err(error) => {
                    eprintln!("tenant {tenant}: {error:#}");
                    result = Err(anyhow::anyhow!("a snapshot failed (see above)"));
                }
            }
        }
        store.shutdown();
        result
    })
}

/// Now, in UTC, to the second.
fn now() -> DateTimeOffset {
    let text = tally_store::directory::now_text();
    DateTimeOffset::parse(&text).expect("now_text writes a DateTimeOffset")
}
