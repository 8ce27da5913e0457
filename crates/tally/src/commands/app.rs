//! `tally app add|list|remove`: the apps that may sign in at `/{tenant}/oauth2/v2.0/token`
//! with client credentials (SPEC §12.4), on the same store as the server, running or not. `add`
//! prints the secret once; the store keeps only its digest (`tally_server::signin::secret`).
//! `add --certificate` registers a certificate's thumbprints and key instead of a secret
//! (`tally_server::signin::certificate`).

use anyhow::Context;
use tally_server::auth::PERSONAL_ACCOUNTS_TENANT;
use tally_server::signin::secret;
use tally_store::apps::App;
use uuid::Uuid;

use super::storage::{block_on, with_store};
use crate::cli::{AppAddArgs, AppArgs, AppCommand, AppListArgs, AppRemoveArgs};

pub fn run(args: AppArgs) -> anyhow::Result<()> {
    block_on(async {
        match args.command {
            AppCommand::Add(args) => add(args).await,
            AppCommand::List(args) => list(args).await,
            AppCommand::Remove(args) => remove(args).await,
        }
    })
}

/// The roles as tally spells them, each once; an unknown one is an error that lists the known.
fn roles(asked: &[String]) -> anyhow::Result<Vec<String>> {
    let mut roles: Vec<String> = Vec::new();
    for role in asked {
        let known = tally_model::permissions::find(role).with_context(|| {
            format!(
                "'{role}' is not a permission tally knows; the permissions are {}",
                tally_model::permissions::known().join(", ")
            )
        })?;
        if !roles.iter().any(|have| have == known) {
            roles.push(known.to_owned());
        }
    }
    Ok(roles)
}

async fn add(args: AppAddArgs) -> anyhow::Result<()> {
    if args.tenant.to_string() == PERSONAL_ACCOUNTS_TENANT {
        anyhow::bail!(
            "the personal Microsoft accounts tenant has no apps: tally does not serve it"
        );
    }
    let roles = roles(&args.roles)?;
    // An app with a certificate has no secret: its stored digest is empty, which no secret's
    // digest equals.
    let (secret, secret_hash, certificate) = match &args.certificate {
        Some(path) => {
            let pem = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let certificate = tally_server::signin::certificate::registered(&pem)
                .with_context(|| format!("the certificate {}", path.display()))?;
            (None, String::new(), Some(certificate))
        }
        None => {
            let (secret, digest) = secret::generate()?;
            (Some(secret), digest, None)
        }
    };
    let app = App {
        tenant: args.tenant,
        client_id: Uuid::new_v4(),
        name: args.name,
        secret_hash,
        roles,
        created: tally_store::directory::now_text(),
        certificate,
    };
    let client_id = app.client_id;
    with_store(&args.store, async |store| {
        store.create_app(app).await.context("registering the app")
    })
    .await?;
    println!("client_id={client_id}");
    if let Some(secret) = secret {
        println!("client_secret={secret}");
    }
    Ok(())
}

async fn list(args: AppListArgs) -> anyhow::Result<()> {
    let apps = with_store(&args.store, async |store| {
        store
            .list_apps(args.tenant)
            .await
            .context("reading the apps")
    })
    .await?;
    println!("client_id\ttenant\tname\troles\tcreated\tcredential");
    for app in apps {
        let credential = match &app.certificate {
            Some(certificate) => format!("certificate x5t={}", certificate.sha1),
            None => "secret".to_owned(),
        };
        println!(
            "{}\t{}\t{}\t{}\t{}\t{credential}",
            app.client_id,
            app.tenant,
            app.name,
            app.roles.join(","),
            app.created
        );
    }
    Ok(())
}

async fn remove(args: AppRemoveArgs) -> anyhow::Result<()> {
    let removed = with_store(&args.store, async |store| {
        store
            .remove_app(args.client_id)
            .await
            .context("removing the app")
    })
    .await?;
    if !removed {
        anyhow::bail!("no app has the client id {}", args.client_id);
    }
    println!("removed {}", args.client_id);
    Ok(())
}
