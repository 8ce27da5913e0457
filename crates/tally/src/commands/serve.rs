//! `tally serve`: bind, print `listening on …`, serve until SIGTERM/SIGINT.

use tally_server::auth::JwksSource;
use tally_server::serve::shutdown_signal;
use tally_server::{ServeConfig, Server};

use crate::cli::ServeArgs;

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let config = ServeConfig {
        listen: args.listen,
        data_dir: args.data_dir,
        public_url: args.public_url,
        body_limit: args.body_limit,
        database_url: args.database_url,
        in_memory: args.in_memory,
        rate_limit: args.rate_limit,
        jwks: match (args.jwks_file, args.jwks_url) {
            (Some(path), _) => Some(JwksSource::File(path)),
            (None, Some(url)) => Some(JwksSource::Url(url)),
            (None, None) => None,
        },
        audiences: args.audiences,
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let server = Server::bind(&config).await?;
        let address = server.local_addr()?;
        println!("listening on http://{address}");
        tracing::info!(%address, data_dir = %config.data_dir.display(), "serving");
        server.run(shutdown_signal()).await
    })
}
