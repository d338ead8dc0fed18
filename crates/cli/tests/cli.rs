//! The `fml` binary as an operator uses it: admin commands with `--json`, against the same
//! database as a running `fml serve`.

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const FML: &str = env!("CARGO_BIN_EXE_fml");

struct Env {
    dir: std::path::PathBuf,
    url: String,
}

impl Env {
    fn sqlite() -> Self {
        let dir = std::env::temp_dir().join(format!("fml-cli-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite:{}", dir.join("fml.db").display());
        Self { dir, url }
    }

    fn fml(&self, args: &[&str]) -> Output {
        Command::new(FML).args(args).env("FML_DATABASE_URL", &self.url).env_remove("FML_MASTER_KEY").output().unwrap()
    }

    /// Runs `fml` with extra environment variables.
    fn fml_env(&self, args: &[&str], vars: &[(&str, &str)]) -> Output {
        Command::new(FML)
            .args(args)
            .env("FML_DATABASE_URL", &self.url)
            .env_remove("FML_MASTER_KEY")
            .envs(vars.iter().copied())
            .current_dir(&self.dir)
            .output()
            .unwrap()
    }

    /// Starts `fml serve` expecting it to refuse to start; returns its output.
    fn serve_refused(&self, vars: &[(&str, &str)]) -> Output {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut child = Command::new(FML)
            .arg("serve")
            .env("FML_DATABASE_URL", &self.url)
            .env("FML_LISTEN", format!("127.0.0.1:{port}"))
            .env_remove("FML_MASTER_KEY")
            .envs(vars.iter().copied())
            .current_dir(&self.dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline || healthy(port) {
                let _ = child.kill();
                panic!("fml serve started when it should have refused");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        child.wait_with_output().unwrap()
    }

    /// Runs `fml` with `input` on its standard input.
    fn fml_stdin(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut child = Command::new(FML)
            .args(args)
            .env("FML_DATABASE_URL", &self.url)
            .env_remove("FML_MASTER_KEY")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.fml(args);
        assert!(out.status.success(), "fml {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
    }

    fn serve(&self, extra: &[&str]) -> Server {
        self.serve_with_env(extra, &[])
    }

    fn serve_with_env(&self, extra: &[&str], vars: &[(&str, &str)]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(FML)
            .arg("serve")
            .args(extra)
            // (the server's own default, not whatever the test runner's environment holds)
            .env_remove("MALLOC_ARENA_MAX")
            .envs(vars.iter().copied())
            .env("FML_DATABASE_URL", &self.url)
            .env("FML_LISTEN", format!("127.0.0.1:{port}"))
            .env_remove("FML_MASTER_KEY")
            .current_dir(&self.dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if healthy(port) {
                break;
            }
            assert!(Instant::now() < deadline, "fml serve did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Server { child, base }
    }
}

/// Whether `GET /healthz` answers 200: the server is serving (not merely bound).
fn healthy(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /healthz HTTP/1.0\r\nHost: x\r\n\r\n").is_err() {
        return false;
    }
    let mut buf = String::new();
    let _ = s.read_to_string(&mut buf);
    buf.starts_with("HTTP/1.0 200") || buf.starts_with("HTTP/1.1 200")
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn token(http: &reqwest::Client, base: &str, id: &str, secret: &str) -> reqwest::Response {
    http.post(format!("{base}/v1/oauth/token"))
        .json(&json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret}))
        .send()
        .await
        .unwrap()
}

#[test]
fn admin_commands_print_the_documented_json() {
    let env = Env::sqlite();
    assert_eq!(
        env.json(&["org", "create", "--id", "org_demo_bank", "--name", "Demo Bank", "--json"]),
        json!({"orgId": "org_demo_bank"})
    );
    let dup = env.fml(&["org", "create", "--id", "org_demo_bank", "--name", "Again"]);
    assert!(!dup.status.success());
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already exists"));
    let bad = env.fml(&["org", "create", "--id", "Bad Id", "--name", "x"]);
    assert!(!bad.status.success());

    let created = env.json(&[
        "client",
        "create",
        "--org",
        "org_demo_bank",
        "--name",
        "Zapier",
        "--scope",
        "cases:write",
        "--scope",
        "cases:read",
        "--json",
    ]);
    let keys: Vec<&String> = created.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["client_id", "client_secret", "scopes"]);
    assert_eq!(created["scopes"], json!(["cases:write", "cases:read"]));
    let id = created["client_id"].as_str().unwrap();
    let secret = created["client_secret"].as_str().unwrap();
    assert!(id.starts_with("fml_client_") && secret.starts_with("fml_sk_"));

    // The secret is stored only as its hash.
    let db = std::fs::read(env.dir.join("fml.db")).unwrap();
    let wal = std::fs::read(env.dir.join("fml.db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the client secret is stored in plaintext"
        );
    }

    let unknown_scope = env.fml(&["client", "create", "--org", "org_demo_bank", "--name", "x", "--scope", "admin"]);
    assert!(!unknown_scope.status.success());
    let no_org = env.fml(&["client", "create", "--org", "org_nope", "--name", "x", "--scope", "cases:read"]);
    assert!(!no_org.status.success());

    let list = env.json(&["client", "list", "--org", "org_demo_bank", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["client_id"], id);
    assert_eq!(list[0]["revokedAt"], Value::Null);
    assert!(list[0].get("client_secret").is_none());

    // Scopes: widened, then narrowed (its live tokens revoked), the same again changes nothing.
    let scopes = |list: &[&str]| {
        let mut args = vec!["client", "scopes", "--org", "org_demo_bank", "--client-id", id, "--json"];
        args.extend(list.iter().flat_map(|s| ["--scope", *s]));
        env.json(&args)
    };
    assert_eq!(
        scopes(&["cases:write", "cases:read,webhooks:read"]),
        json!({"client_id": id, "scopes": ["cases:write", "cases:read", "webhooks:read"], "tokens_revoked": false})
    );
    assert_eq!(scopes(&["cases:read"])["tokens_revoked"], true);
    assert_eq!(scopes(&["cases:read"])["tokens_revoked"], false);
    let list = env.json(&["client", "list", "--org", "org_demo_bank", "--json"]);
    assert_eq!(list[0]["scopes"], json!(["cases:read"]));
    let bad = env.fml(&["client", "scopes", "--org", "org_demo_bank", "--client-id", id, "--scope", "admin"]);
    assert!(!bad.status.success());
    let none = env.fml(&[
        "client",
        "scopes",
        "--org",
        "org_demo_bank",
        "--client-id",
        "fml_client_nope",
        "--scope",
        "cases:read",
    ]);
    assert!(!none.status.success() && String::from_utf8_lossy(&none.stderr).contains("has no client"));

    assert_eq!(
        env.json(&["client", "revoke", "--org", "org_demo_bank", "--client-id", id, "--json"]),
        json!({"client_id": id, "revoked": true})
    );
    let list = env.json(&["client", "list", "--org", "org_demo_bank", "--json"]);
    assert!(list[0]["revokedAt"].is_string());
    assert!(
        !env.fml(&["client", "revoke", "--org", "org_demo_bank", "--client-id", "fml_client_nope"]).status.success()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_from_the_cli_stops_a_running_servers_tokens() {
    let env = Env::sqlite();
    env.json(&["org", "create", "--id", "org_live", "--name", "Live Bank", "--json"]);
    let c = env.json(&["client", "create", "--org", "org_live", "--name", "n", "--scope", "cases:write", "--json"]);
    let (id, secret) = (c["client_id"].as_str().unwrap(), c["client_secret"].as_str().unwrap());
    let server = env.serve(&[]);
    fml_webhooks::client::install_tls();
    let http = reqwest::Client::new();
    let res = token(&http, &server.base, id, secret).await;
    assert_eq!(res.status(), 200);
    let access: Value = res.json().await.unwrap();
    let access = access["access_token"].as_str().unwrap().to_owned();
    let create = |t: String| {
        http.post(format!("{}/v1/cases", server.base))
            .bearer_auth(t)
            .json(&json!({"customerEmail": "jane@acme.example", "companyName": "Acme", "sendInvite": true}))
            .send()
    };
    assert_eq!(create(access.clone()).await.unwrap().status(), 201);

    // The invite waits in the outbox, readable by the operator with the same master key.
    let outbox = env.json(&["outbox", "list", "--org", "org_live", "--json"]);
    assert_eq!(outbox[0]["to"], "jane@acme.example");
    assert_eq!(outbox[0]["status"], "pending");
    assert!(outbox[0]["body"].as_str().unwrap().contains("/portal/invite/"));

    env.json(&["client", "revoke", "--org", "org_live", "--client-id", id, "--json"]);
    assert_eq!(create(access).await.unwrap().status(), 401);
    assert_eq!(token(&http, &server.base, id, secret).await.status(), 401);
}

#[test]
fn serve_demo_creates_the_demo_tenant_once() {
    let env = Env::sqlite();
    let read_stdout = |mut server: Server| {
        // The banner is printed before the server accepts connections.
        let _ = server.child.kill();
        let mut out = String::new();
        std::io::Read::read_to_string(server.child.stdout.as_mut().unwrap(), &mut out).unwrap();
        out
    };
    let first = read_stdout(env.serve(&["--demo"]));
    assert!(first.contains("org_demo_bank created"), "{first}");
    assert!(first.contains("client_secret: fml_sk_"));
    assert!(first.contains("/v1/oauth/token") && first.contains("/v1/cases"));
    let second = read_stdout(env.serve(&["--demo"]));
    assert!(second.contains("already exists") && !second.contains("client_secret: fml_sk_"), "{second}");
    let clients = env.json(&["client", "list", "--org", "org_demo_bank", "--json"]);
    assert_eq!(clients[0]["scopes"], json!(["cases:write", "cases:read", "webhooks:write", "webhooks:read"]));
    // The key file was created owner-only beside the database.
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(env.dir.join("master.key")).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
}

/// `fml serve` runs with one glibc malloc arena (it executes itself again with
/// `MALLOC_ARENA_MAX=1`: the same process, now serving), unless the deployment chose a value.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn serve_runs_with_one_malloc_arena_unless_the_deployment_sets_it() {
    let env = Env::sqlite();
    let arena_max = |server: &Server| {
        let environ = std::fs::read(format!("/proc/{}/environ", server.child.id())).unwrap();
        let vars: Vec<String> = environ.split(|b| *b == 0).map(|v| String::from_utf8_lossy(v).into_owned()).collect();
        vars.into_iter().find_map(|v| v.strip_prefix("MALLOC_ARENA_MAX=").map(str::to_owned))
    };
    let server = env.serve(&[]);
    assert_eq!(arena_max(&server).as_deref(), Some("1"));
    drop(server);
    let server = env.serve_with_env(&[], &[("MALLOC_ARENA_MAX", "4")]);
    assert_eq!(arena_max(&server).as_deref(), Some("4"));
}

/// `FML_LOG_FORMAT=json`: every line the server logs is one JSON object with its level and
/// fields, the fatal error included.
#[test]
fn logs_are_json_when_asked() {
    let env = Env::sqlite();
    let out = env.serve_refused(&[("FML_LOG_FORMAT", "json"), ("FML_TEST_RETRY_SCHEDULE_MS", "soon")]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}\n{stderr}")))
        .collect();
    let checked = lines.iter().find(|l| l["fields"]["message"] == "master key checked").expect("the start is logged");
    assert_eq!(checked["level"], "INFO");
    assert_eq!(checked["fields"]["fingerprint"].as_str().map(str::len), Some(16), "{checked}");
    let last = lines.last().unwrap();
    assert_eq!((last["level"].as_str(), last["fields"]["message"].as_str()), (Some("ERROR"), Some("fml stopped")));
    assert!(last["fields"]["error"].as_str().unwrap().contains("FML_TEST_RETRY_SCHEDULE_MS"), "{last}");
}

/// The master key is checked against the database at every start: a wrong key or a lost key
/// file is refused with a clear message (never silently replaced), and `fml key rotate`
/// re-seals everything under a new key and replaces the key file.
#[test]
fn the_master_key_is_checked_and_rotated() {
    let env = Env::sqlite();
    env.json(&["org", "create", "--id", "org_keys", "--name", "Keys Bank", "--json"]);
    let out = env.fml_stdin(
        &["endpoint", "create", "--org", "org_keys", "--url", "https://8.8.8.8/hook", "--secret", "-", "--json"],
        "a-shared-secret-to-keep-sealed",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key_path = env.dir.join("master.key");
    let original = std::fs::read_to_string(&key_path).unwrap();
    let fp = env.json(&["key", "show", "--json"])["fingerprint"].as_str().unwrap().to_owned();
    assert_eq!(fp.len(), 64);

    // Another key is refused, by the CLI and by the server.
    let other = String::from_utf8(env.fml(&["key", "generate"]).stdout).unwrap().trim().to_owned();
    assert_eq!(other.len(), 64);
    let out = env.fml_env(&["key", "show"], &[("FML_MASTER_KEY", &other)]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is not the key this database's secrets were sealed with"), "{stderr}");
    assert!(stderr.contains(&fp[..16]), "the message names the expected key: {stderr}");
    let out = env.serve_refused(&[("FML_MASTER_KEY", &other)]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not the key"));

    // A lost key file is refused, not replaced by a new key.
    std::fs::rename(&key_path, env.dir.join("master.key.bak")).unwrap();
    let out = env.serve_refused(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("master.key is missing"), "{stderr}");
    assert!(!key_path.exists(), "no new key was made");
    std::fs::rename(env.dir.join("master.key.bak"), &key_path).unwrap();

    // Rotation: a new key file, owner-only; the old key is refused from then on.
    let rotated = env.json(&["key", "rotate", "--json"]);
    assert_eq!(rotated["endpointSecrets"], 1);
    let new_fp = rotated["fingerprint"].as_str().unwrap();
    assert_ne!(new_fp, fp);
    let new_key = std::fs::read_to_string(&key_path).unwrap();
    assert_ne!(new_key, original);
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&key_path).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    assert!(!env.dir.join("master.key.next").exists());
    assert_eq!(env.json(&["key", "show", "--json"])["fingerprint"], new_fp);
    assert!(!env.fml_env(&["key", "show"], &[("FML_MASTER_KEY", &original)]).status.success());
    // The re-sealed secret opens under the new key: updating the endpoint works, and a second
    // rotation (which opens every value) succeeds.
    assert_eq!(env.json(&["key", "rotate", "--json"])["endpointSecrets"], 1);

    // With FML_MASTER_KEY_FILE: a rotation interrupted after its commit (the new key still in
    // `<file>.next`) is finished at the next start.
    let file = env.dir.join("operator.key");
    let file_var = file.to_str().unwrap();
    std::fs::copy(&key_path, &file).unwrap();
    let vars = [("FML_MASTER_KEY_FILE", file_var)];
    let out = env.fml_env(&["key", "rotate", "--json"], &vars);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rotated: Value = serde_json::from_slice(&out.stdout).unwrap();
    let new_key = std::fs::read(&file).unwrap();
    std::fs::write(env.dir.join("operator.key.next"), &new_key).unwrap();
    std::fs::copy(&key_path, &file).unwrap(); // the old key back in place, as before the rename
    let out = env.fml_env(&["key", "show", "--json"], &vars);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["fingerprint"], rotated["fingerprint"]);
    assert_eq!(std::fs::read(&file).unwrap(), new_key);
    assert!(!env.dir.join("operator.key.next").exists());
}

#[test]
fn cli_works_on_postgres() {
    let Ok(base) = std::env::var("FML_TEST_DATABASE_URL") else {
        assert!(std::env::var("CI").is_err(), "CI must run the PostgreSQL tests");
        return;
    };
    // A fresh database for this test.
    let name = format!("fml_cli_{}", uuid::Uuid::new_v4().simple());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(&base).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut c).await.unwrap();
    });
    let url = match base.rsplit_once('/') {
        Some((prefix, _)) => format!("{prefix}/{name}"),
        None => panic!("unexpected FML_TEST_DATABASE_URL {base}"),
    };
    let mut env = Env::sqlite();
    env.url = url;
    assert_eq!(
        env.json(&["org", "create", "--id", "org_pg", "--name", "PG Bank", "--json"]),
        json!({"orgId": "org_pg"})
    );
    let c = env.json(&["client", "create", "--org", "org_pg", "--name", "n", "--scope", "cases:read", "--json"]);
    let list = env.json(&["client", "list", "--org", "org_pg", "--json"]);
    assert_eq!(list[0]["client_id"], c["client_id"]);
    // On PostgreSQL the key must be given: nothing is generated relative to a directory.
    let out = env.fml(&["key", "show"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("FML_MASTER_KEY"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!env.dir.join("master.key").exists() && !std::path::Path::new("fml-data/master.key").exists());
    let key = String::from_utf8(env.fml(&["key", "generate"]).stdout).unwrap().trim().to_owned();
    let shown = env.fml_env(&["key", "show", "--json"], &[("FML_MASTER_KEY", &key)]);
    assert!(shown.status.success(), "{}", String::from_utf8_lossy(&shown.stderr));
    let out = env.serve_refused(&[]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("on PostgreSQL the master key must be given"));
    // Routine PostgreSQL notices (the migrations table already exists) are not printed.
    let out = env.fml(&["client", "list", "--org", "org_pg"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("already exists"), "{stderr}");
    drop(env);
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(&base).await.unwrap();
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name}"))).execute(&mut c).await;
    });
}

#[test]
fn endpoint_commands_manage_webhook_endpoints() {
    let env = Env::sqlite();
    env.json(&["org", "create", "--id", "org_hooks", "--name", "Hooks Bank", "--json"]);
    // Private targets are refused unless explicitly allowed.
    let refused = env.fml(&["endpoint", "create", "--org", "org_hooks", "--url", "https://127.0.0.1/hook"]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("Webhook URL must not target a private or loopback address.")
    );
    let created = env.json(&[
        "endpoint",
        "create",
        "--org",
        "org_hooks",
        "--url",
        "https://8.8.8.8/hook",
        "--label",
        "Finance",
        "--event-type",
        "case.decision.made",
        "--json",
    ]);
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["secret"].as_str().unwrap().len(), 64);
    assert_eq!(created["eventTypes"], json!(["case.decision.made"]));
    let list = env.json(&["endpoint", "list", "--org", "org_hooks", "--json"]);
    assert_eq!(list[0]["id"], id.as_str());
    assert!(list[0].get("secret").is_none());
    let updated = env.json(&[
        "endpoint",
        "update",
        "--org",
        "org_hooks",
        "--id",
        &id,
        "--disable",
        "--label",
        "Finance (paused)",
        "--json",
    ]);
    assert_eq!(updated["enabled"], false);
    assert_eq!(updated["label"], "Finance (paused)");
    assert!(updated.get("secret").is_none());
    // Rotation: to a generated secret, or to one read from standard input (never a flag
    // value, which shell history and the process list would keep).
    let rotated = env.json(&["endpoint", "update", "--org", "org_hooks", "--id", &id, "--generate-secret", "--json"]);
    let generated = rotated["secret"].as_str().unwrap();
    assert_eq!(generated.len(), 64);
    assert_ne!(generated, created["secret"].as_str().unwrap());
    let out = env.fml_stdin(
        &["endpoint", "update", "--org", "org_hooks", "--id", &id, "--secret", "-", "--json"],
        "a-secret-typed-on-stdin-42\n",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["secret"], "a-secret-typed-on-stdin-42");
    let out = env.fml_stdin(
        &["endpoint", "create", "--org", "org_hooks", "--url", "https://8.8.4.4/hook", "--secret", "-", "--json"],
        "",
    );
    assert!(!out.status.success(), "an empty standard input is no secret");
    let bad = env.fml(&["endpoint", "update", "--org", "org_hooks", "--id", &id, "--event-type", "case.approved"]);
    assert!(!bad.status.success());
    assert_eq!(
        env.json(&["endpoint", "delete", "--org", "org_hooks", "--id", &id, "--json"]),
        json!({"id": id, "deleted": true})
    );
    assert_eq!(env.json(&["endpoint", "list", "--org", "org_hooks", "--json"]), json!([]));
}

/// A receiver in this process. Until `open` is set it holds every request without answering
/// (so the deliveries are in flight when the server is killed) and counts arrivals; once open
/// it answers 200 and records the event ids it received.
struct GatedReceiver {
    url: String,
    open: std::sync::Arc<std::sync::atomic::AtomicBool>,
    arrived: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    seen: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

async fn gated_receiver() -> GatedReceiver {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    let open = Arc::new(AtomicBool::new(false));
    let arrived = Arc::new(AtomicUsize::new(0));
    let seen: Arc<Mutex<std::collections::HashSet<String>>> = Arc::default();
    let (o, a, s) = (open.clone(), arrived.clone(), seen.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap| {
            let (o, a, s) = (o.clone(), a.clone(), s.clone());
            async move {
                if !o.load(Ordering::SeqCst) {
                    a.fetch_add(1, Ordering::SeqCst);
                    // Never answer: the server dies with this attempt in flight.
                    std::future::pending::<()>().await;
                }
                if let Some(id) = headers.get("x-fml-event-id").and_then(|v| v.to_str().ok()) {
                    s.lock().unwrap().insert(id.to_owned());
                }
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    GatedReceiver { url, open, arrived, seen }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_delivery_is_lost_when_the_server_is_killed() {
    use std::sync::atomic::Ordering;
    let env = Env::sqlite();
    env.json(&["org", "create", "--id", "org_crash", "--name", "Crash Bank", "--json"]);
    let c = env.json(&["client", "create", "--org", "org_crash", "--name", "n", "--scope", "cases:write", "--json"]);
    let (id, secret) = (c["client_id"].as_str().unwrap().to_owned(), c["client_secret"].as_str().unwrap().to_owned());
    let rx = gated_receiver().await;
    let out = Command::new(FML)
        .args(["endpoint", "create", "--org", "org_crash", "--url", &rx.url, "--json"])
        .env("FML_DATABASE_URL", &env.url)
        .env("FML_WEBHOOK_ALLOW_PRIVATE_TARGETS", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let vars = [("FML_WEBHOOK_ALLOW_PRIVATE_TARGETS", "1"), ("FML_TEST_RETRY_SCHEDULE_MS", "50,50,50,50,50")];
    let mut server = env.serve_with_env(&[], &vars);
    fml_webhooks::client::install_tls();
    let http = reqwest::Client::new();
    let t: Value = token(&http, &server.base, &id, &secret).await.json().await.unwrap();
    let access = t["access_token"].as_str().unwrap().to_owned();
    let burst = 300;
    let results = futures::future::join_all((0..burst).map(|i| {
        let (http, base, access) = (&http, &server.base, &access);
        async move {
            http.post(format!("{base}/v1/cases"))
                .bearer_auth(access)
                .json(&json!({"customerEmail": format!("c{i}@crash.example"), "crmRecordId": format!("crash-{i}")}))
                .send()
                .await
                .map(|r| r.status().as_u16())
        }
    }))
    .await;
    assert!(results.iter().all(|r| matches!(r, Ok(201))), "every case was accepted");
    // Kill -9 while attempts are in flight (the receiver is holding them).
    let deadline = Instant::now() + Duration::from_secs(30);
    while rx.arrived.load(Ordering::SeqCst) < 10 {
        assert!(Instant::now() < deadline, "no delivery was attempted");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    assert!(rx.seen.lock().unwrap().is_empty());
    rx.open.store(true, Ordering::SeqCst);

    // After the restart every event arrives: the queued ones at once, the ones that were in
    // flight when their lease runs out.
    let _server = env.serve_with_env(&[], &vars);
    let deadline = Instant::now() + Duration::from_secs(90);
    while rx.seen.lock().unwrap().len() < burst {
        assert!(
            Instant::now() < deadline,
            "only {} of {burst} events arrived after the restart",
            rx.seen.lock().unwrap().len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `fml analyst create` prints the password and API token once; both work against a running
/// server, and `fml settings` changes what the server shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analysts_and_settings_from_the_cli() {
    let env = Env::sqlite();
    env.json(&["org", "create", "--id", "org_cli_bank", "--name", "CLI Bank", "--json"]);
    let created = env.json(&[
        "analyst",
        "create",
        "--org",
        "org_cli_bank",
        "--email",
        "Ada@Bank.Example",
        "--name",
        "Ada Analyst",
        "--role",
        "senior",
        "--json",
    ]);
    assert_eq!(created["email"], "ada@bank.example");
    assert_eq!(created["role"], "senior");
    let password = created["password"].as_str().unwrap();
    let api_token = created["apiToken"].as_str().unwrap();
    assert!(api_token.starts_with("fml_at_") && password.len() >= 12, "{created}");
    // The same email again is refused; so is a bad role or a weak chosen password.
    for args in [
        vec!["analyst", "create", "--org", "org_cli_bank", "--email", "ada@bank.example", "--name", "Again"],
        vec![
            "analyst",
            "create",
            "--org",
            "org_cli_bank",
            "--email",
            "b@bank.example",
            "--name",
            "B",
            "--role",
            "boss",
        ],
        vec![
            "analyst",
            "create",
            "--org",
            "org_cli_bank",
            "--email",
            "c@bank.example",
            "--name",
            "C",
            "--password",
            "short",
        ],
        vec!["analyst", "create", "--org", "org_nope", "--email", "d@bank.example", "--name", "D"],
    ] {
        let out = env.fml(&args);
        assert!(!out.status.success(), "{args:?} succeeded");
    }
    let chosen = env.fml_stdin(
        &[
            "analyst",
            "create",
            "--org",
            "org_cli_bank",
            "--email",
            "e@bank.example",
            "--name",
            "E",
            "--password",
            "-",
            "--json",
        ],
        "a long enough passphrase\n",
    );
    assert!(chosen.status.success(), "{}", String::from_utf8_lossy(&chosen.stderr));
    let list = env.json(&["analyst", "list", "--org", "org_cli_bank", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 2);

    let settings = env.json(&[
        "settings",
        "set",
        "--org",
        "org_cli_bank",
        "--display-name",
        "CLI Bank plc",
        "--support-email",
        "help@bank.example",
        "--json",
    ]);
    assert_eq!(settings["displayName"], "CLI Bank plc");
    assert!(!env.fml(&["settings", "set", "--org", "org_cli_bank", "--logo-url", "ftp://x/y"]).status.success());
    let shown = env.json(&["settings", "show", "--org", "org_cli_bank", "--json"]);
    assert_eq!(shown["supportEmail"], "help@bank.example");

    let server = env.serve(&[]);
    fml_webhooks::client::install_tls();
    let http = reqwest::Client::new();
    let login = http
        .post(format!("{}/api/session", server.base))
        .json(&json!({"email": "ada@bank.example", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let who: Value = http
        .get(format!("{}/api/settings", server.base))
        .bearer_auth(api_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(who["error"], "forbidden", "a senior is not an admin");
    let chosen_login = http
        .post(format!("{}/api/session", server.base))
        .json(&json!({"email": "e@bank.example", "password": "a long enough passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(chosen_login.status(), 200);

    // A manual case with an invite: the outbox shows the link, the jobs list its send_mail job
    // (queued: this server has no SMTP).
    let res = http
        .post(format!("{}/api/cases", server.base))
        .bearer_auth(api_token)
        .json(&json!({"customerEmail": "jane@acme.example", "companyName": "Acme", "sendInvite": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let outbox = env.json(&["outbox", "list", "--org", "org_cli_bank", "--json"]);
    let links = outbox[0]["links"].as_array().unwrap();
    assert_eq!(links.len(), 1);
    assert!(links[0].as_str().unwrap().starts_with(&format!("{}/portal/invite/", server.base)), "{links:?}");
    let jobs = env.json(&["jobs", "list", "--org", "org_cli_bank", "--json"]);
    assert_eq!(jobs[0]["kind"], "send_mail");
    assert_eq!(jobs[0]["status"], "queued");
    assert_eq!(jobs[0]["payload"]["mailId"], outbox[0]["id"]);
    assert!(!env.fml(&["jobs", "list", "--status", "stuck"]).status.success());
}

#[test]
fn endpoints_recover_resends_the_failed_deliveries_of_a_window() {
    let env = Env::sqlite();
    env.json(&["org", "create", "--id", "org_rec", "--name", "Recover Bank", "--json"]);
    let ep = env.json(&["endpoint", "create", "--org", "org_rec", "--url", "https://8.8.8.8/hook", "--json"]);
    let id = ep["id"].as_str().unwrap().to_owned();
    // Three failed deliveries at t = 1000, 2000 and 9000 ms, and a delivered one at 1500.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let pool = rt.block_on(sqlx::SqlitePool::connect(&env.url)).unwrap();
    for (n, (at, status)) in
        [(1000, "failed"), (1500, "delivered"), (2000, "failed"), (9000, "failed")].iter().enumerate()
    {
        let event_id = uuid::Uuid::new_v4().to_string();
        rt.block_on(
            sqlx::query(
                "INSERT INTO events (id, event_id, org_id, event_type, case_id, payload, created_at) \
                 VALUES (?, ?, 'org_rec', 'case.created', NULL, '{}', ?)",
            )
            .bind(n as i64 + 1)
            .bind(&event_id)
            .bind(at)
            .execute(&pool),
        )
        .unwrap();
        rt.block_on(
            sqlx::query(
                "INSERT INTO deliveries (org_id, endpoint_id, event_row, event_id, event_type, status, attempt_count, \
                    auto_failures, manual, created_at, updated_at) \
                 VALUES ('org_rec', ?, ?, ?, 'case.created', ?, 6, 5, FALSE, ?, ?)",
            )
            .bind(&id)
            .bind(n as i64 + 1)
            .bind(&event_id)
            .bind(status)
            .bind(at)
            .bind(at)
            .execute(&pool),
        )
        .unwrap();
    }
    let window = ["--since", "1970-01-01T00:00:00.500Z", "--until", "1970-01-01T00:00:05Z"];
    let args = |json: bool| {
        let mut a = vec!["endpoints", "recover", "--org", "org_rec", "--id", id.as_str()];
        a.extend(window);
        if json {
            a.push("--json");
        }
        a
    };
    let r = env.json(&args(true));
    assert_eq!(
        (r["total"].as_i64(), r["requeued"].as_i64(), r["status"].as_str()),
        (Some(2), Some(2), Some("done")),
        "{r}"
    );
    let rows: Vec<(i64, String, bool)> = rt
        .block_on(
            sqlx::query_as("SELECT created_at, status, manual FROM deliveries ORDER BY created_at").fetch_all(&pool),
        )
        .unwrap();
    assert_eq!(
        rows,
        [
            (1000, "pending".into(), true),
            (1500, "delivered".into(), false),
            (2000, "pending".into(), true),
            (9000, "failed".into(), false)
        ]
    );
    // Nothing failed is left in the window: a second run re-queues nothing, and says so.
    let out = env.fml(&args(false));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 of 0 failed deliveries re-queued"));
    let missing =
        env.fml(&["endpoints", "recover", "--org", "org_rec", "--id", "nope", "--since", "1970-01-01T00:00:00Z"]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("has no endpoint nope"));
    let bad = env.fml(&["endpoints", "recover", "--org", "org_rec", "--id", &id, "--since", "last tuesday"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--since must be an RFC 3339 time"));
}

/// The receiver `fml listen` forwards to in the test: the receiver crate's extractor, with
/// the secret `listen` printed, reporting each verified event.
#[derive(Clone)]
struct ListenRx {
    receiver: fml_receiver::Receiver,
    seen: tokio::sync::mpsc::UnboundedSender<fml_receiver::Event>,
}

impl axum::extract::FromRef<ListenRx> for fml_receiver::Receiver {
    fn from_ref(s: &ListenRx) -> Self {
        s.receiver.clone()
    }
}

async fn listen_hook(
    axum::extract::State(s): axum::extract::State<ListenRx>,
    fml_receiver::Verified(event): fml_receiver::Verified,
) -> &'static str {
    let _ = s.seen.send(event);
    "ok"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_forwards_the_tenants_events_signed_and_trigger_sends_samples() {
    use fml_receiver::Event;
    use std::io::BufRead;
    let env = Env::sqlite();
    env.json(&["org", "create", "--id", "org_listen", "--name", "Listen Bank", "--json"]);
    let c = env.json(&[
        "client",
        "create",
        "--org",
        "org_listen",
        "--name",
        "laptop",
        "--scope",
        "cases:write",
        "--scope",
        "webhooks:write",
        "--json",
    ]);
    let (id, secret) = (c["client_id"].as_str().unwrap().to_owned(), c["client_secret"].as_str().unwrap().to_owned());
    let server = env.serve(&[]);
    let local = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let forward = format!("http://{}/webhooks", local.local_addr().unwrap());
    let creds = ["--api-url", server.base.as_str(), "--client-id", id.as_str(), "--client-secret", secret.as_str()];
    let mut listen = Command::new(FML)
        .arg("listen")
        .args(creds)
        .args(["--forward-to", &forward])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    let out = listen.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut printed = Vec::new();
    let session_secret = loop {
        let line = lines.recv_timeout(Duration::from_secs(20)).expect("fml listen printed its secret");
        printed.push(line.clone());
        if let Some(s) = line.strip_prefix("Signing secret: ") {
            break s.to_owned();
        }
    };
    assert!(printed[0].starts_with("Ready: forwarding your events to"), "{printed:?}");
    let (seen_tx, mut seen) = tokio::sync::mpsc::unbounded_channel();
    let state = ListenRx { receiver: fml_receiver::Receiver::new(session_secret), seen: seen_tx };
    let app = axum::Router::new().route("/webhooks", axum::routing::post(listen_hook)).with_state(state);
    tokio::spawn(async move { axum::serve(local, app).await });

    // A case created on the server arrives, verified with the printed secret.
    fml_webhooks::client::install_tls();
    let http = reqwest::Client::new();
    let res = token(&http, &server.base, &id, &secret).await;
    let access = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    // The stream may still be connecting: create until the first event arrives.
    let created = loop {
        let case: Value = http
            .post(format!("{}/v1/cases", server.base))
            .bearer_auth(&access)
            .json(&json!({"companyName": "Listen Ltd", "customerEmail": "dev@listen.example"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        match tokio::time::timeout(Duration::from_secs(3), seen.recv()).await {
            Ok(Some(Event::CaseCreated(e))) => {
                assert_eq!(e.case_id, case["caseId"].as_str().unwrap());
                break e;
            }
            Ok(other) => panic!("{other:?}"),
            Err(_) => continue,
        }
    };
    assert_eq!(created.org_id, "org_listen");
    assert_eq!(created.company_name.as_deref(), Some("Listen Ltd"));

    // A sample of any type, for this session only, the tenant's own.
    let out = env.fml(&[&["trigger", "risk.assessed"][..], &creds[..]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("triggered risk.assessed ("));
    let sample = loop {
        match tokio::time::timeout(Duration::from_secs(20), seen.recv()).await.expect("the sample arrives") {
            Some(Event::RiskAssessed(e)) => break e,
            Some(Event::CaseCreated(_)) => continue, // a retried create's own event
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(sample.org_id, "org_listen");
    let bad = env.fml(&[&["trigger", "case.teleported"][..], &creds[..]].concat());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not an event type of the catalog"));

    // One line per event: type, id, status and latency.
    let logged: Vec<String> = std::iter::from_fn(|| lines.recv_timeout(Duration::from_secs(5)).ok())
        .take_while(|l| !l.contains("risk.assessed"))
        .chain(std::iter::once(String::new()))
        .collect();
    assert!(logged.iter().any(|l| l.contains("case.created") && l.contains("-> 200 in")), "{logged:?}");
    let _ = listen.kill();
    let _ = listen.wait();
}

/// Trace export (`FML_OTLP_ENDPOINT`): the request that creates a case and the delivery
/// attempt of its `case.created` are one trace, parsed by a collector into the OpenTelemetry
/// protocol's own messages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traces_run_from_the_request_to_the_delivery_attempt() {
    let env = Env::sqlite();
    let collector_dir = env.dir.join("otlp");
    std::fs::create_dir_all(&collector_dir).unwrap();
    let (port_file, spans_file) = (collector_dir.join("port"), collector_dir.join("spans.jsonl"));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/python/otlp_collector.py");
    let collector = Command::new("python3")
        .arg(script)
        .arg(&port_file)
        .arg(&spans_file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Stopped however the test ends.
    let _collector = Server { child: collector, base: String::new() };
    let started = Instant::now() + Duration::from_secs(20);
    let port = loop {
        if let Some(p) = std::fs::read_to_string(&port_file).ok().filter(|p| !p.is_empty()) {
            break p;
        }
        assert!(Instant::now() < started, "the collector did not start (is opentelemetry-proto installed?)");
        std::thread::sleep(Duration::from_millis(50));
    };
    env.json(&["org", "create", "--id", "org_trace", "--name", "Trace Bank", "--json"]);
    let c = env.json(&[
        "client",
        "create",
        "--org",
        "org_trace",
        "--name",
        "crm",
        "--scope",
        "cases:write",
        "--scope",
        "webhooks:write",
        "--json",
    ]);
    let (id, secret) = (c["client_id"].as_str().unwrap(), c["client_secret"].as_str().unwrap());
    let receiver = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", receiver.local_addr().unwrap());
    let parents: std::sync::Arc<std::sync::Mutex<Vec<String>>> = std::sync::Arc::default();
    let seen = parents.clone();
    tokio::spawn(async move {
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: axum::http::HeaderMap| async move {
                let parent = headers.get("traceparent").and_then(|v| v.to_str().ok()).unwrap_or("none");
                seen.lock().unwrap().push(parent.to_owned());
                "ok"
            }),
        );
        axum::serve(receiver, app).await
    });
    let endpoint = format!("http://127.0.0.1:{port}");
    let server = env.serve_with_env(
        &[],
        &[("FML_OTLP_ENDPOINT", endpoint.as_str()), ("FML_WEBHOOK_ALLOW_PRIVATE_TARGETS", "1"), ("FML_LOG", "warn")],
    );
    fml_webhooks::client::install_tls();
    let http = reqwest::Client::new();
    let access = token(&http, &server.base, id, secret).await.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let post =
        |path: &str, body: Value| http.post(format!("{}{path}", server.base)).bearer_auth(&access).json(&body).send();
    let ep = post("/v1/webhook-endpoints", json!({"url": hook, "eventTypes": ["case.created"]})).await.unwrap();
    assert_eq!(ep.status(), 201);
    let res = post("/v1/cases", json!({"companyName": "Traced Ltd", "customerEmail": "ops@traced.example"})).await;
    assert_eq!(res.as_ref().unwrap().status(), 201);
    let case: Value = res.unwrap().json().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let spans: Vec<Value> = loop {
        let spans: Vec<Value> = std::fs::read_to_string(&spans_file)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(spans.iter().all(|s| s.get("error").is_none()), "the collector refused a batch: {spans:?}");
        if spans.iter().any(|s| s["name"] == "delivery") {
            break spans;
        }
        assert!(Instant::now() < deadline, "no delivery span came: {spans:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let request = spans
        .iter()
        .find(|s| {
            s["name"] == "request" && s["attributes"]["path"] == "/v1/cases" && s["attributes"]["method"] == "POST"
        })
        .unwrap_or_else(|| panic!("no request span: {spans:?}"));
    let delivery = spans.iter().find(|s| s["name"] == "delivery").unwrap();
    assert_eq!(request["service"], "fml");
    assert_eq!((request["kind"].as_i64(), delivery["kind"].as_i64()), (Some(2), Some(3)), "server, then client");
    assert_eq!(delivery["traceId"], request["traceId"], "one trace: {request} {delivery}");
    assert_eq!(delivery["parentSpanId"], request["spanId"]);
    assert_eq!(delivery["attributes"]["event"], "case.created");
    assert_eq!(delivery["attributes"]["case_id"], case["caseId"], "{delivery}");
    // The receiver was told the attempt's trace context, so its own spans can join the trace.
    let told = format!("00-{}-{}-01", delivery["traceId"].as_str().unwrap(), delivery["spanId"].as_str().unwrap());
    assert_eq!(parents.lock().unwrap().as_slice(), [told]);
    assert!(delivery["attributes"]["delivery_id"].as_str().is_some_and(|d| !d.is_empty()), "{delivery}");
    assert!(request["end"].as_u64() >= request["start"].as_u64());
    assert!(case["caseId"].is_string());
}
