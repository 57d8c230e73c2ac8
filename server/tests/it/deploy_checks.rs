//! Checks of `deploy/`: the Prometheus config and alert rules pass `promtool` (and the rules' unit
//! tests, where every alert fires and stays quiet); every alert links its runbook section and the
//! dashboard; Alertmanager's config passes `amtool`; the Grafana dashboard and the alert rules name only
//! metrics a running server exports, and the dashboard shows every family it exports; a fresh node
//! exports every family and known label at zero; a real Prometheus scrapes a running node, evaluates the
//! rules without error or alert, and answers every dashboard query; the Kubernetes manifests build with
//! kustomize and pass strict schema validation; nginx accepts its config; yamllint accepts every YAML
//! file; the deploy files set only real `LEAPFROG_*` options; the Kubernetes grace period outlasts the
//! drain.

use crate::support;
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{TestClient, TestRedis, TestServer, free_port, http, http_with};
use game_logic::Jump;
use protocol::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

const ADMIN: &str = "admin-secret-for-deploy-checks-of-32-bytes";

/// Machine-speed play and the admin API (for the friend import).
fn options() -> Vec<&'static str> {
    [&support::MACHINE_SPEED[..], &["--admin-secret", ADMIN]].concat()
}

/// Longest a Prometheus started by a test may take to scrape, evaluate and answer.
const PROMETHEUS_WAIT: Duration = Duration::from_secs(20);

fn deploy_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../deploy")
        .join(relative)
}

fn read_deploy(relative: &str) -> String {
    let path = deploy_path(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Runs `promtool` in `deploy/prometheus` and fails with its output unless it succeeds.
fn promtool(args: &[&str]) {
    let output = Command::new("promtool")
        .args(args)
        .current_dir(deploy_path("prometheus"))
        .output()
        .unwrap_or_else(|error| {
            panic!(
                "cannot run promtool ({error}): scripts/test.sh installs it (apt-get install -y prometheus)"
            )
        });
    assert!(
        output.status.success(),
        "promtool {} failed:\n{}{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn promtool_accepts_the_config_and_the_rules_and_the_rule_tests_pass() {
    promtool(&["check", "config", "prometheus.yml"]);
    promtool(&["check", "rules", "rules.yml"]);
    promtool(&["test", "rules", "rules.test.yml"]);
}

/// The prefixes of the metric names the node exports: its own, and the process's.
const EXPORTED_PREFIXES: [&str; 2] = ["leapfrog_", "process_"];

/// Each alert of `rules.yml`: its name and the text of its rule (up to the next rule).
fn alert_rules(rules: &str) -> Vec<(String, String)> {
    let mut alerts: Vec<(String, String)> = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in rules.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("- alert:")
            || trimmed.starts_with("- record:")
            || trimmed.starts_with("- name:")
        {
            alerts.extend(current.take());
        }
        if let Some(name) = trimmed.strip_prefix("- alert:") {
            current = Some((name.trim().to_owned(), String::new()));
        } else if let Some((_, text)) = &mut current {
            text.push_str(line);
            text.push('\n');
        }
    }
    alerts.extend(current);
    alerts
}

/// The value of `key:` in a rule's text, quotes stripped.
fn annotation<'t>(rule: &'t str, key: &str) -> Option<&'t str> {
    rule.lines()
        .find_map(|line| line.trim().strip_prefix(key)?.strip_prefix(':'))
        .map(|value| value.trim().trim_matches('"'))
}

/// The anchors GitHub gives the headings of a Markdown text: lower case, spaces to `-`, other
/// punctuation dropped.
fn heading_anchors(markdown: &str) -> BTreeSet<String> {
    markdown
        .lines()
        .filter(|line| line.starts_with('#'))
        .map(|line| {
            line.trim_start_matches('#')
                .trim()
                .to_lowercase()
                .chars()
                .filter_map(|c| match c {
                    ' ' => Some('-'),
                    c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

#[test]
fn every_alert_links_its_runbook_section_and_the_dashboard() {
    let alerts = alert_rules(&read_deploy("prometheus/rules.yml"));
    assert!(
        alerts.len() > 20,
        "alerts parsed from rules.yml: {}",
        alerts.len()
    );
    let anchors = heading_anchors(&read_deploy("RUNBOOK.md"));
    let uid = dashboard()["uid"]
        .as_str()
        .expect("the dashboard's uid")
        .to_owned();
    let mut problems = Vec::new();
    for (name, rule) in &alerts {
        match annotation(rule, "runbook_url").and_then(|url| url.split_once("/deploy/RUNBOOK.md#"))
        {
            Some((_, anchor)) if anchors.contains(anchor) => {
                if anchor != name.to_lowercase() {
                    problems.push(format!(
                        "{name}: runbook anchor #{anchor} is not its own section"
                    ));
                }
            }
            Some((_, anchor)) => {
                problems.push(format!("{name}: no section #{anchor} in deploy/RUNBOOK.md"))
            }
            None => problems.push(format!("{name}: no runbook_url to deploy/RUNBOOK.md#...")),
        }
        if !annotation(rule, "dashboard_url").is_some_and(|url| url.contains(&format!("/d/{uid}/")))
        {
            problems.push(format!(
                "{name}: no dashboard_url to the dashboard (/d/{uid}/)"
            ));
        }
        if !matches!(
            annotation(rule, "severity"),
            Some("critical" | "warning" | "info")
        ) {
            problems.push(format!("{name}: severity is not critical, warning or info"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_alert_has_a_unit_test_where_it_fires_and_one_where_it_stays_quiet() {
    let alerts = alert_rules(&read_deploy("prometheus/rules.yml"));
    let tests = read_deploy("prometheus/rules.test.yml");
    let mut firing = BTreeSet::new();
    let mut quiet = BTreeSet::new();
    let mut lines = tests.lines().map(str::trim).peekable();
    while let Some(line) = lines.next() {
        if let Some(name) = line.strip_prefix("alertname:") {
            match lines.peek() {
                Some(&"exp_alerts: []") => quiet.insert(name.trim().to_owned()),
                Some(&"exp_alerts:") => firing.insert(name.trim().to_owned()),
                _ => false,
            };
        }
    }
    let missing: Vec<String> = alerts
        .iter()
        .flat_map(|(name, _)| {
            [
                (!firing.contains(name)).then(|| format!("{name} never fires")),
                (!quiet.contains(name)).then(|| format!("{name} is never checked quiet")),
            ]
        })
        .flatten()
        .collect();
    assert!(
        missing.is_empty(),
        "deploy/prometheus/rules.test.yml: {missing:?}"
    );
}

/// Runs `amtool` on `deploy/alertmanager/alertmanager.yml`; its output, or a failure with it.
fn amtool(args: &[&str]) -> String {
    let output = Command::new("amtool")
        .args(args)
        .arg("--config.file=alertmanager.yml")
        .current_dir(deploy_path("alertmanager"))
        .output()
        .unwrap_or_else(|error| {
            panic!(
                "cannot run amtool ({error}): scripts/test.sh installs it (apt-get install -y prometheus-alertmanager)"
            )
        });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "amtool {}: {text}", args.join(" "));
    text
}

#[test]
fn alertmanager_accepts_its_config_and_routes_each_severity() {
    let checked = Command::new("amtool")
        .args(["check-config", "alertmanager.yml"])
        .current_dir(deploy_path("alertmanager"))
        .output()
        .expect("amtool runs (scripts/test.sh installs prometheus-alertmanager)");
    assert!(
        checked.status.success(),
        "amtool check-config: {}",
        String::from_utf8_lossy(&checked.stdout)
    );
    for (severity, receiver) in [
        ("critical", "page"),
        ("warning", "ticket"),
        ("info", "review"),
    ] {
        let routed = amtool(&["config", "routes", "test", &format!("severity={severity}")]);
        assert_eq!(
            routed.lines().next().map(str::trim),
            Some(receiver),
            "severity={severity} goes to {routed}"
        );
    }
    // Every alert the inhibit rules name exists.
    let alerts: BTreeSet<String> = alert_rules(&read_deploy("prometheus/rules.yml"))
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let config = read_deploy("alertmanager/alertmanager.yml");
    for (at, _) in config.match_indices("alertname=\"") {
        let name = config[at + 11..].split('"').next().unwrap_or_default();
        assert!(
            alerts.contains(name),
            "alertmanager.yml inhibits {name}, which rules.yml does not define"
        );
    }
}

/// Every `leapfrog_*` and `process_*` metric name in `text` (a name starts where no identifier character
/// precedes it).
fn metric_names(text: &str) -> BTreeSet<String> {
    let is_name_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
    EXPORTED_PREFIXES
        .iter()
        .flat_map(|prefix| text.match_indices(prefix))
        .filter(|(at, _)| {
            !text[..*at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .map(|(at, _)| {
            let rest = &text[at..];
            let end = rest.find(|c| !is_name_char(c)).unwrap_or(rest.len());
            rest[..end].to_owned()
        })
        // A prefix alone ("leapfrog_*" in a comment) names no metric.
        .filter(|name| !EXPORTED_PREFIXES.contains(&name.as_str()))
        .collect()
}

/// The metric families of a `/metrics` text, with their types, from its `# TYPE` lines.
fn families(metrics: &str) -> BTreeMap<String, String> {
    metrics
        .lines()
        .filter_map(|line| line.strip_prefix("# TYPE "))
        .filter_map(|rest| rest.split_once(' '))
        .map(|(name, kind)| (name.to_owned(), kind.trim().to_owned()))
        .collect()
}

/// The family a queried series belongs to: itself, or the histogram it is the `_bucket`, `_sum` or
/// `_count` of.
fn family_of<'a>(name: &'a str, exported: &BTreeMap<String, String>) -> Option<&'a str> {
    if exported.contains_key(name) {
        return Some(name);
    }
    ["_bucket", "_sum", "_count"]
        .iter()
        .filter_map(|suffix| name.strip_suffix(suffix))
        .find(|base| exported.get(*base).is_some_and(|kind| kind == "histogram"))
}

/// Every PromQL query of the dashboard: panel targets (`expr`) and variable queries (`definition`).
fn dashboard_queries(value: &serde_json::Value, queries: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(fields) => {
            for (key, field) in fields {
                match (key.as_str(), field) {
                    ("expr" | "definition", serde_json::Value::String(query)) => {
                        queries.push(query.clone())
                    }
                    _ => dashboard_queries(field, queries),
                }
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                dashboard_queries(item, queries);
            }
        }
        _ => {}
    }
}

fn dashboard() -> serde_json::Value {
    serde_json::from_str(&read_deploy("grafana/leapfrog.json"))
        .unwrap_or_else(|error| panic!("deploy/grafana/leapfrog.json is not valid JSON: {error}"))
}

/// Plays a live run of `centre_hits` centre hits, then a fall.
async fn play(client: &mut TestClient, centre_hits: u32) {
    support::play_centre_hits(client, centre_hits).await;
}

/// Drives a node through everything that creates a labelled series: metric families with labels only
/// appear in `/metrics` once they have one. Connections, messages and undecodable frames; runs, a
/// rejected offline run, leaderboard writes and reads; a friend passed and notified live; a Redis outage.
async fn exercise(server: &TestServer, redis: &mut TestRedis) {
    let (status, body) = http_with(
        server.admin,
        "PUT",
        "/admin/v1/players/alice/friends",
        ADMIN,
        r#"{"friends":["bob"]}"#,
    )
    .await
    .expect("the admin API answers");
    assert_eq!(status, 200, "friend import: {body}");
    let mut bob = server.client(Codec::Json, "bob").await;
    play(&mut bob, 1).await;
    let mut alice = server.client(Codec::Json, "alice").await;
    play(&mut alice, 2).await;

    let read = Request::ReadBoard(ReadBoard {
        board: Board {
            period: Period::Weekly,
            scope: Scope::Friends,
        },
        window: BoardWindow::Top {
            limit: 10,
            after: None,
        },
    });
    let page = alice.request(read).await;
    assert!(matches!(page, ServerFrame::Reply { .. }), "{page:?}");

    let offline = support::start_run(&mut alice, StartMode::Offline).await;
    let impossible = SubmitRun {
        run_id: offline.run_id,
        first_seq: 0,
        jumps: BoundedVec::try_from_vec(vec![Jump {
            press_ms: 5,
            dwell_ms: 300,
        }])
        .expect("one jump fits"),
        last: true,
    };
    let refused = alice.request(Request::SubmitRun(impossible)).await;
    assert!(matches!(refused, ServerFrame::Error { .. }), "{refused:?}");

    alice.send_raw(Message::Text("{not json".into())).await;
    let answer = alice.next_frame().await;
    assert!(
        matches!(answer, Some(ServerFrame::Error { .. })),
        "{answer:?}"
    );
    alice.disconnect().await;
    bob.disconnect().await;

    redis.stop().await;
    let deadline = Instant::now() + support::WAIT;
    while http(server.public, "GET", "/readyz", "")
        .await
        .is_ok_and(|(status, _)| status == 200)
    {
        assert!(
            Instant::now() < deadline,
            "/readyz stayed 200 with Redis stopped"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    redis.resume().await;
    server.wait_ready().await;
}

#[tokio::test]
async fn the_dashboard_and_the_alerts_query_exactly_the_exported_metrics() {
    let dashboard = dashboard();
    let mut queries = Vec::new();
    dashboard_queries(&dashboard, &mut queries);
    assert!(!queries.is_empty(), "the dashboard has no queries");
    let dashboard_names: BTreeSet<String> = queries.iter().flat_map(|q| metric_names(q)).collect();
    let rule_names: BTreeSet<String> = ["prometheus/rules.yml", "prometheus/rules.test.yml"]
        .iter()
        .flat_map(|file| metric_names(&read_deploy(file)))
        .collect();

    let mut redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &options()).await;
    let fresh = series(&server.metrics().await);
    exercise(&server, &mut redis).await;
    // Notifications are delivered in the background: wait until every queried family has appeared.
    let deadline = Instant::now() + support::WAIT;
    let (exported, unknown) = loop {
        let exported = families(&server.metrics().await);
        let unknown: BTreeSet<(&str, &String)> = dashboard_names
            .iter()
            .map(|name| ("deploy/grafana/leapfrog.json", name))
            .chain(
                rule_names
                    .iter()
                    .map(|name| ("deploy/prometheus/rules*.yml", name)),
            )
            .filter(|(_, name)| family_of(name, &exported).is_none())
            .collect();
        if unknown.is_empty() || Instant::now() > deadline {
            break (exported, unknown);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        unknown.is_empty(),
        "metrics queried but not exported by the server (a typo, a removed metric, or a series this \
         test's exercise() does not create): {unknown:?}\nexported: {:?}",
        exported.keys().collect::<Vec<_>>()
    );
    let shown: BTreeSet<&str> = dashboard_names
        .iter()
        .filter_map(|name| family_of(name, &exported))
        .collect();
    let not_shown: Vec<&String> = exported
        .keys()
        .filter(|family| !shown.contains(family.as_str()))
        .collect();
    assert!(
        not_shown.is_empty(),
        "metric families exported but on no panel of deploy/grafana/leapfrog.json: {not_shown:?}"
    );
    // Traffic, errors and an outage create no series a fresh node did not already export at zero.
    let appeared: Vec<String> = series(&server.metrics().await)
        .into_keys()
        .filter(|key| !fresh.contains_key(key))
        .collect();
    assert!(
        appeared.is_empty(),
        "series that appeared only with their first event (create their label values at start): \
         {appeared:?}"
    );
}

/// Every series of a `/metrics` text (name and labels, as written) with its value.
fn series(metrics: &str) -> BTreeMap<String, f64> {
    metrics
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| line.rsplit_once(' '))
        .map(|(key, value)| (key.to_owned(), value.parse().unwrap_or(f64::NAN)))
        .collect()
}

/// The value of label `label` in a series key such as `name{a="x",b="y"}`.
fn label_value<'k>(key: &'k str, label: &str) -> Option<&'k str> {
    let pattern = format!("{label}=\"");
    let start = key.find(&pattern)? + pattern.len();
    key[start..].split('"').next()
}

#[tokio::test]
async fn a_fresh_node_exports_every_family_and_every_known_label_at_zero() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &["--max-connections", "1234"]).await;
    let text = server.metrics().await;
    let all = series(&text);
    let exported = families(&text);

    // Every family the dashboard or the alerts query is there before any traffic.
    let mut queries = vec![read_deploy("prometheus/rules.yml")];
    dashboard_queries(&dashboard(), &mut queries);
    let queried: BTreeSet<String> = queries.iter().flat_map(|q| metric_names(q)).collect();
    let missing: Vec<&String> = queried
        .iter()
        .filter(|name| family_of(name, &exported).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "families missing from a fresh node: {missing:?}"
    );

    // Every known label value, at zero.
    let values_of = |name: &str, label: &str| -> BTreeMap<String, f64> {
        all.iter()
            .filter(|(key, _)| key.starts_with(&format!("{name}{{")))
            .filter_map(|(key, value)| Some((label_value(key, label)?.to_owned(), *value)))
            .collect()
    };
    let expect_zero = |name: &str, label: &str, known: &[&str]| {
        let values = values_of(name, label);
        for value in known {
            assert_eq!(
                values.get(*value),
                Some(&0.0),
                "{name}{{{label}=\"{value}\"}} is not exported at zero by a fresh node"
            );
        }
    };
    let ops: Vec<&str> = leapfrog_core::store::Op::ALL
        .iter()
        .map(|op| op.label())
        .collect();
    expect_zero("leapfrog_redis_errors_total", "op", &ops);
    expect_zero("leapfrog_messages_in_total", "type", Request::KINDS);
    expect_zero(
        "leapfrog_request_duration_seconds_count",
        "type",
        Request::KINDS,
    );
    expect_zero("leapfrog_messages_out_total", "type", ServerFrame::KINDS);
    for (name, label, known) in [
        (
            "leapfrog_disconnects_total",
            "reason",
            &[
                "client_closed",
                "shutting_down",
                "replaced",
                "hello_timeout",
                "token_expired",
                "idle_timeout",
                "rate_abuse",
                "message_too_big",
                "not_reading",
                "protocol_error",
                "invalid_utf8",
            ][..],
        ),
        (
            "leapfrog_decode_errors_total",
            "kind",
            &["too_large", "wrong_codec", "malformed"],
        ),
        (
            "leapfrog_connects_total",
            "outcome",
            &["accepted", "node_full", "unauthorized", "draining"],
        ),
        (
            "leapfrog_runs_rejected_total",
            "reason",
            &[
                "too_fast",
                "input_after_end",
                "invalid_input",
                "too_many_inputs",
            ],
        ),
        (
            "leapfrog_notifications_created_total",
            "kind",
            &[
                "friend_passed",
                "friends_passed_summary",
                "friend_request_received",
                "friend_request_accepted",
            ],
        ),
        (
            "leapfrog_notifications_pushed_total",
            "route",
            &["local", "remote"],
        ),
        (
            "leapfrog_leaderboard_read_seconds_count",
            "scope",
            &["friends", "global"],
        ),
        (
            "leapfrog_runs_swept_total",
            "outcome",
            &["recorded", "timed_out", "failed"],
        ),
    ] {
        expect_zero(name, label, known);
    }
    // The Redis latency and batch histograms count the node's own background commands (health pings,
    // the sweeper) from the start, and those open the group commit's connection; every other counter
    // and histogram of a node without traffic is zero.
    let counted: Vec<(&String, &f64)> = all
        .iter()
        .filter(|(key, _)| {
            let name = key.split('{').next().unwrap_or(key);
            let family = family_of(name, &exported).unwrap_or(name);
            matches!(
                exported.get(family).map(String::as_str),
                Some("counter" | "histogram")
            ) && family.starts_with("leapfrog_")
                && family != "leapfrog_redis_command_duration_seconds"
                && family != "leapfrog_redis_batch_entries"
                && family != "leapfrog_redis_connections_opened_total"
        })
        .filter(|(_, value)| **value != 0.0)
        .collect();
    assert!(
        counted.is_empty(),
        "counted before any traffic: {counted:?}"
    );

    // The build, the configured limit and the process.
    let build = all
        .iter()
        .find(|(key, _)| key.starts_with("leapfrog_build_info{"))
        .expect("leapfrog_build_info");
    assert_eq!(*build.1, 1.0);
    assert_eq!(
        label_value(build.0, "version"),
        Some(env!("CARGO_PKG_VERSION"))
    );
    assert!(label_value(build.0, "git_sha").is_some_and(|sha| !sha.is_empty()));
    assert!(label_value(build.0, "rustc").is_some_and(|rustc| rustc.contains('.')));
    assert_eq!(
        all.get(&format!(
            "leapfrog_max_connections{{node=\"{}\"}}",
            label_value(build.0, "node").expect("a node label")
        )),
        Some(&1234.0)
    );
    for family in [
        "leapfrog_redis_reachable",
        "leapfrog_panics_total",
        "leapfrog_redis_timeout_seconds",
        "leapfrog_redis_batch_window_seconds",
        "leapfrog_run_results_pending_limit",
        "process_cpu_seconds_total",
        "process_threads",
    ] {
        assert!(exported.contains_key(family), "{family} missing");
    }
    for family in [
        "process_resident_memory_bytes",
        "process_open_fds",
        "process_max_fds",
    ] {
        assert!(
            all.iter()
                .any(|(key, value)| key.starts_with(family) && *value > 0.0),
            "{family} missing or zero"
        );
    }
}

#[test]
fn every_dashboard_panel_has_an_id_of_its_own_and_queries() {
    let dashboard = dashboard();
    let panels = dashboard["panels"].as_array().expect("a panels list");
    let mut ids = BTreeSet::new();
    for panel in panels {
        let id = panel["id"].as_u64().expect("every panel has a numeric id");
        assert!(ids.insert(id), "panel id {id} is used twice");
        let title = panel["title"].as_str().unwrap_or_default();
        if panel["type"] != "row" {
            let targets = panel["targets"].as_array().map(Vec::len).unwrap_or(0);
            assert!(targets > 0, "panel {title:?} has no query");
        }
    }
}

/// A GET over HTTP/1.0, so the answer is never chunked: the status and the body.
async fn get(addr: SocketAddr, path_and_query: &str) -> std::io::Result<(u16, String)> {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        stream
            .write_all(format!("GET {path_and_query} HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes())
            .await?;
        let mut response = String::new();
        stream.read_to_string(&mut response).await?;
        Ok(support::status_and_body(&response))
    };
    tokio::time::timeout(support::WAIT, exchange)
        .await
        .unwrap_or_else(|_| Err(std::io::Error::other("HTTP request timed out")))
}

/// `text` percent-encoded for a URL query.
fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// A real Prometheus on a free loopback port, scraping one node every second with the alert rules of
/// `deploy/prometheus/rules.yml`; its storage and log in a temporary directory. Killed on drop.
struct TestPrometheus {
    addr: SocketAddr,
    dir: PathBuf,
    child: tokio::process::Child,
}

impl TestPrometheus {
    async fn start(node_admin: SocketAddr) -> TestPrometheus {
        let addr: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let dir = std::env::temp_dir().join(format!(
            "leapfrog-test-prometheus-{}-{}",
            std::process::id(),
            addr.port()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let rules = deploy_path("prometheus/rules.yml")
            .canonicalize()
            .expect("deploy/prometheus/rules.yml exists");
        let config = format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - {rules:?}\n\
             scrape_configs:\n  - job_name: leapfrog\n    static_configs:\n      - targets: [\"{node_admin}\"]\n"
        );
        std::fs::write(dir.join("prometheus.yml"), config).expect("config written");
        let log = std::fs::File::create(dir.join("prometheus.log")).expect("log file");
        let child = tokio::process::Command::new("prometheus")
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!("--storage.tsdb.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address={addr}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot run prometheus ({error}): scripts/test.sh installs it (apt-get install -y prometheus)"
                )
            });
        TestPrometheus { addr, dir, child }
    }

    /// The log so far, for failure messages.
    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("prometheus.log")).unwrap_or_default()
    }

    /// The `data` of an API answer, once `accept` takes it, retried until `deadline`.
    async fn wait_for(
        &self,
        path_and_query: &str,
        deadline: Instant,
        accept: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok((200, body)) = get(self.addr, path_and_query).await {
                let answer: serde_json::Value =
                    serde_json::from_str(&body).expect("the Prometheus API answers JSON");
                if accept(&answer["data"]) {
                    return answer["data"].clone();
                }
                last = body;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!(
            "Prometheus did not answer {path_and_query} as expected in time; last answer: {last}\nlog:\n{}",
            self.log()
        );
    }

    /// Evaluates `query` now; its `data`, or a failure with Prometheus' error.
    async fn query(&self, query: &str) -> serde_json::Value {
        let (status, body) = get(
            self.addr,
            &format!("/api/v1/query?query={}", url_encode(query)),
        )
        .await
        .expect("Prometheus answers");
        let answer: serde_json::Value = serde_json::from_str(&body).expect("JSON answer");
        assert!(
            status == 200 && answer["status"] == "success",
            "Prometheus refused {query:?}: {body}"
        );
        answer["data"].clone()
    }
}

impl Drop for TestPrometheus {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn prometheus_scrapes_a_node_evaluates_the_rules_and_answers_the_dashboard() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &[]).await;
    let mut prometheus = TestPrometheus::start(server.admin).await;
    let deadline = Instant::now() + PROMETHEUS_WAIT;

    let scraped = prometheus
        .wait_for(
            "/api/v1/query?query=leapfrog_connections_open",
            deadline,
            |data| data["result"].as_array().is_some_and(|r| !r.is_empty()),
        )
        .await;
    assert_eq!(scraped["result"][0]["metric"]["job"], "leapfrog");

    // Every rule evaluated at least once, without error.
    let evaluated = |rule: &serde_json::Value| {
        rule["health"] == "ok"
            && rule["lastEvaluation"]
                .as_str()
                .is_some_and(|at| !at.starts_with("0001-"))
    };
    let rules = prometheus
        .wait_for("/api/v1/rules", deadline, |data| {
            data["groups"].as_array().is_some_and(|groups| {
                !groups.is_empty()
                    && groups.iter().all(|group| {
                        group["rules"]
                            .as_array()
                            .is_some_and(|rules| rules.iter().all(evaluated))
                    })
            })
        })
        .await;
    let loaded: usize = rules["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|group| group["rules"].as_array().map(Vec::len).unwrap_or(0))
        .sum();
    assert!(
        loaded > 0,
        "no rule loaded from deploy/prometheus/rules.yml"
    );
    // Before the first scrape LeapfrogNoTargets is rightly pending; once the node is scraped, nothing is.
    let quiet_by = Instant::now() + Duration::from_secs(5);
    let alerts = loop {
        let alerts = prometheus.query("ALERTS").await;
        if alerts["result"].as_array().is_some_and(Vec::is_empty) || Instant::now() > quiet_by {
            break alerts;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(
        alerts["result"].as_array().map(Vec::len),
        Some(0),
        "a healthy, idle node raises no alert, not even a pending one: {alerts}"
    );

    // Every dashboard query is valid PromQL, with Grafana's variables filled in.
    let mut queries = Vec::new();
    dashboard_queries(&dashboard(), &mut queries);
    for query in queries.iter().filter(|q| !q.starts_with("label_values(")) {
        let query = query
            .replace("$__rate_interval", "1m")
            .replace("$node", ".*");
        prometheus.query(&query).await;
    }

    let _ = prometheus.child.kill().await;
}

/// The `LEAPFROG_*` variable names in `text` (the prefix alone, as in "`LEAPFROG_*`", is not one).
fn env_names(text: &str) -> BTreeSet<&str> {
    text.match_indices("LEAPFROG_")
        .map(|(at, _)| {
            let rest = &text[at..];
            let end = rest
                .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .filter(|name| !name.ends_with('_'))
        .collect()
}

fn files_under(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files_under(&path, files);
        } else {
            files.push(path);
        }
    }
}

#[test]
fn the_deploy_files_set_only_real_server_options() {
    let help = Command::new(env!("CARGO_BIN_EXE_leapfrog-server"))
        .arg("--help")
        .env_clear()
        .output()
        .expect("the server binary runs");
    let help = String::from_utf8_lossy(&help.stdout);
    let mut files = Vec::new();
    files_under(&deploy_path(""), &mut files);
    let mut invented = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for name in env_names(&text) {
            // LEAPFROG_LOG is the log filter, read by main.rs rather than a flag.
            // clap lists each option's variable as `[env: NAME=]`, or `[env: NAME]` for hidden values.
            let listed = help.contains(&format!("[env: {name}="))
                || help.contains(&format!("[env: {name}]"));
            if name != "LEAPFROG_LOG" && !listed {
                invented.push(format!("{name} in {}", file.display()));
            }
        }
    }
    assert!(
        invented.is_empty(),
        "not options of leapfrog-server (see `leapfrog-server --help`): {invented:?}"
    );
}

/// The number after `key` on its line in `text`, quotes stripped.
fn number_after(text: &str, key: &str, file: &str) -> u64 {
    text.lines()
        .find_map(|line| line.trim().strip_prefix(key))
        .map(|value| value.trim().trim_matches('"'))
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no numeric {key} in {file}"))
}

#[test]
fn the_kubernetes_grace_period_outlasts_the_pre_stop_pause_and_the_drain() {
    let deployment = read_deploy("k8s/base/deployment.yaml");
    let grace_s = number_after(
        &deployment,
        "terminationGracePeriodSeconds:",
        "k8s/base/deployment.yaml",
    );
    let pre_stop_s = deployment
        .lines()
        .find_map(|line| line.trim().strip_prefix("command: [\"sleep\", \""))
        .and_then(|rest| rest.split('"').next())
        .and_then(|seconds| seconds.parse::<u64>().ok())
        .expect("a preStop sleep in k8s/deployment.yaml");
    let drain_ms = number_after(
        &read_deploy("k8s/base/configmap.yaml"),
        "LEAPFROG_DRAIN_TIMEOUT_MS:",
        "k8s/base/configmap.yaml",
    );
    assert!(
        grace_s * 1000 > pre_stop_s * 1000 + drain_ms,
        "terminationGracePeriodSeconds ({grace_s} s) must exceed the preStop pause ({pre_stop_s} s) plus \
         LEAPFROG_DRAIN_TIMEOUT_MS ({drain_ms} ms), or Kubernetes kills nodes mid-drain"
    );
}

/// The validators of `deploy/ci-requirements.txt` (kubectl, kubernetes-validate, yamllint), installed
/// once per requirements file into a virtualenv under the target directory; the directory of their
/// executables.
fn validators() -> &'static Path {
    static INSTALLED: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    INSTALLED.get_or_init(|| {
        let requirements = deploy_path("ci-requirements.txt");
        let pinned = std::fs::read_to_string(&requirements).expect("deploy/ci-requirements.txt");
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        std::hash::Hash::hash(&pinned, &mut hasher);
        let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "deploy-validators-{:016x}",
            std::hash::Hasher::finish(&hasher)
        ));
        let bin = venv.join("bin");
        let done = venv.join("installed");
        if !done.exists() {
            let run = |program: &Path, args: &[&str]| {
                let output = Command::new(program)
                    .args(args)
                    .output()
                    .unwrap_or_else(|error| panic!("cannot run {}: {error}", program.display()));
                assert!(
                    output.status.success(),
                    "{} {}: {}{}",
                    program.display(),
                    args.join(" "),
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                );
            };
            let _ = std::fs::remove_dir_all(&venv);
            run(
                Path::new("python3"),
                &["-m", "venv", venv.to_str().expect("a UTF-8 path")],
            );
            run(
                &bin.join("pip"),
                &[
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "-r",
                    requirements.to_str().expect("a UTF-8 path"),
                ],
            );
            std::fs::write(&done, &pinned).expect("marker written");
        }
        bin
    })
}

/// Runs `program` with `args` in `dir`; its standard output, or a failure with everything it said.
fn run_in(dir: &Path, program: &Path, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", program.display()));
    assert!(
        output.status.success(),
        "{} {} failed:\n{}{}",
        program.display(),
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every object of a multi-document YAML file, as JSON (converted by the validators' Python, which has
/// PyYAML).
fn yaml_objects(file: &Path) -> Vec<serde_json::Value> {
    let json = run_in(
        Path::new("."),
        &validators().join("python"),
        &[
            "-c",
            "import json, sys, yaml; json.dump([d for d in yaml.safe_load_all(open(sys.argv[1])) if d], sys.stdout)",
            file.to_str().expect("a UTF-8 path"),
        ],
    );
    serde_json::from_str(&json).expect("JSON from the YAML")
}

#[test]
fn the_kubernetes_manifests_build_with_kustomize_and_pass_strict_schema_validation() {
    let bin = validators();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR"));
    for (root, built_name) in [
        ("k8s", "k8s-single.yaml"),
        ("k8s/redis-cluster", "k8s-cluster.yaml"),
    ] {
        let built = run_in(
            &deploy_path(root),
            &bin.join("kubectl"),
            &["kustomize", "."],
        );
        let file = out.join(built_name);
        std::fs::write(&file, &built).expect("manifests written");
        let file_arg = file.to_str().expect("a UTF-8 path");
        run_in(
            out,
            &bin.join("kubernetes-validate"),
            &["--strict", "--quiet", file_arg],
        );
        let objects = yaml_objects(&file);
        let kinds: BTreeSet<&str> = objects.iter().filter_map(|o| o["kind"].as_str()).collect();
        for kind in [
            "Deployment",
            "StatefulSet",
            "NetworkPolicy",
            "PodDisruptionBudget",
        ] {
            assert!(
                kinds.contains(kind),
                "deploy/{root} builds no {kind}: {kinds:?}"
            );
        }
        for object in &objects {
            let name = object["metadata"]["name"].as_str().unwrap_or_default();
            let pod = &object["spec"]["template"]["spec"];
            if pod.is_null() {
                continue;
            }
            assert_eq!(
                pod["automountServiceAccountToken"], false,
                "deploy/{root}: {name} mounts a service account token it never uses"
            );
            // Kubernetes expands $(NAME) in a variable only from one listed before it.
            for container in pod["containers"].as_array().into_iter().flatten() {
                let mut defined = BTreeSet::new();
                for variable in container["env"].as_array().into_iter().flatten() {
                    let value = variable["value"].as_str().unwrap_or_default();
                    for (at, _) in value.match_indices("$(") {
                        let used = value[at + 2..].split(')').next().unwrap_or_default();
                        assert!(
                            defined.contains(used),
                            "deploy/{root}: {name}: {} uses $({used}) before it is defined",
                            variable["name"]
                        );
                    }
                    defined.insert(variable["name"].as_str().unwrap_or_default().to_owned());
                }
            }
        }
    }
    // The Secret template is applied by hand, so it is not in the kustomizations.
    run_in(
        &deploy_path("k8s"),
        &bin.join("kubernetes-validate"),
        &["--strict", "--quiet", "secret.yaml"],
    );
}

#[test]
fn yamllint_accepts_every_yaml_file_of_deploy() {
    run_in(
        &deploy_path(""),
        &validators().join("yamllint"),
        &["--strict", "-c", ".yamllint.yaml", "."],
    );
}

/// The number after `directive` in an nginx configuration.
fn nginx_number(config: &str, directive: &str) -> u64 {
    config
        .lines()
        .find_map(|line| line.trim().strip_prefix(directive)?.strip_prefix(' '))
        .and_then(|value| value.trim_end_matches(';').trim().parse().ok())
        .unwrap_or_else(|| panic!("no numeric {directive} in deploy/nginx/nginx.conf"))
}

#[test]
fn nginx_accepts_its_config_which_holds_every_connection_the_nodes_allow() {
    // The upstream names are variables resolved at run time (Docker's DNS), so `nginx -t` needs neither
    // the nodes nor their names.
    let prefix = Path::new(env!("CARGO_TARGET_TMPDIR")).join("nginx-prefix");
    std::fs::create_dir_all(&prefix).expect("nginx prefix");
    let config = deploy_path("nginx/nginx.conf");
    let output = Command::new("nginx")
        .arg("-t")
        .arg("-c")
        .arg(config.canonicalize().expect("deploy/nginx/nginx.conf"))
        .arg("-p")
        .arg(&prefix)
        .output()
        .expect("nginx runs (scripts/test.sh installs it: apt-get install -y nginx)");
    assert!(
        output.status.success(),
        "nginx -t: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = read_deploy("nginx/nginx.conf");
    let capacity =
        nginx_number(&text, "worker_processes") * nginx_number(&text, "worker_connections");
    let per_node = number_after(
        &read_deploy("compose.yaml"),
        "LEAPFROG_MAX_CONNECTIONS:",
        "compose.yaml",
    );
    // Every player's WebSocket is two connections in nginx (the player's and the node's), two nodes.
    assert!(
        capacity >= 2 * 2 * per_node,
        "nginx holds {capacity} connections, the nodes allow 2 x {per_node} players"
    );
    assert!(
        nginx_number(&text, "worker_rlimit_nofile") >= nginx_number(&text, "worker_connections"),
        "worker_rlimit_nofile below worker_connections"
    );
}

#[test]
fn compose_keeps_monitoring_on_loopback_and_requires_its_passwords() {
    let compose = yaml_objects(&deploy_path("compose.yaml"))
        .pop()
        .expect("compose.yaml");
    let services = &compose["services"];
    for service in ["prometheus", "alertmanager", "grafana"] {
        for port in services[service]["ports"]
            .as_array()
            .expect("published ports")
        {
            let port = port.as_str().unwrap_or_default();
            assert!(
                port.starts_with("${MONITORING_BIND:-127.0.0.1}:"),
                "{service} publishes {port} beyond loopback by default"
            );
        }
    }
    let grafana_password = services["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"]
        .as_str()
        .unwrap_or_default();
    assert!(
        grafana_password.contains(":?"),
        "Grafana's admin password has a default: {grafana_password}"
    );
    let redis = services["redis"]["command"].to_string();
    for required in ["--requirepass", "--maxmemory ", "noeviction"] {
        assert!(
            redis.contains(required),
            "compose's Redis runs without {required}: {redis}"
        );
    }
    assert!(
        services["leapfrog-1"]["environment"]["LEAPFROG_REDIS_URL"]
            .as_str()
            .is_some_and(|url| url.contains("${REDIS_PASSWORD")),
        "the nodes' Redis URL carries no password"
    );
}
