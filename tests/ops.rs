//! End to end against real brokers: what an operator sees and does.
//! `/metrics` counters match what was produced and consumed; `/readyz` is
//! not ready before the restore and ready after; readiness drops when the
//! broker goes away and comes back by itself, with nothing lost; a changed
//! gazetteer is reloaded on SIGHUP and shows in records; a broken one is
//! rejected while processing goes on; a planted secret never shows.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;

/// A free loopback port (bound, then released for the service).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// (status, body) of one HTTP request, or None when nothing listens yet.
fn http(port: u16, method: &str, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map(|x| x.1).unwrap_or("");
    Some((status, body.to_string()))
}

/// The sum of a metric's samples whose labels contain `labels`.
fn metric(text: &str, name: &str, labels: &str) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .filter(|l| l.contains(labels))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

fn wait_for(what: &str, deadline: Duration, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < deadline {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("timed out after {deadline:?} waiting for {what}");
}

fn ready(port: u16) -> bool {
    http(port, "GET", "/readyz").is_some_and(|(s, _)| s == 200)
}

fn article(id: &str, headline: &str, body: &str) -> (Option<String>, Vec<u8>) {
    let doc = serde_json::json!({"id": id, "headline": headline, "body": body, "language": "en"});
    (Some(id.to_string()), doc.to_string().into_bytes())
}

/// Produces one article to `input` and returns its enriched record.
async fn enrich_one(
    input: &str,
    enriched: &str,
    id: &str,
    headline: &str,
    body: &str,
) -> serde_json::Value {
    produce(input, &[article(id, headline, body)]).await;
    read_until(enriched, Duration::from_secs(60), |r| {
        r.iter().any(|x| x.json()["id"] == id)
    })
    .iter()
    .map(Received::json)
    .find(|j| j["id"] == id)
    .unwrap_or_else(|| panic!("{id} was not enriched within 60 s"))
}

fn copy_config(to: &Path) {
    let status = Command::new("cp")
        .arg("-r")
        .arg(repo().join("config"))
        .arg(to)
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the local Kafka broker (scripts/test.sh starts it)"]
async fn metrics_readiness_and_reloads_on_a_running_service() {
    let tag = unique("ops");
    let input = format!("{tag}.in");
    let enriched = format!("{tag}.enriched");
    let dead = format!("{tag}.dead");
    create_topics(&[(&input, 3)]).await;
    let dir = tempfile::tempdir().unwrap();
    copy_config(dir.path());
    let config = dir.path().join("config/wiredesk.toml");
    let port = free_port();
    let mut env = service_env(&input, &enriched, &dead, &format!("{tag}.group"));
    env.push(("WIREDESK_HTTP__LISTEN".into(), format!("127.0.0.1:{port}")));
    let service = Service::start_with(&config, &brokers(), &env);

    // Not ready until the dedup state is restored and partitions assigned.
    let mut first = None;
    wait_for("the HTTP endpoint", Duration::from_secs(30), || {
        first = http(port, "GET", "/readyz");
        first.is_some()
    });
    let (status, body) = first.unwrap();
    assert_eq!(status, 503, "ready before restore and assignment: {body}");
    assert!(body.contains("partitions_assigned waiting"), "{body}");
    wait_for("readiness", Duration::from_secs(60), || ready(port));
    assert_eq!(http(port, "GET", "/healthz").unwrap().0, 200);

    // Counters match what was produced and consumed.
    let mut messages = wire_articles(40, &tag);
    let bad: Vec<(Option<String>, Vec<u8>)> = malformed()
        .into_iter()
        .take(3)
        .map(|(_, b)| (None, b))
        .collect();
    messages.extend(bad.clone());
    produce(&input, &messages).await;
    read_topic(&enriched, 40, Duration::from_secs(90));
    let expected_dead = bad.len() as f64;
    wait_for(
        "metrics to count every message",
        Duration::from_secs(30),
        || {
            let m = http(port, "GET", "/metrics").unwrap().1;
            metric(&m, "wiredesk_messages_consumed_total", &input) == 43.0
                && metric(
                    &m,
                    "wiredesk_messages_produced_total",
                    &format!("\"{enriched}\""),
                ) == 40.0
        },
    );
    let m = http(port, "GET", "/metrics").unwrap().1;
    assert_eq!(
        metric(&m, "wiredesk_dead_lettered_total", ""),
        expected_dead
    );
    assert_eq!(
        metric(
            &m,
            "wiredesk_messages_produced_total",
            &format!("\"{dead}\"")
        ),
        expected_dead
    );
    assert_eq!(metric(&m, "wiredesk_dedup_decisions_total", ""), 40.0);
    assert!(metric(&m, "wiredesk_topics_total", "medtop:") >= 40.0);
    assert_eq!(
        metric(&m, "wiredesk_stage_seconds_count", "stage=\"topic\""),
        40.0
    );
    assert!(metric(&m, "wiredesk_end_to_end_latency_seconds_count", "") >= 43.0);
    assert_eq!(metric(&m, "wiredesk_assigned_partitions", ""), 3.0);
    assert_eq!(metric(&m, "wiredesk_ready", ""), 1.0);
    assert!(
        metric(&m, "wiredesk_dedup_index_entries", "") > 0.0 || {
            // The gauge is refreshed every second.
            std::thread::sleep(Duration::from_millis(1500));
            let m = http(port, "GET", "/metrics").unwrap().1;
            metric(&m, "wiredesk_dedup_index_entries", "") > 0.0
        }
    );
    let old_version = m
        .lines()
        .find_map(|l| l.strip_prefix("wiredesk_knowledge_info{version=\""))
        .and_then(|l| l.split('"').next())
        .unwrap()
        .to_string();

    // A new name in the gazetteer, reloaded on SIGHUP.
    let names = dir.path().join("config/gazetteer/names.tsv");
    let mut text = std::fs::read_to_string(&names).unwrap();
    text.push_str("IS\ten\tcity\tNorthvik Harbour\n");
    std::fs::write(&names, text).unwrap();
    let pid = service.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .unwrap()
        .success());
    wait_for("the reload to apply", Duration::from_secs(60), || {
        let m = http(port, "GET", "/metrics").unwrap().1;
        metric(&m, "wiredesk_knowledge_reloads_total", "applied") == 1.0
    });
    let story = "NORTHVIK HARBOUR (Meridian) - Fishermen in Northvik Harbour blocked the port on Monday in a protest over new quotas, officials in Northvik Harbour said.";
    let rec = enrich_one(
        &input,
        &enriched,
        &format!("{tag}-after-reload"),
        "Fishermen block Northvik Harbour",
        story,
    )
    .await;
    let new_version = rec["meta"]["knowledge_version"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new_version, old_version);
    assert_eq!(rec["places"][0]["code"], "IS", "{}", rec["places"]);
    let m = http(port, "GET", "/metrics").unwrap().1;
    assert!(m.contains(&format!(
        "wiredesk_knowledge_info{{version=\"{new_version}\"}} 1"
    )));

    // A broken gazetteer is rejected; the running version keeps working.
    std::fs::write(
        dir.path().join("config/gazetteer/countries.tsv"),
        "not a gazetteer\n",
    )
    .unwrap();
    let (status, body) = http(port, "POST", "/reload").unwrap();
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("countries.tsv"), "{body}");
    let rec = enrich_one(
        &input,
        &enriched,
        &format!("{tag}-after-reject"),
        "Port reopens in Northvik Harbour",
        story,
    )
    .await;
    assert_eq!(rec["meta"]["knowledge_version"], new_version.as_str());
    let m = http(port, "GET", "/metrics").unwrap().1;
    assert_eq!(
        metric(&m, "wiredesk_knowledge_reloads_total", "rejected"),
        1.0
    );
    assert!(service.terminate().success());
}

/// A second broker this test may stop and start (the shared one stays up).
struct OwnBroker {
    home: std::path::PathBuf,
    port: u16,
}

impl OwnBroker {
    /// `scripts/kafka-local.sh ACTION` for this broker's home and ports.
    fn script(&self, action: &str) -> Command {
        let mut cmd = Command::new(repo().join("scripts/kafka-local.sh"));
        cmd.arg(action)
            .env("WIREDESK_KAFKA_HOME", &self.home)
            .env("WIREDESK_KAFKA_PORT", self.port.to_string())
            .env(
                "WIREDESK_KAFKA_CONTROLLER_PORT",
                (self.port + 1).to_string(),
            );
        cmd
    }

    fn run(&self, action: &str) {
        let status = self.script(action).status().unwrap();
        assert!(status.success(), "kafka-local.sh {action}");
    }

    fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for OwnBroker {
    fn drop(&mut self) {
        let _ = self.script("reset").status();
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Java and the Kafka jars (scripts/test.sh provides them)"]
async fn readiness_drops_when_the_broker_goes_and_recovers_without_loss() {
    let broker = OwnBroker {
        home: repo().join(format!("target/kafka-outage-{}", std::process::id())),
        port: 19192,
    };
    broker.run("start");
    let b = broker.address();
    let tag = unique("outage");
    let input = format!("{tag}.in");
    let enriched = format!("{tag}.enriched");
    let port = free_port();
    let mut env = service_env(
        &input,
        &enriched,
        &format!("{tag}.dead"),
        &format!("{tag}.group"),
    );
    env.push(("WIREDESK_HTTP__LISTEN".into(), format!("127.0.0.1:{port}")));
    produce_at(&b, &input, &wire_articles(20, &format!("{tag}-a"))).await;
    let service = Service::start_with(&repo().join("config/wiredesk.toml"), &b, &env);
    wait_for("readiness", Duration::from_secs(60), || ready(port));

    broker.run("stop");
    wait_for("readiness to drop", Duration::from_secs(30), || {
        !ready(port)
    });
    assert_eq!(
        http(port, "GET", "/healthz").unwrap().0,
        200,
        "alive while the broker is away"
    );
    broker.run("start");
    wait_for("readiness to come back", Duration::from_secs(90), || {
        ready(port)
    });
    produce_at(&b, &input, &wire_articles(20, &format!("{tag}-b"))).await;

    // Nothing lost: all 40 enriched, read back from the restarted broker
    // (the group may take a while to settle after the broker's return).
    let enriched_ids = || -> Vec<String> {
        let out = Command::new(env!("CARGO_BIN_EXE_wiredesk"))
            .args(["dump", "--brokers", &b, "--topic", &enriched])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|j| j["id"].as_str().map(String::from))
            .collect()
    };
    let mut ids = enriched_ids();
    let start = Instant::now();
    while ids.iter().collect::<std::collections::HashSet<_>>().len() < 40
        && start.elapsed() < Duration::from_secs(180)
    {
        std::thread::sleep(Duration::from_secs(5));
        ids = enriched_ids();
    }
    ids.sort();
    ids.dedup();
    assert_eq!(
        ids.len(),
        40,
        "every article enriched once the broker came back"
    );
    assert!(service.terminate().success());
}

const PLANTED: &str = "planted-s3cr3t-7f3a9c";

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the local Kafka broker (scripts/test.sh starts it)"]
async fn a_planted_secret_never_shows_in_logs_metrics_errors_or_help() {
    let dir = tempfile::tempdir().unwrap();
    copy_config(dir.path());
    let config = dir.path().join("config/wiredesk.toml");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "[kafka.secrets]\n",
        "[kafka.secrets]\n\"sasl.password\" = \"env:WD_PLANTED\"\n",
    ).replace(
        "[kafka.properties]\n",
        "[kafka.properties]\n\"security.protocol\" = \"SASL_PLAINTEXT\"\n\"sasl.mechanism\" = \"PLAIN\"\n\"sasl.username\" = \"wiredesk\"\n",
    );
    std::fs::write(&config, text).unwrap();
    let port = free_port();
    // SASL against the plaintext listener fails: the service logs, retries
    // and reports errors, at debug level, with the secret in its config.
    let child = Command::new(env!("CARGO_BIN_EXE_wiredesk"))
        .arg("run")
        .arg("--config")
        .arg(&config)
        .args(["--brokers", &brokers()])
        .env("WD_PLANTED", PLANTED)
        .env("WIREDESK_HTTP__LISTEN", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "debug")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut seen = String::new();
    wait_for("the HTTP endpoint", Duration::from_secs(30), || {
        http(port, "GET", "/metrics").is_some()
    });
    std::thread::sleep(Duration::from_secs(6));
    for path in ["/metrics", "/readyz", "/healthz"] {
        seen.push_str(&http(port, "GET", path).unwrap().1);
    }
    seen.push_str(&http(port, "POST", "/reload").unwrap().1);
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let out = child.wait_with_output().unwrap();
    let logs = stdout_and_stderr(&out);
    assert!(
        logs.len() > 1000,
        "debug logging should have said a lot: {logs}"
    );
    seen.push_str(&logs);
    // --help with the secret (and the config) in the environment.
    for args in [
        vec!["--help"],
        vec!["run", "--help"],
        vec!["replay", "--help"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_wiredesk"))
            .args(&args)
            .env("WD_PLANTED", PLANTED)
            .env("WIREDESK_CONFIG", PLANTED)
            .output()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    // A secret written into the config file is refused without echoing it.
    let inline = std::fs::read_to_string(&config).unwrap().replacen(
        "[kafka.properties]\n",
        &format!("[kafka.properties]\n\"sasl.password\" = \"{PLANTED}\"\n"),
        1,
    );
    std::fs::write(&config, inline).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wiredesk"))
        .arg("run")
        .arg("--config")
        .arg(&config)
        .env("WD_PLANTED", PLANTED)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[kafka.secrets]"), "{err}");
    seen.push_str(&err);
    assert!(!seen.contains(PLANTED), "the secret leaked");
}

/// The local broker's SASL/PLAIN listener (scripts/kafka-local.sh).
const SASL_BROKER: &str = "127.0.0.1:19094";
const SASL_PASSWORD: &str = "wiredesk-local-test";

/// A config for the SASL listener whose password comes from `source`.
fn sasl_config(dir: &Path, source: &str) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    copy_config(dir);
    let config = dir.join("config/wiredesk.toml");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replacen(
            "[kafka.properties]\n",
            "[kafka.properties]\n\"security.protocol\" = \"SASL_PLAINTEXT\"\n\"sasl.mechanism\" = \"PLAIN\"\n\"sasl.username\" = \"wiredesk\"\n",
            1,
        )
        .replacen(
            "[kafka.secrets]\n",
            &format!("[kafka.secrets]\n\"sasl.password\" = \"{source}\"\n"),
            1,
        );
    std::fs::write(&config, text).unwrap();
    config
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the local Kafka broker (scripts/test.sh starts it)"]
async fn a_sasl_cluster_is_reached_with_the_password_from_env_or_file() {
    let tag = unique("sasl");
    let topic = format!("{tag}.in");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("wires.jsonl");
    let lines: Vec<String> = wire_articles(5, &tag)
        .into_iter()
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect();
    std::fs::write(&input, lines.join("\n")).unwrap();

    // Password from an environment variable: produce over SASL.
    let env_config = sasl_config(&dir.path().join("env"), "env:WD_SASL_PASSWORD");
    let out = Command::new(env!("CARGO_BIN_EXE_wiredesk"))
        .arg("--config")
        .arg(&env_config)
        .args([
            "produce",
            "--brokers",
            SASL_BROKER,
            "--topic",
            &topic,
            "--input",
        ])
        .arg(&input)
        .env("WD_SASL_PASSWORD", SASL_PASSWORD)
        .output()
        .unwrap();
    assert_succeeded(&out);

    // Password from a file: read it back over SASL.
    std::fs::write(
        dir.path().join("sasl-password"),
        format!("{SASL_PASSWORD}\n"),
    )
    .unwrap();
    let file_config = sasl_config(
        &dir.path().join("file"),
        &format!("file:{}", dir.path().join("sasl-password").display()),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_wiredesk"))
        .arg("--config")
        .arg(&file_config)
        .args(["dump", "--brokers", SASL_BROKER, "--topic", &topic])
        .output()
        .unwrap();
    assert_succeeded(&out);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 5);

    // A wrong password fails with an error, and the error does not show it.
    let wrong = "not-the-password-4d2f";
    let out = Command::new(env!("CARGO_BIN_EXE_wiredesk"))
        .arg("--config")
        .arg(&env_config)
        .args(["dump", "--brokers", SASL_BROKER, "--topic", &topic])
        .env("WD_SASL_PASSWORD", wrong)
        .env("RUST_LOG", "debug")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let all = stdout_and_stderr(&out);
    assert!(
        all.contains("error:") && all.contains("[kafka.secrets]"),
        "{all}"
    );
    assert!(!all.contains(wrong), "the password leaked: {all}");
}
