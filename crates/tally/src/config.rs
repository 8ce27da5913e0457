//! The command line, and `tally serve --config FILE`: a TOML file with the same keys as the
//! `serve` flags (and the global `--log-format`).
//!
//! The file is one more layer of the same clap parse, beneath the flags and the `TALLY_*`
//! variables: the command line is parsed once, then each key of the file whose flag neither the
//! command line nor its variable set is handed to clap as that flag, after the command line, and
//! the whole is parsed again. So the precedence is flags, then the environment, then the file,
//! then the defaults; clap's own parsers, conflicts and requirements judge a file's value as
//! they judge a variable's; the process environment is only read; and every flag that has a
//! variable (every one does) is a valid key without this file knowing it: the keys come from
//! clap's own description of the command.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use anyhow::{anyhow, bail, Context};
use clap::builder::{BoolValueParser, TypedValueParser};
use clap::parser::ValueSource;
use clap::{Arg, ArgMatches, CommandFactory, FromArgMatches, Parser};

use crate::cli::Cli;

/// The command line, with `serve --config FILE`'s settings beneath its flags and variables. A
/// command line clap refuses (or `--help`) exits as `Cli::parse` does, and so does a value in
/// the file that its flag's parser refuses; the error is a file that cannot be read, is not
/// TOML, or has a key that names no flag.
pub fn parse() -> anyhow::Result<Cli> {
    let args: Vec<OsString> = std::env::args_os().collect();
    let matches = Cli::command().get_matches_from(&args);
    let serve = matches.subcommand_matches("serve");
    let Some((path, serve)) =
        serve.and_then(|serve| Some((serve.get_one::<PathBuf>("config")?, serve)))
    else {
        return Ok(Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit()));
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the config file {}", path.display()))?;
    let settings = settings(&text).with_context(|| format!("in {}", path.display()))?;
    let flags = unset_flags(settings, serve).unwrap_or_else(|error| error.exit());
    Ok(Cli::parse_from(args.into_iter().chain(flags)))
}

/// One key of the config file: the flag it names and its values as text (more than one only for
/// a flag that takes a list), which clap parses as it parses a flag's.
#[derive(Debug)]
struct Setting {
    arg: Arg,
    values: Vec<String>,
}

/// The config file `text`, by the long name of the flag each key names.
fn settings(text: &str) -> anyhow::Result<BTreeMap<String, Setting>> {
    let table: toml::Table = text.parse().context("the config file is not valid TOML")?;
    let keys = known_keys();
    let mut settings = BTreeMap::new();
    for (key, value) in table {
        let flag = key.replace('_', "-");
        let arg = keys.get(&flag).ok_or_else(|| {
            let known: Vec<&str> = keys.keys().map(String::as_str).collect();
            anyhow!(
                "unknown key '{key}' in the config file; the keys are: {}",
                known.join(", ")
            )
        })?;
        let values = match value {
            toml::Value::String(text) => vec![text],
            toml::Value::Integer(number) => vec![number.to_string()],
            toml::Value::Float(number) => vec![number.to_string()],
            toml::Value::Boolean(flag) => vec![flag.to_string()],
            toml::Value::Array(items) => {
                if arg.get_value_delimiter().is_none() {
                    bail!("'{key}' takes one value, not a list");
                }
                items
                    .into_iter()
                    .map(|item| match item {
                        toml::Value::String(text) => Ok(text),
                        other => Err(anyhow!("'{key}' must be a list of strings, not {other}")),
                    })
                    .collect::<anyhow::Result<Vec<_>>>()?
            }
            other => bail!("'{key}' must be a string, number or boolean, not {other}"),
        };
        let setting = Setting {
            arg: arg.clone(),
            values,
        };
        if settings.insert(flag.clone(), setting).is_some() {
            bail!("'{flag}' is set twice in the config file");
        }
    }
    Ok(settings)
}

/// The settings whose flag neither the command line nor the environment set (in `serve`'s
/// matches, which carry the global flags too), as flags to follow the command line:
/// `--key=value`, repeated for a list; a switch is `--key` when true and absent when false.
fn unset_flags(
    settings: BTreeMap<String, Setting>,
    serve: &ArgMatches,
) -> Result<Vec<OsString>, clap::Error> {
    let mut command = Cli::command();
    command.build();
    let serve_command = command.find_subcommand("serve").unwrap_or(&command);
    let mut flags = Vec::new();
    for (flag, Setting { arg, values }) in settings {
        let source = serve.value_source(arg.get_id().as_str());
        if !matches!(source, None | Some(ValueSource::DefaultValue)) {
            continue;
        }
        for value in values {
            if arg.get_action().takes_values() {
                flags.push(format!("--{flag}={value}").into());
            } else if BoolValueParser::new().parse_ref(
                serve_command,
                Some(&arg),
                OsStr::new(&value),
            )? {
                flags.push(format!("--{flag}").into());
            }
        }
    }
    Ok(flags)
}

/// Each `serve` flag (the global ones too) that has a variable, by its long name; as built, so
/// that clap's parsers can judge and name them.
fn known_keys() -> BTreeMap<String, Arg> {
    let mut command = Cli::command();
    command.build();
    command
        .find_subcommand("serve")
        .into_iter()
        .flat_map(|serve| serve.get_arguments())
        .filter(|arg| arg.get_id() != "config" && arg.get_env().is_some())
        .filter_map(|arg| Some((arg.get_long()?.to_owned(), arg.clone())))
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
        let pairs: Vec<(&str, Vec<&str>)> = settings
            .iter()
            .map(|(flag, setting)| {
                (
                    flag.as_str(),
                    setting.values.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            pairs,
            [
                ("audience", vec!["api://a", "api://b"]),
                ("data-dir", vec!["/var/lib/tally"]),
                ("in-memory", vec!["true"]),
                ("listen", vec!["127.0.0.1:9000"]),
                ("log-format", vec!["json"]),
                ("public-url", vec!["https://tally.example"]),
                ("rate-limit", vec!["50"]),
                ("snapshot-daily", vec!["02:30"]),
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
