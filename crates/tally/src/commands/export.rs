//! `tally export --tenant GUID [--resource NAME]`: dump one tenant's objects of a resource,
//! oldest first, as JSON lines (or azureADLicenseUsage's as CSV), the form `tally import` reads
//! back, to stdout or `--output`, with a progress bar.

use std::io::Write;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value as Json;
use tally_model::record::write_record;
use tally_model::ResourceDef;
use tally_store::{ListQuery, Store, TenantId};

use super::import::CSV_COLUMNS;
use super::storage::{check_format, open_output, open_store, Format};
use crate::cli::{Collection, ExportArgs};

const PAGE: usize = 1000;

pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    let def = match args.resource {
        Collection::Report(def) => def,
        directory => return super::directory_io::export(args, directory),
    };
    let format = args.format.unwrap_or_else(|| match &args.output {
        Some(path) => Format::from_path(path),
        None => Format::Jsonl,
    });
    check_format(def, format)?;
    let mut output = open_output(args.output.as_deref())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let written = runtime.block_on(async {
        let store = open_store(&args.store).await?;
        let written = export(&store, def, args.tenant, format, &mut output).await;
        store.shutdown();
        written
    })?;
    output.flush().context("writing the output")?;
    if let Some(path) = &args.output {
        output
            .into_inner()
            .map_err(|error| error.into_error())
            .context("writing the output")?;
        eprintln!(
            "exported {written} {} objects to {}",
            def.collection,
            path.display()
        );
    }
    Ok(())
}

async fn export(
    store: &Store,
    def: &'static ResourceDef,
    tenant: TenantId,
    format: Format,
    output: &mut impl Write,
) -> anyhow::Result<u64> {
    let total = store.count(def, tenant, ListQuery::default()).await?;
    let progress =
        ProgressBar::with_draw_target(Some(total), indicatif::ProgressDrawTarget::stderr());
    progress.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} objects",
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
        let page = store.list(def, tenant, query.clone()).await?;
        written += page.items.len() as u64;
        let mut record = Vec::with_capacity(1024);
        for item in page.items {
            record.clear();
            write_record(def.entity, &item.entity, &mut record).map_err(anyhow::Error::msg)?;
            match format {
                Format::Jsonl => {
                    output.write_all(&record)?;
                    output.write_all(b"\n")?;
                }
                Format::Csv => write_csv(output, &serde_json::from_slice(&record)?)?,
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

/// One row per licenseInfoDetail of a snapshot's record; a snapshot without any is one row with
/// an empty licenseType. No field needs quoting: dates, GUIDs, member names and integers have no
/// commas or quotes.
fn write_csv(output: &mut impl Write, record: &Json) -> anyhow::Result<()> {
    let text = |value: &Json| match value {
        Json::String(text) => text.clone(),
        Json::Number(number) => number.to_string(),
        _ => String::new(),
    };
    let (date, id) = (text(&record["snapshotDateTime"]), text(&record["id"]));
    let details = record["licenseInfoDetails"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    if details.is_empty() {
        writeln!(output, "{date},{id},,,,")?;
    }
    for detail in details {
        let fields: Vec<String> = CSV_COLUMNS[2..]
            .iter()
            .map(|name| text(&detail[*name]))
            .collect();
        writeln!(output, "{date},{id},{}", fields.join(","))?;
    }
    Ok(())
}
