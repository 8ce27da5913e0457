//! `tally export --tenant GUID`: dump one tenant's snapshots, oldest first, as JSON lines or CSV
//! (the form `tally import` reads back), to stdout or `--output`, with a progress bar.

use std::fs::File;
use std::io::{BufWriter, Write};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use tally_model::{LicenseInfoDetail, LicenseUsage};
use tally_store::{ListQuery, Store, TenantId};

use super::import::CSV_COLUMNS;
use super::storage::{open_store, Format};
use crate::cli::ExportArgs;

const PAGE: usize = 1000;

/// One snapshot as a JSON line: the entity's properties, without OData annotations.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Record<'a> {
    id: &'a uuid::Uuid,
    snapshot_date_time: &'a str,
    license_info_details: &'a [LicenseInfoDetail],
}

pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    let format = args.format.unwrap_or_else(|| match &args.output {
        Some(path) => Format::from_path(path),
        None => Format::Jsonl,
    });
    let output: Box<dyn Write> = match &args.output {
        Some(path) => {
            Box::new(File::create(path).with_context(|| format!("creating {}", path.display()))?)
        }
        None => Box::new(std::io::stdout().lock()),
    };
    let mut output = BufWriter::with_capacity(1 << 16, output);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let written = runtime.block_on(async {
        let store = open_store(&args.data_dir, args.database_url.as_deref()).await?;
        let written = export(&store, args.tenant, format, &mut output).await;
        store.shutdown();
        written
    })?;
    output.flush().context("writing the output")?;
    if let Some(path) = &args.output {
        output
            .into_inner()
            .map_err(|error| error.into_error())
            .context("writing the output")?;
        eprintln!("exported {written} snapshots to {}", path.display());
    }
    Ok(())
}

async fn export(
    store: &Store,
    tenant: TenantId,
    format: Format,
    output: &mut impl Write,
) -> anyhow::Result<u64> {
    let total = store.count(tenant, ListQuery::default()).await?;
    let progress =
        ProgressBar::with_draw_target(Some(total), indicatif::ProgressDrawTarget::stderr());
    progress.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} snapshots",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    if format == Format::Csv {
        writeln!(output, "{}", CSV_COLUMNS.join(","))?;
    }
    let mut query = ListQuery {
        page_size: PAGE,
        ..ListQuery::default()
    };
    let mut written = 0u64;
    loop {
        let page = store.list(tenant, query.clone()).await?;
        written += page.items.len() as u64;
        for item in page.items {
            let stored = item.decode()?;
            match format {
                Format::Jsonl => write_json(output, &stored.usage)?,
                Format::Csv => write_csv(output, &stored.usage)?,
            }
        }
        progress.set_position(written);
        match page.next {
            Some(cursor) => query.after = Some(cursor),
            None => break,
        }
    }
    progress.finish_and_clear();
    Ok(written)
}

fn write_json(output: &mut impl Write, usage: &LicenseUsage) -> anyhow::Result<()> {
    serde_json::to_writer(
        &mut *output,
        &Record {
            id: &usage.id,
            snapshot_date_time: usage.snapshot_date_time.as_str(),
            license_info_details: &usage.license_info_details,
        },
    )?;
    output.write_all(b"\n")?;
    Ok(())
}

/// One row per licenseInfoDetail; a snapshot without any is one row with an empty licenseType.
/// No field needs quoting: dates, GUIDs, member names and integers have no commas or quotes.
fn write_csv(output: &mut impl Write, usage: &LicenseUsage) -> anyhow::Result<()> {
    let count = |value: Option<i32>| value.map(|n| n.to_string()).unwrap_or_default();
    let (date, id) = (usage.snapshot_date_time.as_str(), usage.id);
    if usage.license_info_details.is_empty() {
        writeln!(output, "{date},{id},,,,")?;
    }
    for detail in &usage.license_info_details {
        writeln!(
            output,
            "{date},{id},{},{},{},{}",
            detail.license_type.as_str(),
            count(detail.total_license_count),
            count(detail.total_assigned_count),
            count(detail.total_usage_count)
        )?;
    }
    Ok(())
}
