//! What a create shows once across its redirect. Every console form that makes something
//! answers `303 See Other` to a page, so a reload never makes it twice; a secret made with it
//! (an API client's) rides to that page in a short-lived cookie, sealed under the master key and
//! bound to the analyst's session, and the page clears the cookie as it shows the secret. Any
//! node can show it, the database keeps nothing, and a reload, another tab opened later or
//! another analyst finds nothing.

use axum::http::{HeaderMap, HeaderValue};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fml_domain::Timestamp;
use fml_domain::secret::SecretHash;
use fml_web::extract::cookie;
use fml_web::state::AppState;
use serde::Serialize;
use serde::de::DeserializeOwned;

const COOKIE: &str = "fml_flash";
/// The seal's context: a flash opens as nothing else, and nothing else opens as a flash.
const CONTEXT: &[u8] = b"fml-console-flash-v1";
/// Long enough for the redirect; a flash nobody fetched in time is gone.
const TTL_SECS: i64 = 120;

#[derive(serde::Serialize, serde::Deserialize)]
struct Sealed<T> {
    /// The hash of the analyst's session (a flash shows only in the session that made it).
    session: String,
    /// What it is (`client`, …): a flash of one kind never shows as another.
    kind: String,
    until: i64,
    value: T,
}

fn attributes(st: &AppState, max_age: i64) -> String {
    let secure = if st.config.public_url.starts_with("https://") { "; Secure" } else { "" };
    format!("; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

/// The `Set-Cookie` that carries `value` of `kind` to the next page of `session`.
pub fn set<T: Serialize>(st: &AppState, session: &SecretHash, kind: &str, value: T) -> Option<HeaderValue> {
    let sealed = Sealed {
        session: session.as_str().to_owned(),
        kind: kind.to_owned(),
        until: Timestamp::now().plus_secs(TTL_SECS).millis(),
        value,
    };
    let json = serde_json::to_vec(&sealed).ok()?;
    let token = URL_SAFE_NO_PAD.encode(st.config.master_key.seal(CONTEXT, &json));
    HeaderValue::from_str(&format!("{COOKIE}={token}{}", attributes(st, TTL_SECS))).ok()
}

/// The flash of `kind` this request carries for `session`, if any and still fresh, and the
/// `Set-Cookie` that clears it (to send whether or not it was found, once one came).
pub fn take<T: DeserializeOwned>(
    st: &AppState,
    headers: &HeaderMap,
    session: &SecretHash,
    kind: &str,
) -> (Option<T>, Option<HeaderValue>) {
    let Some(raw) = cookie(headers, COOKIE) else { return (None, None) };
    let clear = HeaderValue::from_str(&format!("{COOKIE}={}", attributes(st, 0))).ok();
    let value = URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|sealed| st.config.master_key.open(CONTEXT, &sealed).ok())
        .and_then(|json| serde_json::from_slice::<Sealed<T>>(&json).ok())
        .filter(|f| f.session == session.as_str() && f.kind == kind && f.until > Timestamp::now().millis())
        .map(|f| f.value);
    (value, clear)
}
