//! `server/README.md`'s Configuration table against the options as clap declares them: the same options
//! in the same order, each with its variable, its default and, for a number, its allowed range, which is
//! probed (both ends accepted, one past each refused).

use super::*;

/// One row of the table: flag, environment, default, range.
#[derive(Debug)]
struct Row {
    flag: String,
    env: String,
    default: String,
    range: String,
}

fn readme_rows() -> Vec<Row> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).expect("server/README.md");
    let section = readme
        .split("\n## Configuration\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("a Configuration section");
    section
        .lines()
        .filter(|line| line.starts_with("| `--"))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            assert_eq!(cells.len(), 5, "five cells: {line}");
            Row {
                flag: cells[0].trim_matches('`').to_owned(),
                env: cells[1].trim_matches('`').to_owned(),
                default: cells[2].to_owned(),
                range: cells[3].to_owned(),
            }
        })
        .collect()
}

#[test]
fn the_readme_table_lists_every_option_with_its_variable_and_default() {
    let command = Options::command();
    let options: Vec<_> = command
        .get_arguments()
        .filter(|arg| matches!(arg.get_action(), ArgAction::Set))
        .collect();
    let rows = readme_rows();
    let flags = |names: Vec<String>| names.join(" ");
    assert_eq!(
        flags(rows.iter().map(|row| row.flag.clone()).collect()),
        flags(
            options
                .iter()
                .map(|arg| format!("--{}", arg.get_long().unwrap_or_default()))
                .collect()
        ),
        "the README's options, in --help's order"
    );
    for (row, arg) in rows.iter().zip(&options) {
        let env = arg
            .get_env()
            .and_then(|env| env.to_str())
            .unwrap_or_default();
        assert_eq!(row.env, env, "{}: variable", row.flag);
        match arg.get_default_values() {
            [] => assert!(
                row.default.is_empty() || row.default.starts_with('('),
                "{}: no default in clap, so none in the README, only a note in parentheses: {:?}",
                row.flag,
                row.default
            ),
            [default] => {
                let default = default.to_str().unwrap_or_default();
                assert!(
                    row.default.starts_with(&format!("`{default}`")),
                    "{}: the default is `{default}`, the README says {:?}",
                    row.flag,
                    row.default
                );
            }
            several => panic!("{}: several defaults {several:?}", row.flag),
        }
    }
}

#[test]
fn the_readme_gives_the_range_of_every_number_and_the_server_holds_to_it() {
    let numeric = numeric_options();
    for row in readme_rows() {
        let long = row.flag.trim_start_matches("--");
        if !numeric.iter().any(|name| name == long) {
            assert!(row.range.is_empty(), "{}: not a number, no range", row.flag);
            continue;
        }
        let (low, high) = row
            .range
            .split_once(" to ")
            .and_then(|(low, high)| Some((low.parse::<i64>().ok()?, high.parse::<i64>().ok()?)))
            .unwrap_or_else(|| panic!("{}: range `A to B`, not {:?}", row.flag, row.range));
        for inside in [low, high] {
            let flag = format!("--{long}={inside}");
            if let Err(error) = load_and_resolve(&["--dev-auth", &flag]) {
                panic!("{flag} is within the README's range but refused: {error}");
            }
        }
        for outside in [low - 1, high + 1] {
            let flag = format!("--{long}={outside}");
            let result = load_and_resolve(&["--dev-auth", &flag]);
            if let Err(ConfigError::Invalid { reason, .. }) = &result {
                assert!(
                    reason.contains(&row.range),
                    "{flag}: the error gives the README's range {:?}: {reason}",
                    row.range
                );
            }
            if let Err(problem) = is_clear_error_about(long, result) {
                panic!("{flag} is outside the README's range: {problem}");
            }
        }
    }
}
