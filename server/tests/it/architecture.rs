//! Architecture invariants that crate boundaries alone do not show, checked on the dependency graph
//! (`cargo tree`): the domain knows no transport, and only the domain talks to Redis.

use std::process::Command;

/// The crates `package` depends on at run time (normal edges only, no dev or build dependencies), down
/// to `depth` (`None`: the whole tree).
fn runtime_dependencies(package: &str, depth: Option<u8>) -> Vec<String> {
    let depth = depth.map_or_else(|| "1000".to_owned(), |depth| depth.to_string());
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--depth",
            &depth,
            "--offline",
            "--locked",
            "-p",
            package,
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree -p {package} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

fn assert_free_of(package: &str, depth: Option<u8>, forbidden: &[&str]) {
    let dependencies = runtime_dependencies(package, depth);
    assert!(
        dependencies.len() > 1,
        "{package} has dependencies to check"
    );
    for name in forbidden {
        assert!(
            !dependencies.iter().any(|dependency| dependency == name),
            "{package} must not depend on {name}"
        );
    }
}

#[test]
fn the_domain_knows_no_transport() {
    assert_free_of(
        "leapfrog-core",
        None,
        &[
            "hyper",
            "hyper-util",
            "tungstenite",
            "tokio-tungstenite",
            "clap",
        ],
    );
}

#[test]
fn only_the_domain_talks_to_redis() {
    // The node reaches Redis only through leapfrog-core: redis is no direct dependency of it.
    assert_free_of("leapfrog-server", Some(1), &["redis"]);
    let core = runtime_dependencies("leapfrog-core", Some(1));
    assert!(core.iter().any(|dependency| dependency == "redis"));
}

#[test]
fn the_rules_and_the_protocol_do_no_io() {
    for package in ["game-logic", "protocol"] {
        assert_free_of(package, None, &["tokio", "redis", "hyper", "tungstenite"]);
    }
}
