//! What `tally import` and `tally export` share: the store the server uses (the same
//! `--data-dir` or `--database-url`), and the file formats.

use std::path::Path;

use anyhow::Context;
use tally_model::resources::LICENSE_USAGE;
use tally_model::ResourceDef;
use tally_store::{Store, StoreLimits};

use crate::cli::StoreArgs;

/// The formats of `tally import` and `tally export`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One JSON object a line.
    Jsonl,
    /// One row per licenseInfoDetail, with a header.
    Csv,
}

impl Format {
    /// CSV for a `.csv` file, else JSON lines.
    pub fn from_path(path: &Path) -> Self {
        match path.extension() {
            Some(extension) if extension.eq_ignore_ascii_case("csv") => Format::Csv,
            _ => Format::Jsonl,
        }
    }
}

/// CSV has one row per licenseInfoDetail: it is `azureADLicenseUsage`'s format only.
pub fn check_format(def: &'static ResourceDef, format: Format) -> anyhow::Result<()> {
    if format == Format::Csv && def != &LICENSE_USAGE {
        anyhow::bail!(
            "CSV is the format of azureADLicenseUsage's snapshots; {} is imported and exported as JSON lines",
            def.collection
        );
    }
    Ok(())
}

/// Opens the server's store: PostgreSQL at `--database-url`, else the embedded one in
/// `--data-dir` (whether or not a server has it open too).
pub async fn open_store(store: &StoreArgs) -> anyhow::Result<Store> {
    let location = store.location();
    Store::open(location, StoreLimits::for_tools())
        .await
        .with_context(|| format!("opening the store ({location})"))
}

/// A progress bar over the bytes of an input of `size` bytes (0: unknown), on stderr.
pub fn byte_progress(size: u64) -> indicatif::ProgressBar {
    let progress = indicatif::ProgressBar::with_draw_target(
        (size > 0).then_some(size),
        indicatif::ProgressDrawTarget::stderr(),
    );
    progress.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    progress
}

/// Where an export writes: the file at `path` (created), else stdout; buffered.
pub fn open_output(
    path: Option<&Path>,
) -> anyhow::Result<std::io::BufWriter<Box<dyn std::io::Write>>> {
    let output: Box<dyn std::io::Write> = match path {
        Some(path) => Box::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    Ok(std::io::BufWriter::with_capacity(1 << 16, output))
}

/// Runs a command's `work` on a single-threaded runtime (the commands are sequential).
pub fn block_on<T>(
    work: impl std::future::Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(work)
}

/// Opens the store, runs `work` on it, and closes it whatever `work` answered.
pub async fn with_store<T>(
    store: &StoreArgs,
    work: impl AsyncFnOnce(&Store) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let store = open_store(store).await?;
    let result = work(&store).await;
    store.shutdown();
    result
}

/// A scalar value as a tab-separated listing prints it; `-` for null.
pub fn cell(value: &tally_model::Value) -> String {
    use tally_model::Value;
    match value {
        Value::String(text) => text.to_string(),
        Value::Enum(member) => (*member).to_owned(),
        Value::Int(number) => number.to_string(),
        Value::Decimal(number) => number.to_string(),
        Value::Boolean(flag) => flag.to_string(),
        Value::DateTimeOffset(at) => at.as_str().to_owned(),
        Value::Null | Value::Collection(_) => "-".to_owned(),
    }
}
