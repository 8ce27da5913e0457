//! The ceiling: the smallest axum program that answers every GET with a fixed body (the bytes
//! tally answers for the benchmarked GET), so its requests/s bound what any axum service on this
//! machine can reach. `ceiling ADDR BODY_FILE`; prints `listening on http://ADDR`.

use axum::http::header;
use axum::routing::get;
use axum::Router;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let listen = args.next().unwrap_or_else(|| "127.0.0.1:0".into());
    let body_file = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: ceiling ADDR BODY_FILE"))?;
    let body: &'static [u8] = Vec::leak(std::fs::read(body_file)?);
    let answer = move || async move {
        (
            [(
                header::CONTENT_TYPE,
                "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
            )],
            body,
        )
    };
    let app = Router::new().fallback(get(answer));
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
