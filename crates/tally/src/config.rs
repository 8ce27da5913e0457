//! `tally serve --config FILE`: a TOML file with the same keys as the `serve` flags.
//!
//! The file is applied by setting, for each key, the flag's `TALLY_*` variable when the
//! environment does not set it already; clap then parses as usual. So the precedence is flags,
//! then the environment, then the file, and every flag that has a variable (every one does) is a
//! valid key without this file knowing it: the keys come from clap's own description of the
//! command.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{anyhow, bail, Context};
use clap::CommandFactory;

use crate::cli::Cli;

/// Reads `path` and sets the `TALLY_*` variable of each key it has, unless already set.
pub fn apply(path: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the config file {}", path.display()))?;
    for (name, value) in settings(&text).with_context(|| format!("in {}", path.display()))? {
        if std::env::var_os(&name).is_none() {
            std::env::set_var(name, value);
        }
    }
    Ok(())
}

/// The config file `text` as `TALLY_*` variables and their values.
pub fn settings(text: &str) -> anyhow::Result<BTreeMap<String, String>> {
    let table: toml::Table = text.parse().context("the config file is not valid TOML")?;
    let keys = known_keys();
    let mut settings = BTreeMap::new();
    for (key, value) in table {
        let flag = key.replace('_', "-");
        let (variable, delimiter) = keys.get(&flag).ok_or_else(|| {
            let mut known: Vec<&str> = keys.keys().map(String::as_str).collect();
            known.sort_unstable();
            anyhow!(
                "unknown key '{key}' in the config file; the keys are: {}",
                known.join(", ")
            )
        })?;
        let value = match value {
            toml::Value::String(text) => text,
            toml::Value::Integer(number) => number.to_string(),
            toml::Value::Float(number) => number.to_string(),
            toml::Value::Boolean(flag) => flag.to_string(),
            toml::Value::Array(items) => {
                let Some(delimiter) = delimiter else {
                    bail!("'{key}' takes one value, not a list");
                };
                items
                    .into_iter()
                    .map(|item| match item {
                        toml::Value::String(text) => Ok(text),
                        other => Err(anyhow!("'{key}' must be a list of strings, not {other}")),
                    })
                    .collect::<anyhow::Result<Vec<_>>>()?
                    .join(&delimiter.to_string())
            }
            other => bail!("'{key}' must be a string, number or boolean, not {other}"),
        };
        if settings.insert(variable.clone(), value).is_some() {
            bail!("'{flag}' is set twice in the config file");
        }
    }
    Ok(settings)
}

/// Each `serve` flag (and global flag) that has a variable: its long name, the variable, and
/// the delimiter of list values if it takes a list.
fn known_keys() -> BTreeMap<String, (String, Option<char>)> {
    let command = Cli::command();
    let serve = command
        .get_subcommands()
        .find(|sub| sub.get_name() == "serve")
        .into_iter()
        .flat_map(|sub| sub.get_arguments());
    command
        .get_arguments()
        .chain(serve)
        .filter(|arg| arg.get_id() != "config")
        .filter_map(|arg| {
            let long = arg.get_long()?;
            let variable = arg.get_env()?.to_str()?;
            Some((
                long.to_owned(),
                (variable.to_owned(), arg.get_value_delimiter()),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::settings;

    #[test]
    fn keys_are_flag_names_in_either_spelling() {
        let settings = settings(
            r#"
listen = "127.0.0.1:9000"
data_dir = "/var/lib/tally"
public-url = "https://tally.example"
rate-limit = 50
in-memory = true
audience = ["api://a", "api://b"]
log-format = "json"
snapshot_daily = "02:30"
"#,
        )
        .expect("a valid file");
        let pairs: Vec<(&str, &str)> = settings
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("TALLY_AUDIENCE", "api://a,api://b"),
                ("TALLY_DATA_DIR", "/var/lib/tally"),
                ("TALLY_IN_MEMORY", "true"),
                ("TALLY_LISTEN", "127.0.0.1:9000"),
                ("TALLY_LOG_FORMAT", "json"),
                ("TALLY_PUBLIC_URL", "https://tally.example"),
                ("TALLY_RATE_LIMIT", "50"),
                ("TALLY_SNAPSHOT_DAILY", "02:30"),
            ]
        );
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let error = settings("listen = \"x\"\nlisten-port = 1\n").expect_err("unknown key");
        assert!(
            error.to_string().contains("unknown key 'listen-port'"),
            "{error}"
        );
        let error = settings("listen = [\"a\"]").expect_err("a list");
        assert!(error.to_string().contains("'listen'"), "{error}");
        let error = settings("data-dir = \"a\"\ndata_dir = \"b\"").expect_err("twice");
        assert!(error.to_string().contains("set twice"), "{error}");
        let error = settings("config = \"other.toml\"").expect_err("no nesting");
        assert!(
            error.to_string().contains("unknown key 'config'"),
            "{error}"
        );
        assert!(settings("listen = ").is_err());
    }
}
