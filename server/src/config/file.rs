//! The TOML file named by `--config`. Each key is an option's long flag name; the file's settings become
//! `--key=value` arguments after the real ones, for the options that flags and environment left at their
//! default, and everything is parsed again. So the file goes through the parser the flags go through
//! (same types, conflicts and messages), and no option is listed a second time here.

use std::ffi::OsString;
use std::path::Path;

use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, Command};

use super::ConfigError;

/// The matches of `args` with the file at `path` layered under them; `matches` are those of `args`
/// alone, which tell what the flags and the environment set.
pub(super) fn layer(
    command: Command,
    matches: &ArgMatches,
    path: &Path,
    args: Vec<OsString>,
) -> Result<ArgMatches, ConfigError> {
    let invalid = |reason: String| ConfigError::File {
        path: path.to_owned(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    let table: toml::Table = toml::from_str(&text).map_err(|source| ConfigError::Parse {
        path: path.to_owned(),
        source: Box::new(source),
    })?;
    let mut layered = args;
    for (key, value) in &table {
        let arg = command
            .get_arguments()
            .find(|arg| arg.get_long() == Some(key.as_str()))
            .filter(|arg| matches!(arg.get_action(), ArgAction::Set))
            .ok_or_else(|| {
                invalid(format!(
                    "unknown key `{key}` (keys are the long flag names of `leapfrog-server --help`)"
                ))
            })?;
        if arg.get_id() == "config" {
            return Err(invalid(
                "a config file cannot name another (`config`)".into(),
            ));
        }
        let unset = matches!(
            matches.value_source(arg.get_id().as_str()),
            None | Some(ValueSource::DefaultValue)
        );
        if unset {
            let value = match value {
                toml::Value::String(text) => text.clone(),
                toml::Value::Integer(number) => number.to_string(),
                toml::Value::Boolean(flag) => flag.to_string(),
                _ => {
                    return Err(invalid(format!(
                        "`{key}` must be a string, an integer or true/false"
                    )));
                }
            };
            layered.push(format!("--{key}={value}").into());
        }
    }
    command
        .try_get_matches_from(layered)
        .map_err(|error| invalid(first_line(&error)))
}

/// clap's message without its `error: ` prefix and usage hint: the file's own error says the rest.
fn first_line(error: &clap::Error) -> String {
    let rendered = error.to_string();
    let line = rendered.lines().next().unwrap_or_default();
    line.strip_prefix("error: ").unwrap_or(line).to_owned()
}
