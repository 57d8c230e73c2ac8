//! Build facts for the `leapfrog_build_info` metric: the commit (`BUILD_GIT_SHA` when the builder sets it,
//! as `deploy/Dockerfile` does, else `git rev-parse`, else `unknown`, so a build outside a git checkout
//! still works) and the compiler's version.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=BUILD_GIT_SHA");
    let sha = std::env::var("BUILD_GIT_SHA")
        .ok()
        .filter(|sha| !sha.trim().is_empty())
        .or_else(git_sha)
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=BUILD_GIT_SHA={}", sha.trim());
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = run(Command::new(rustc).arg("--version"))
        .and_then(|text| text.split_whitespace().nth(1).map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=BUILD_RUSTC_VERSION={version}");
}

/// The checked-out commit, and the files that change when it does (HEAD, the branch's ref), so a commit
/// or a checkout rebuilds with the new value.
fn git_sha() -> Option<String> {
    let sha = git(&["rev-parse", "--short=12", "HEAD"])?;
    let mut watched = vec![git(&["rev-parse", "--git-path", "HEAD"])];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(git(&["rev-parse", "--git-path", &branch]));
    }
    watched.push(git(&["rev-parse", "--git-path", "packed-refs"]));
    for path in watched.into_iter().flatten() {
        if Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    Some(sha)
}

fn git(args: &[&str]) -> Option<String> {
    run(Command::new("git").args(args))
}

/// What `command` prints, when it runs and succeeds.
fn run(command: &mut Command) -> Option<String> {
    let output = command.output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .filter(|text| !text.is_empty())
}
