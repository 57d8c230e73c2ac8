//! Layering, ranges and time zones of the configuration. `readme_table.rs` holds the README to the options.

mod readme_table;

use std::any::TypeId;
use std::path::PathBuf;

use clap::{ArgAction, CommandFactory};
use leapfrog_core::leaderboards::ResetZone;

use super::*;

fn load(args: &[&str]) -> Result<Options, ConfigError> {
    Options::try_load_from(std::iter::once("leapfrog-server").chain(args.iter().copied()))
}

fn parse(args: &[&str]) -> Options {
    load(args).expect("valid flags")
}

/// A config file holding `text`, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> TempFile {
        let dir = std::env::temp_dir().join(format!("leapfrog-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        std::fs::write(&path, text).expect("config file written");
        TempFile(path)
    }

    fn arg(&self) -> &str {
        self.0.to_str().expect("UTF-8 temp path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        // The directory goes with the last file of this process's tests.
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// The long names of the options whose values are integers, from clap's own declarations.
fn numeric_options() -> Vec<String> {
    let integers = [
        TypeId::of::<u8>(),
        TypeId::of::<u16>(),
        TypeId::of::<u32>(),
        TypeId::of::<u64>(),
        TypeId::of::<usize>(),
        TypeId::of::<i32>(),
    ];
    Options::command()
        .get_arguments()
        .filter(|arg| matches!(arg.get_action(), ArgAction::Set))
        .filter(|arg| {
            let parsed = arg.get_value_parser().type_id();
            integers.iter().any(|integer| parsed == *integer)
        })
        .filter_map(|arg| arg.get_long().map(str::to_owned))
        .collect()
}

/// Whether `error`, from loading or resolving `--{long}=...`, names the option and what it accepts.
fn is_clear_error_about(long: &str, result: Result<Config, ConfigError>) -> Result<(), String> {
    match result {
        Err(ConfigError::Args(error)) if error.to_string().contains(&format!("--{long} ")) => {
            Ok(())
        }
        Err(ConfigError::Invalid { option, reason })
            if option == long && reason.contains(" to ") =>
        {
            Ok(())
        }
        Ok(_) => Err(format!(
            "accepted, not refused with a clear error about --{long}"
        )),
        Err(other) => Err(format!("not a clear error about --{long}: {other:?}")),
    }
}

fn load_and_resolve(args: &[&str]) -> Result<Config, ConfigError> {
    load(args).and_then(Options::resolve)
}

#[test]
fn defaults_apply_and_a_secret_is_required_without_dev_auth() {
    let error = parse(&[]).resolve().unwrap_err();
    assert!(error.to_string().contains("--jwt-secret"));
    let config = parse(&["--dev-auth"])
        .resolve()
        .expect("dev auth needs no secret");
    assert_eq!(config.listen, "127.0.0.1:7300".parse().unwrap());
    assert_eq!(config.connections.max_per_player, 1);
    assert!(matches!(
        config.redis,
        RedisSource::Supervised { port: 0, .. }
    ));
    assert_eq!(config.periods, PeriodRules::default());
    assert!(parse(&["--jwt-secret", "short"]).resolve().is_err());
    assert!(!parse(&["--dev-auth=false"]).dev_auth);
}

#[test]
fn worker_threads_default_to_one_per_core_and_take_a_count() {
    assert_eq!(
        parse(&["--dev-auth"]).resolve().unwrap().worker_threads,
        None
    );
    let one = parse(&["--dev-auth", "--worker-threads", "1"])
        .resolve()
        .unwrap();
    assert_eq!(one.worker_threads.map(|workers| workers.get()), Some(1));
    let refused = parse(&["--dev-auth", "--worker-threads", "1025"]).resolve();
    assert!(is_clear_error_about("worker-threads", refused).is_ok());
}

#[test]
fn secrets_and_key_files_are_checked() {
    let secret = "a".repeat(32);
    let config = load_and_resolve(&["--jwt-secret", &secret, "--admin-secret", &secret]).unwrap();
    assert_eq!(config.auth.jwt_secret, Some(secret.clone().into_bytes()));
    assert_eq!(config.admin_secret, Some(secret.clone()));
    assert!(!config.auth.dev_auth);
    let error = load_and_resolve(&["--dev-auth", "--admin-secret", &secret[..31]]).unwrap_err();
    assert!(
        error.to_string().contains("--admin-secret") && error.to_string().contains("32 bytes"),
        "{error}"
    );
    let error = load_and_resolve(&["--jwt-secret", &secret[..31]]).unwrap_err();
    assert!(error.to_string().contains("--jwt-secret"), "{error}");
    // An empty admin secret turns the admin API off, as none does.
    let config = load_and_resolve(&["--dev-auth", "--admin-secret", ""]).unwrap();
    assert_eq!(config.admin_secret, None);
    let missing = load_and_resolve(&["--jwt-public-key-file", "/no/such/key.pem"]).unwrap_err();
    assert!(
        missing
            .to_string()
            .contains("--jwt-public-key-file: /no/such/key.pem"),
        "{missing}"
    );
    let garbage = TempFile::new("garbage.pem", "not a key");
    let error = load_and_resolve(&["--jwt-public-key-file", garbage.arg()]).unwrap_err();
    assert!(
        error.to_string().contains("not a PEM public key"),
        "{error}"
    );
    let config = load_and_resolve(&[
        "--dev-auth",
        "--jwt-issuer",
        "login.example",
        "--jwt-audience",
        "",
    ])
    .unwrap();
    assert_eq!(config.auth.issuer.as_deref(), Some("login.example"));
    assert_eq!(config.auth.audience, None, "empty is unset");
    assert_eq!(config.auth.leeway_seconds, 30);
}

#[test]
fn the_file_fills_what_flags_leave_unset() {
    let file = TempFile::new(
        "fills.toml",
        "listen = \"127.0.0.1:9000\"\nrate-burst = 7\ndev-auth = true\nutc-offset-minutes = -300\n",
    );
    let options = parse(&["--config", file.arg(), "--rate-burst", "9"]);
    let config = options.resolve().unwrap();
    assert_eq!(config.listen, "127.0.0.1:9000".parse().unwrap());
    assert_eq!(config.connections.rate_burst, 9, "flags win over the file");
    assert!(config.auth.dev_auth);
    assert_eq!(config.periods.zone, ResetZone::fixed_minutes(-300).unwrap());
    // A flag given at its default value still wins: what counts is that it was given.
    let options = parse(&["--config", file.arg(), "--rate-burst", "40"]);
    assert_eq!(options.rate_burst, 40);
}

#[test]
fn the_file_refuses_what_is_not_an_option() {
    for (text, expected) in [
        ("no-such-option = 1\n", "unknown key `no-such-option`"),
        ("help = true\n", "unknown key `help`"),
        ("config = \"other.toml\"\n", "cannot name another"),
        ("rate_burst = 1\n", "unknown key `rate_burst`"),
        ("rate-burst = [1]\n", "`rate-burst` must be"),
        ("rate-burst = \"many\"\n", "--rate-burst"),
        ("rate-burst = \n", "invalid config file"),
    ] {
        let file = TempFile::new("refuses.toml", text);
        let error = load(&["--config", file.arg()]).unwrap_err();
        let message = error.to_string();
        assert!(message.contains(expected), "{text:?}: {message}");
        assert!(message.contains("refuses.toml"), "{text:?}: {message}");
    }
    let error = load(&["--config", "/nonexistent/leapfrog.toml"]).unwrap_err();
    assert!(matches!(error, ConfigError::Read { .. }), "{error}");
}

#[test]
fn a_named_time_zone_or_a_fixed_offset_but_not_both() {
    let berlin = load_and_resolve(&["--dev-auth", "--timezone", "Europe/Berlin"]).unwrap();
    assert_eq!(
        berlin.periods.zone,
        ResetZone::named("Europe/Berlin").unwrap()
    );
    let china = load_and_resolve(&["--dev-auth", "--utc-offset-minutes", "480"]).unwrap();
    assert_eq!(china.periods.zone, ResetZone::fixed_minutes(480).unwrap());
    let unknown = load(&["--timezone", "Europe/Berln"])
        .unwrap_err()
        .to_string();
    assert!(
        unknown.contains("--timezone") && unknown.contains("Europe/Berln"),
        "{unknown}"
    );
    let both = load(&["--timezone", "Asia/Shanghai", "--utc-offset-minutes", "480"]).unwrap_err();
    assert!(matches!(both, ConfigError::Args(_)), "{both}");
    // From two sources, it is still both.
    let file = TempFile::new("zone.toml", "timezone = \"America/New_York\"\n");
    let both = load(&["--config", file.arg(), "--utc-offset-minutes", "60"]).unwrap_err();
    assert!(both.to_string().contains("cannot be used with"), "{both}");
}

#[test]
fn an_absurd_value_of_any_numeric_option_is_a_clear_error() {
    let numeric = numeric_options();
    assert!(
        numeric.len() >= 20,
        "the integer options are found: {numeric:?}"
    );
    for long in &numeric {
        for absurd in [
            "300000000000000",
            "18446744073709551615",
            "-9223372036854775808",
            "1000000000000000000000000",
        ] {
            let flag = format!("--{long}={absurd}");
            if let Err(problem) =
                is_clear_error_about(long, load_and_resolve(&["--dev-auth", &flag]))
            {
                panic!("{flag}: {problem}");
            }
        }
    }
}

#[test]
fn the_board_retention_that_overflowed_is_refused_with_its_range() {
    let error = load_and_resolve(&["--dev-auth", "--board-retention-days", "300000000000000"])
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "invalid option --board-retention-days: must be 0 to 3650, not 300000000000000"
    );
}
