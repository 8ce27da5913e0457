//! `tally import FILE --tenant GUID [--resource NAME]`: bulk-load one tenant's objects of a
//! resource from JSON lines (one object a line, the POST body's shape, optionally with `id`), or
//! azureADLicenseUsage's from CSV (the columns `tally export` writes, one row per
//! licenseInfoDetail).
//!
//! Records are validated as a POST body is; a bad record is reported on stderr with its line
//! number and skipped while the good ones load. Good records go to the store in batches, each one
//! transaction (one fsync): with SQLite a batch holds the database's single write lock only
//! briefly, so a running server's writes interleave with the import's (WAL + busy timeout).
//! Parsing runs on its own thread, overlapping the inserts.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::mpsc;

use anyhow::Context;
use serde_json::{Map, Value};
use tally_model::{parse_import, Entity, ResourceDef};
use uuid::Uuid;

use super::storage::{byte_progress, check_format, open_store, Format};
use crate::cli::{Collection, ImportArgs};

/// One parsed batch: the good records with their line numbers, and the bad lines' messages.
struct Batch {
    rows: Vec<Entity>,
    lines: Vec<u64>,
    bad: Vec<(u64, String)>,
}

impl Batch {
    fn new(capacity: usize) -> Self {
        Self {
            rows: Vec::with_capacity(capacity),
            lines: Vec::with_capacity(capacity),
            bad: Vec::new(),
        }
    }
}

pub fn run(args: ImportArgs) -> anyhow::Result<()> {
    let def = match args.resource {
        Collection::Report(def) => def,
        directory => return super::directory_io::import(args, directory),
    };
    let format = args.format.unwrap_or_else(|| Format::from_path(&args.file));
    check_format(def, format)?;
    let (input, size) = open_input(&args.file)?;
    let progress = byte_progress(size);
    let input = progress.wrap_read(input);
    let batch_size = args.batch_size.max(1);
    // Two batches in flight: one parsing, one inserting.
    let (batches, received) = mpsc::sync_channel::<Batch>(2);
    let parser = std::thread::Builder::new()
        .name("tally-import-parse".into())
        .spawn(move || match format {
            Format::Jsonl => parse_jsonl(def, input, batch_size, &batches),
            Format::Csv => parse_csv(def, input, batch_size, &batches),
        })?;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let tenant = args.tenant;
    let (imported, refused) = runtime.block_on(async {
        let store = open_store(&args.store).await?;
        let mut imported = 0u64;
        let mut refused = 0u64;
        let (incoming, mut next) = tokio::sync::mpsc::channel::<Batch>(1);
        // Bridge the parser's blocking channel into the async loop.
        std::thread::spawn(move || {
            for batch in received {
                if incoming.blocking_send(batch).is_err() {
                    break;
                }
            }
        });
        while let Some(batch) = next.recv().await {
            for (line, message) in &batch.bad {
                progress.suspend(|| eprintln!("line {line}: {message}"));
            }
            refused += batch.bad.len() as u64;
            if batch.rows.is_empty() {
                continue;
            }
            let ids: Vec<Uuid> = batch.rows.iter().map(|entity| entity.id).collect();
            let outcome = store
                .insert_many(def, tenant, batch.rows)
                .await
                .context("writing to the store")?;
            for index in &outcome.duplicates {
                progress.suspend(|| {
                    eprintln!(
                        "line {}: an object with id {} exists already",
                        batch.lines[*index], ids[*index]
                    );
                });
            }
            refused += outcome.duplicates.len() as u64;
            imported += outcome.inserted as u64;
            progress.set_message(format!("{imported} objects"));
        }
        store.refresh_resource_statistics(def).await?;
        store.shutdown();
        anyhow::Ok((imported, refused))
    })?;
    progress.finish_and_clear();
    parser
        .join()
        .map_err(|_| anyhow::anyhow!("the parser thread panicked"))??;
    eprintln!(
        "imported {imported} {} objects for tenant {tenant}; {refused} records refused",
        def.collection
    );
    if refused > 0 {
        anyhow::bail!(
            "{refused} records were refused (see the lines above); the others were imported"
        );
    }
    Ok(())
}

pub(super) fn open_input(path: &Path) -> anyhow::Result<(Box<dyn Read + Send>, u64)> {
    if path.as_os_str() == "-" {
        return Ok((Box::new(std::io::stdin()), 0));
    }
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let size = file.metadata().map(|meta| meta.len()).unwrap_or(0);
    Ok((Box::new(file), size))
}

/// The object a record describes, with its id (kept, or a new time-ordered one, so that a
/// bulk load appends to the primary key's index instead of scattering over it). Records are
/// validated exactly as a POST body is: one path, whatever the resource. (A typed serde parse
/// of the plainest licenseUsage records beside it was three times faster at parsing, but the
/// insert dominates a bulk load; it was dropped when resources became descriptions.)
fn to_entity(def: &'static ResourceDef, record: &[u8]) -> Result<Entity, String> {
    let (id, new) = parse_import(def.entity, record).map_err(|error| error.message)?;
    Ok(new.with_id(id.unwrap_or_else(Uuid::now_v7)))
}

fn parse_jsonl(
    def: &'static ResourceDef,
    input: impl Read,
    batch_size: usize,
    batches: &mpsc::SyncSender<Batch>,
) -> anyhow::Result<()> {
    let mut reader = BufReader::with_capacity(1 << 20, input);
    let mut line = Vec::new();
    let mut number = 0u64;
    let mut batch = Batch::new(batch_size);
    loop {
        line.clear();
        if reader
            .read_until(b'\n', &mut line)
            .context("reading the input")?
            == 0
        {
            break;
        }
        number += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match to_entity(def, &line) {
            Ok(entity) => {
                batch.rows.push(entity);
                batch.lines.push(number);
            }
            Err(message) => batch.bad.push((number, message)),
        }
        if batch.rows.len() >= batch_size {
            let full = std::mem::replace(&mut batch, Batch::new(batch_size));
            if batches.send(full).is_err() {
                return Ok(());
            }
        }
    }
    drop(batches.send(batch));
    Ok(())
}

/// The CSV columns, as `tally export` writes them (and the dashboard's download).
pub const CSV_COLUMNS: [&str; 6] = [
    "snapshotDateTime",
    "id",
    "licenseType",
    "totalLicenseCount",
    "totalAssignedCount",
    "totalUsageCount",
];

/// Consecutive rows with the same `id` (or, without ids, the same `snapshotDateTime`) are one
/// snapshot; a row with an empty `licenseType` stands for a snapshot without details.
fn parse_csv(
    def: &'static ResourceDef,
    input: impl Read,
    batch_size: usize,
    batches: &mpsc::SyncSender<Batch>,
) -> anyhow::Result<()> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
    let headers = reader.headers().context("reading the CSV header")?.clone();
    let column = |name: &str| headers.iter().position(|header| header.trim() == name);
    let columns: Vec<Option<usize>> = CSV_COLUMNS.iter().map(|name| column(name)).collect();
    if columns[0].is_none() {
        anyhow::bail!("the CSV header has no snapshotDateTime column");
    }
    if let Some(unknown) = headers
        .iter()
        .find(|header| !CSV_COLUMNS.contains(&header.trim()))
    {
        anyhow::bail!(
            "unknown CSV column '{unknown}'; the columns are {}",
            CSV_COLUMNS.join(",")
        );
    }
    let mut batch = Batch::new(batch_size);
    let mut group: Option<CsvGroup> = None;
    for record in reader.records() {
        let (line, fields) = match record {
            Ok(record) => {
                let line = record.position().map_or(0, |position| position.line());
                let field = |index: usize| {
                    columns[index]
                        .and_then(|at| record.get(at))
                        .unwrap_or("")
                        .trim()
                        .to_owned()
                };
                (line, std::array::from_fn::<String, 6, _>(field))
            }
            Err(error) => {
                let line = error.position().map_or(0, |position| position.line());
                batch.bad.push((line, format!("not a CSV row: {error}")));
                continue;
            }
        };
        let key = if fields[1].is_empty() {
            &fields[0]
        } else {
            &fields[1]
        };
        let same = group.as_ref().is_some_and(|group| group.key == *key);
        if !same {
            if let Some(done) = group.take() {
                done.finish(def, &mut batch);
            }
            group = Some(CsvGroup::new(line, key.clone(), &fields));
        }
        if let Some(group) = group.as_mut() {
            group.add(line, &fields);
        }
        if batch.rows.len() >= batch_size {
            let full = std::mem::replace(&mut batch, Batch::new(batch_size));
            if batches.send(full).is_err() {
                return Ok(());
            }
        }
    }
    if let Some(done) = group.take() {
        done.finish(def, &mut batch);
    }
    drop(batches.send(batch));
    Ok(())
}

/// The rows of one snapshot, gathered into the JSON record they stand for.
struct CsvGroup {
    first: u64,
    last: u64,
    key: String,
    object: Map<String, Value>,
    details: Vec<Value>,
    error: Option<String>,
}

impl CsvGroup {
    fn new(line: u64, key: String, fields: &[String; 6]) -> Self {
        let mut object = Map::new();
        object.insert("snapshotDateTime".into(), Value::String(fields[0].clone()));
        if !fields[1].is_empty() {
            object.insert("id".into(), Value::String(fields[1].clone()));
        }
        Self {
            first: line,
            last: line,
            key,
            object,
            details: Vec::new(),
            error: None,
        }
    }

    fn add(&mut self, line: u64, fields: &[String; 6]) {
        self.last = line;
        if fields[0] != self.object["snapshotDateTime"] {
            self.error.get_or_insert_with(|| {
                format!("line {line} has another snapshotDateTime than the rows before it of the same id")
            });
        }
        if fields[2].is_empty() {
            return;
        }
        let mut detail = Map::new();
        detail.insert("licenseType".into(), Value::String(fields[2].clone()));
        for (name, text) in CSV_COLUMNS[3..].iter().zip(&fields[3..]) {
            let value = if text.is_empty() {
                Value::Null
            } else {
                match text.parse::<i64>() {
                    Ok(number) => Value::from(number),
                    Err(_) => {
                        self.error.get_or_insert_with(|| {
                            format!("{name} on line {line} is not an integer: '{text}'")
                        });
                        Value::Null
                    }
                }
            };
            detail.insert((*name).into(), value);
        }
        self.details.push(Value::Object(detail));
    }

    fn finish(mut self, def: &'static ResourceDef, batch: &mut Batch) {
        let lines = if self.first == self.last {
            format!("line {}", self.first)
        } else {
            format!("lines {}-{}", self.first, self.last)
        };
        self.object.insert(
            "licenseInfoDetails".into(),
            Value::Array(std::mem::take(&mut self.details)),
        );
        let result = match self.error {
            Some(error) => Err(error),
            None => serde_json::to_vec(&Value::Object(self.object))
                .map_err(|error| error.to_string())
                .and_then(|record| to_entity(def, &record)),
        };
        match result {
            Ok(entity) => {
                batch.rows.push(entity);
                batch.lines.push(self.first);
            }
            Err(message) if self.first == self.last => batch.bad.push((self.first, message)),
            Err(message) => batch.bad.push((self.first, format!("({lines}) {message}"))),
        }
    }
}
