//! Cold start: from spawning `tally serve` to its first 200 on an API GET, polled every 200 µs,
//! then the idle resident set size once it has answered. Prints one JSON object a round.
//!
//! `coldstart --tally BIN --data-dir DIR --path /v1.0/… --token JWT [--rounds 5]`

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

#[derive(Parser, Debug)]
struct Args {
    #[arg(long)]
    tally: std::path::PathBuf,
    #[arg(long)]
    data_dir: std::path::PathBuf,
    #[arg(long)]
    path: String,
    #[arg(long)]
    token: String,
    #[arg(long, default_value_t = 5)]
    rounds: usize,
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmRSS:"))
                .and_then(|line| line.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    for _ in 0..args.rounds {
        let port = free_port()?;
        let url: hyper::Uri = format!("http://127.0.0.1:{port}{}", args.path).parse()?;
        let started = Instant::now();
        let mut child = Command::new(&args.tally)
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
            ])
            .arg(&args.data_dir)
            .env("TALLY_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()?;
        let first_ok = loop {
            let request = hyper::Request::get(url.clone())
                .header("authorization", format!("Bearer {}", args.token))
                .body(Empty::new())?;
            if let Ok(response) = client.request(request).await {
                let ok = response.status() == 200;
                let _ = response.into_body().collect().await;
                if ok {
                    break started.elapsed();
                }
            }
            if started.elapsed() > Duration::from_secs(30) {
                anyhow::bail!("no 200 within 30 s");
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        };
        tokio::time::sleep(Duration::from_secs(1)).await;
        let rss = rss_kib(child.id());
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()?;
        child.wait()?;
        println!(
            "{}",
            serde_json::json!({
                "first_200_ms": first_ok.as_secs_f64() * 1000.0,
                "idle_rss_mib": rss as f64 / 1024.0,
            })
        );
    }
    Ok(())
}
