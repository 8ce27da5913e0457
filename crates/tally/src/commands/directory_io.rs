//! `tally import` and `tally export` of the directory (`--resource subscribedSkus` or
//! `users`): JSON lines of the POST bodies, users with their `id` and `assignedLicenses`, so a
//! large emulated tenant is one command away. Users load in batches, one transaction each, their
//! licenses checked as assignLicense checks them (a record that breaks a rule is reported with
//! its line number and skipped); import SKUs before the users that hold them.

use std::io::{BufRead, Write};

use anyhow::Context;
use indicatif::ProgressBar;
use tally_model::directory::body::{sku_create, user_import};
use tally_model::directory::wire::{sku_record, user_record};
use tally_store::directory::{DirectoryError, UserQuery};
use tally_store::{Store, TenantId};

use super::import::open_input;
use super::storage::{byte_progress, open_output, open_store, Format};
use crate::cli::{Collection, ExportArgs, ImportArgs};

const EXPORT_PAGE: usize = 1000;

fn check_jsonl(collection: Collection, format: Format) -> anyhow::Result<()> {
    if format == Format::Csv {
        anyhow::bail!(
            "{} is imported and exported as JSON lines",
            collection.name()
        );
    }
    Ok(())
}

fn failure(error: DirectoryError) -> anyhow::Error {
    match error {
        DirectoryError::NotFound => anyhow::anyhow!("not found"),
        DirectoryError::BadRequest(message) => anyhow::anyhow!(message),
        DirectoryError::Store(error) => anyhow::Error::new(error),
    }
}

pub fn import(args: ImportArgs, collection: Collection) -> anyhow::Result<()> {
    let format = args.format.unwrap_or_else(|| Format::from_path(&args.file));
    check_jsonl(collection, format)?;
    let (input, size) = open_input(&args.file)?;
    let progress = byte_progress(size);
    let input = std::io::BufReader::with_capacity(1 << 16, progress.wrap_read(input));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let tenant = args.tenant;
    let batch_size = args.batch_size.max(1);
    let (imported, refused) = runtime.block_on(async {
        let store = open_store(&args.store).await?;
        let counts = match collection {
            Collection::SubscribedSkus => import_skus(&store, tenant, input, &progress).await,
            _ => import_users(&store, tenant, input, batch_size, &progress).await,
        };
        store.refresh_directory_statistics().await?;
        store.shutdown();
        counts
    })?;
    progress.finish_and_clear();
    eprintln!(
        "imported {imported} {} objects for tenant {tenant}; {refused} records refused",
        collection.name()
    );
    if refused > 0 {
        anyhow::bail!(
            "{refused} records were refused (see the lines above); the others were imported"
        );
    }
    Ok(())
}

async fn import_skus(
    store: &Store,
    tenant: TenantId,
    input: impl BufRead,
    progress: &ProgressBar,
) -> anyhow::Result<(u64, u64)> {
    let (mut imported, mut refused) = (0, 0);
    for (index, line) in input.lines().enumerate() {
        let line = line.context("reading the input")?;
        if line.trim().is_empty() {
            continue;
        }
        let created = match sku_create(line.as_bytes()) {
            Ok(sku) => store.create_sku(tenant, sku).await.map_err(failure),
            Err(message) => Err(anyhow::anyhow!(message)),
        };
        match created {
            Ok(_) => imported += 1,
            Err(error) => {
                refused += 1;
                progress.suspend(|| eprintln!("line {}: {error:#}", index + 1));
            }
        }
    }
    Ok((imported, refused))
}

async fn import_users(
    store: &Store,
    tenant: TenantId,
    input: impl BufRead,
    batch_size: usize,
    progress: &ProgressBar,
) -> anyhow::Result<(u64, u64)> {
    let (mut imported, mut refused) = (0u64, 0u64);
    let mut records = Vec::with_capacity(batch_size);
    let mut lines = Vec::with_capacity(batch_size);
    let mut numbered = input.split(b'\n').enumerate().peekable();
    while numbered.peek().is_some() {
        records.clear();
        lines.clear();
        for (index, line) in numbered.by_ref() {
            let line = line.context("reading the input")?;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match user_import(&line) {
                Ok(record) => {
                    records.push(record);
                    lines.push(index + 1);
                }
                Err(message) => {
                    refused += 1;
                    progress.suspend(|| eprintln!("line {}: {message}", index + 1));
                }
            }
            if records.len() == batch_size {
                break;
            }
        }
        if records.is_empty() {
            continue;
        }
        let outcome = store
            .import_users(tenant, std::mem::take(&mut records))
            .await
            .map_err(failure)
            .context("writing to the store")?;
        for (index, message) in &outcome.refused {
            progress.suspend(|| eprintln!("line {}: {message}", lines[*index]));
        }
        refused += outcome.refused.len() as u64;
        imported += outcome.inserted as u64;
        progress.set_message(format!("{imported} users"));
    }
    Ok((imported, refused))
}

pub fn export(args: ExportArgs, collection: Collection) -> anyhow::Result<()> {
    let format = args.format.unwrap_or(Format::Jsonl);
    check_jsonl(collection, format)?;
    let mut output = open_output(args.output.as_deref())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let written = runtime.block_on(async {
        let store = open_store(&args.store).await?;
        let written = match collection {
            Collection::SubscribedSkus => export_skus(&store, args.tenant, &mut output).await,
            _ => export_users(&store, args.tenant, &mut output).await,
        };
        store.shutdown();
        written
    })?;
    output.flush().context("writing the output")?;
    if let Some(path) = &args.output {
        eprintln!(
            "exported {written} {} objects to {}",
            collection.name(),
            path.display()
        );
    }
    Ok(())
}

async fn export_skus(
    store: &Store,
    tenant: TenantId,
    output: &mut impl Write,
) -> anyhow::Result<u64> {
    let skus = store.list_skus(tenant).await?;
    for sku in &skus {
        serde_json::to_writer(&mut *output, &sku_record(sku))?;
        output.write_all(b"\n")?;
    }
    Ok(skus.len() as u64)
}

async fn export_users(
    store: &Store,
    tenant: TenantId,
    output: &mut impl Write,
) -> anyhow::Result<u64> {
    let total = store.count_users(tenant, None).await?;
    let progress =
        ProgressBar::with_draw_target(Some(total), indicatif::ProgressDrawTarget::stderr());
    let mut query = UserQuery {
        page_size: EXPORT_PAGE,
        ..UserQuery::default()
    };
    let mut written = 0;
    loop {
        let page = store.list_users(tenant, query.clone()).await?;
        for user in &page.items {
            serde_json::to_writer(&mut *output, &user_record(user))?;
            output.write_all(b"\n")?;
        }
        written += page.items.len() as u64;
        progress.set_position(written);
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    progress.finish_and_clear();
    Ok(written)
}
