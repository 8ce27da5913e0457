//! An open-loop load generator: requests leave at a fixed rate whatever the server does (unlike
//! wrk, whose connections wait for answers), and each latency is measured from the moment its
//! request was due, so a stalled server cannot hide its queue. Latencies are kept per status, to
//! tell admitted requests from shed ones (429/503).
//!
//! `loadgen --url URL --rate N --seconds S [-H 'Name: value']… [--method PATCH --body-file F]`
//! prints one JSON object: offered and answered rates, and per status its count, p50, p99, max
//! (ms) and how many carried Retry-After.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::Request;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tally_bench::percentile;
use tokio::sync::{mpsc, Semaphore};

#[derive(Parser, Debug)]
struct Args {
    #[arg(long)]
    url: String,
    /// Requests per second, offered whatever the answers.
    #[arg(long)]
    rate: f64,
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    #[arg(long, default_value = "GET")]
    method: String,
    #[arg(short = 'H', long = "header")]
    headers: Vec<String>,
    #[arg(long)]
    body_file: Option<std::path::PathBuf>,
    /// Requests outstanding at most; a request due past it is counted as not sent.
    #[arg(long, default_value_t = 4096)]
    max_outstanding: usize,
}

struct Sample {
    status: u16,
    micros: u64,
    retry_after: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let body = match &args.body_file {
        Some(path) => Bytes::from(std::fs::read(path).context("reading --body-file")?),
        None => Bytes::new(),
    };
    let headers: Vec<(String, String)> = args
        .headers
        .iter()
        .filter_map(|header| {
            header
                .split_once(':')
                .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        })
        .collect();
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(args.max_outstanding)
        .build_http();
    let total = (args.rate * args.seconds).round() as u64;
    let interval = Duration::from_secs_f64(1.0 / args.rate);
    let outstanding = Arc::new(Semaphore::new(args.max_outstanding));
    let (samples, mut received) = mpsc::unbounded_channel::<Sample>();
    let collector = tokio::spawn(async move {
        let mut all = Vec::new();
        while let Some(sample) = received.recv().await {
            all.push(sample);
        }
        all
    });
    let start = Instant::now();
    let mut not_sent = 0u64;
    for index in 0..total {
        let due = start + interval.mul_f64(index as f64);
        tokio::time::sleep_until(due.into()).await;
        let Ok(permit) = outstanding.clone().try_acquire_owned() else {
            not_sent += 1;
            continue;
        };
        let mut request = Request::builder()
            .method(args.method.as_str())
            .uri(&args.url);
        for (name, value) in &headers {
            request = request.header(name, value);
        }
        let request = request.body(Full::new(body.clone()))?;
        let client = client.clone();
        let samples = samples.clone();
        tokio::spawn(async move {
            let sample = match client.request(request).await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = response.headers().contains_key("retry-after");
                    let _ = response.into_body().collect().await;
                    Sample {
                        status,
                        micros: due.elapsed().as_micros() as u64,
                        retry_after,
                    }
                }
                Err(_) => Sample {
                    status: 0,
                    micros: due.elapsed().as_micros() as u64,
                    retry_after: false,
                },
            };
            drop(permit);
            let _ = samples.send(sample);
        });
    }
    drop(samples);
    let all = collector.await?;
    let elapsed = start.elapsed().as_secs_f64();
    let mut by_status: BTreeMap<u16, Vec<u64>> = BTreeMap::new();
    let mut retry_after: BTreeMap<u16, u64> = BTreeMap::new();
    for sample in &all {
        by_status
            .entry(sample.status)
            .or_default()
            .push(sample.micros);
        if sample.retry_after {
            *retry_after.entry(sample.status).or_default() += 1;
        }
    }
    let mut statuses = serde_json::Map::new();
    for (status, mut micros) in by_status {
        micros.sort_unstable();
        let ms = |p: f64| percentile(&micros, p) as f64 / 1000.0;
        statuses.insert(
            status.to_string(),
            serde_json::json!({
                "count": micros.len(),
                "p50_ms": ms(50.0),
                "p99_ms": ms(99.0),
                "max_ms": ms(100.0),
                "retry_after": retry_after.get(&status).copied().unwrap_or(0),
            }),
        );
    }
    println!(
        "{}",
        serde_json::json!({
            "offered_rps": args.rate,
            "seconds": args.seconds,
            "answered": all.len(),
            "answered_rps": all.len() as f64 / elapsed,
            "not_sent": not_sent,
            "status": statuses,
        })
    );
    Ok(())
}
