//! `fml listen` and `fml trigger`: receive a tenant's events on a laptop. `listen` signs in
//! with client credentials, opens a session, holds an outbound Server-Sent Events stream to
//! the server, and forwards each event to a local URL signed (`X-FML-Signature`) with a
//! session secret it prints, one line per event. `trigger` sends a sample of any event type
//! to that session only. Both talk to a running server over HTTP, like any integration.

use std::io::Write;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::{Value, json};

/// What both commands need to sign in.
#[derive(Debug, Args)]
pub struct Credentials {
    /// The server's base URL.
    #[arg(long, env = "FML_API_URL", default_value = "http://127.0.0.1:8080")]
    api_url: String,
    /// An API client with `webhooks:read` (or `:write`) and `cases:read` (or `:write`).
    #[arg(long, env = "FML_CLIENT_ID")]
    client_id: String,
    #[arg(long, env = "FML_CLIENT_SECRET", hide_env_values = true)]
    client_secret: String,
}

#[derive(Debug, Args)]
pub struct ListenArgs {
    #[command(flatten)]
    creds: Credentials,
    /// Where to POST each event, e.g. http://localhost:3000/webhooks.
    #[arg(long)]
    forward_to: String,
    /// Only these event types (comma-separated, or repeated); default: all.
    #[arg(long, value_delimiter = ',')]
    events: Vec<String>,
}

#[derive(Debug, Args)]
pub struct TriggerArgs {
    /// The event type, e.g. case.decision.made.
    event: String,
    #[command(flatten)]
    creds: Credentials,
    /// The session (default: this client's most recent `fml listen`).
    #[arg(long)]
    session: Option<String>,
}

struct Api {
    http: reqwest::Client,
    base: String,
    creds: Credentials,
    token: String,
}

impl Api {
    async fn sign_in(creds: Credentials) -> Result<Self> {
        fml_webhooks::client::install_tls();
        let http = reqwest::Client::builder().connect_timeout(Duration::from_secs(10)).build()?;
        let base = creds.api_url.trim_end_matches('/').to_owned();
        let mut api = Api { http, base, creds, token: String::new() };
        api.refresh().await?;
        Ok(api)
    }

    async fn refresh(&mut self) -> Result<()> {
        let body = json!({"grant_type": "client_credentials", "client_id": self.creds.client_id,
            "client_secret": self.creds.client_secret});
        let res = self.http.post(format!("{}/v1/oauth/token", self.base)).json(&body).send().await;
        let res = res.with_context(|| format!("reaching {}", self.base))?;
        let v: Value = answer(res).await.context("signing in with the client credentials")?;
        self.token = v["access_token"].as_str().unwrap_or_default().to_owned();
        Ok(())
    }

    async fn post(&self, path: &str, body: &Value) -> Result<Value> {
        let res = self.http.post(format!("{}{path}", self.base)).bearer_auth(&self.token).json(body).send().await?;
        answer(res).await
    }
}

/// The JSON of a 2xx answer, or the server's error as the message.
async fn answer(res: reqwest::Response) -> Result<Value> {
    let status = res.status();
    let v: Value = res.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        let why = v["error_description"].as_str().or(v["error"].as_str()).unwrap_or("no explanation");
        let fields: Vec<String> = v["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| format!("{} {}", f["field"].as_str().unwrap_or(""), f["message"].as_str().unwrap_or("")))
            .collect();
        if fields.is_empty() {
            bail!("the server answered {status}: {why}");
        }
        bail!("the server answered {status}: {}", fields.join("; "));
    }
    Ok(v)
}

pub async fn trigger(args: TriggerArgs) -> Result<()> {
    let api = Api::sign_in(args.creds).await?;
    let v = api.post("/v1/listen/trigger", &json!({"event": args.event, "sessionId": args.session})).await?;
    println!(
        "triggered {} ({}) for session {}",
        v["event"].as_str().unwrap_or(""),
        v["eventId"].as_str().unwrap_or(""),
        v["sessionId"].as_str().unwrap_or("")
    );
    Ok(())
}

pub async fn listen(args: ListenArgs) -> Result<()> {
    let target = fml_webhooks::ssrf::WebhookUrl::parse(&args.forward_to, true)
        .map_err(|e| anyhow::anyhow!("--forward-to: {e}"))?;
    let mut api = Api::sign_in(args.creds).await?;
    let session = api.post("/v1/listen/sessions", &Value::Null).await?;
    let session = session["id"].as_str().unwrap_or_default().to_owned();
    let secret = fml_webhooks::sign::generate_secret();
    println!("Ready: forwarding your events to {} (session {session})", target.as_str());
    println!("Signing secret: {secret}");
    println!("Verify X-FML-Signature with it; `fml trigger <event-type>` sends a sample here. Ctrl-C ends.");
    let _ = std::io::stdout().flush();
    let forward = Forward { client: fml_webhooks::client::build_client(true), target, secret };
    let run = stream(&mut api, &session, &args.events, &forward);
    tokio::select! {
        r = run => r,
        _ = tokio::signal::ctrl_c() => {
            let url = format!("{}/v1/listen/sessions/{session}", api.base);
            let _ = api.http.delete(url).bearer_auth(&api.token).send().await;
            Ok(())
        }
    }
}

struct Forward {
    client: reqwest::Client,
    target: fml_webhooks::ssrf::WebhookUrl,
    secret: String,
}

impl Forward {
    /// Signs and POSTs one event as a delivery would be, and prints one line.
    async fn send(&self, event: &str, payload: String) {
        let v: Value = serde_json::from_str(&payload).unwrap_or(Value::Null);
        let event_id = v["eventId"].as_str().unwrap_or_default().to_owned();
        let now = fml_domain::Timestamp::now();
        let keys = fml_webhooks::sign::Keys::one(self.secret.clone());
        let scheme = fml_webhooks::sign::Scheme::FmlV1;
        let signing = fml_webhooks::sign::headers(scheme, &keys, now.millis(), &event_id, payload.as_bytes());
        let timestamp = (now.millis() / 1000).to_string();
        // A forward is no delivery: it has no delivery id (0) and one attempt.
        let envelope = fml_webhooks::client::Envelope {
            event,
            event_id: &event_id,
            timestamp: &timestamp,
            delivery_id: 0,
            attempt: 1,
            signing: &signing,
        };
        let out = fml_webhooks::client::send(&self.client, &self.target, true, &envelope, payload.into()).await;
        let result = match &out.error {
            None => format!("{} in {} ms", out.http_status, out.duration_ms),
            Some(e) if out.http_status > 0 => format!("{} in {} ms ({e})", out.http_status, out.duration_ms),
            Some(e) => format!("failed: {e}"),
        };
        println!("{}  {event:<28} {event_id}  -> {result}", now.to_iso());
        let _ = std::io::stdout().flush();
    }
}

/// Holds the stream, reconnecting where it left off (`Last-Event-ID`), with a new token when
/// the old one expired.
async fn stream(api: &mut Api, session: &str, events: &[String], forward: &Forward) -> Result<()> {
    let mut last_id: Option<String> = None;
    let mut pause = Duration::from_millis(500);
    loop {
        let mut url = reqwest::Url::parse(&format!("{}/v1/listen/sessions/{session}/events", api.base))?;
        if !events.is_empty() {
            url.query_pairs_mut().append_pair("events", &events.join(","));
        }
        let mut req = api.http.get(url).bearer_auth(&api.token).header("accept", "text/event-stream");
        if let Some(id) = &last_id {
            req = req.header("last-event-id", id);
        }
        match req.send().await {
            Ok(res) if res.status() == reqwest::StatusCode::UNAUTHORIZED => api.refresh().await?,
            Ok(res) if res.status() == reqwest::StatusCode::NOT_FOUND => bail!("the session {session} is over"),
            Ok(res) if res.status().is_success() => {
                pause = Duration::from_millis(500);
                read(res, &mut last_id, forward).await;
            }
            Ok(res) => eprintln!("the stream was refused ({}); trying again", res.status()),
            Err(e) => eprintln!("the stream was cut ({e}); reconnecting"),
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(10));
    }
}

/// Reads Server-Sent Events until the stream ends, forwarding each.
async fn read(mut res: reqwest::Response, last_id: &mut Option<String>, forward: &Forward) {
    let mut buf = String::new();
    while let Ok(Some(chunk)) = res.chunk().await {
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let (mut event, mut id, mut data) = (None, None, String::new());
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    event = Some(v.trim_start().to_owned());
                } else if let Some(v) = line.strip_prefix("id:") {
                    id = Some(v.trim_start().to_owned());
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.strip_prefix(' ').unwrap_or(v));
                }
            }
            if let (Some(event), false) = (event, data.is_empty()) {
                forward.send(&event, data).await;
            }
            if id.is_some() {
                *last_id = id;
            }
        }
    }
}
