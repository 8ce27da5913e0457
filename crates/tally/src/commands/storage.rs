//! What `tally import` and `tally export` share: the store the server uses (the same
//! `--data-dir` or `--database-url`), and the file formats.

use std::path::Path;

use anyhow::Context;
use tally_store::Store;

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

/// Opens the server's store: PostgreSQL at `database_url`, else the embedded one in `data_dir`
/// (whether or not a server has it open too).
pub async fn open_store(data_dir: &Path, database_url: Option<&str>) -> anyhow::Result<Store> {
    match database_url {
        Some(url) => Store::open_postgres(url)
            .await
            .context("opening the PostgreSQL store"),
        None => {
            let data_dir = data_dir.to_owned();
            tokio::task::spawn_blocking(move || Store::open_embedded(&data_dir))
                .await?
                .context("opening the embedded store")
        }
    }
}
