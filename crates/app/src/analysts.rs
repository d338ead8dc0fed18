//! Analysts: creating them (the CLI), signing in and out, and finding who holds a session or
//! a personal API token.

use fml_domain::lifecycle::Role;
use fml_domain::secret::{Secret, SecretHash};
use fml_domain::{AnalystId, EmailAddress, OrgId, Timestamp, password};
use fml_store::analysts::{AnalystRecord, NewAnalyst};
use fml_store::audit::{self, ActorKind};
use serde_json::json;

use crate::principal::Operator;
use crate::{Analyst, CommandError, Ctx};

/// Personal API tokens start with this, so a leaked one is recognisable (secret scanners).
pub const API_TOKEN_PREFIX: &str = "fml_at_";
/// Session tokens (the cookie's value).
pub const SESSION_PREFIX: &str = "fml_ss_";
/// How long a session lasts, from sign-in (a working day and a half; no sliding renewal).
pub const SESSION_TTL_SECS: i64 = 12 * 3600;
/// Longest analyst name, in characters.
pub const MAX_NAME: usize = 200;

/// A new analyst with the credentials shown once.
#[derive(Debug)]
pub struct Created {
    pub analyst: Analyst,
    pub password: Secret,
    pub api_token: Secret,
}

/// Argon2 runs at most this many at once: each takes 19 MiB, so memory stays bounded however
/// many sign-ins arrive together (the others wait their turn).
const HASHING_AT_ONCE: usize = 2;
static HASHING: std::sync::LazyLock<tokio::sync::Semaphore> =
    std::sync::LazyLock::new(|| tokio::sync::Semaphore::new(HASHING_AT_ONCE));

/// Runs Argon2 off the async runtime, a few at a time.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, CommandError> {
    let fail = |e: String| CommandError::Store(fml_store::StoreError::Config(format!("a hashing task failed: {e}")));
    let _permit = HASHING.acquire().await.map_err(|e| fail(e.to_string()))?;
    tokio::task::spawn_blocking(f).await.map_err(|e| fail(e.to_string()))
}

/// Creates an analyst of `org` with a generated password (or `password`, if given and strong
/// enough) and a personal API token.
pub async fn create(
    ctx: &Ctx,
    org: &OrgId,
    email: &str,
    name: &str,
    role: Role,
    password: Option<String>,
    by: Operator<'_>,
) -> Result<Created, CommandError> {
    let mut errors = Vec::new();
    let email = EmailAddress::parse(email)
        .map(|e| e.as_str().to_lowercase())
        .map_err(|m| errors.push(fml_domain::FieldError::new("email", m)))
        .ok();
    let name = match fml_domain::text::clean(name, MAX_NAME) {
        Ok(Some(n)) => Some(n),
        Ok(None) => {
            errors.push(fml_domain::FieldError::new("name", "is required"));
            None
        }
        Err(e) => {
            errors.push(fml_domain::FieldError::new("name", e.to_string()));
            None
        }
    };
    if let Some(p) = &password
        && let Err(m) = password::check_strength(p)
    {
        errors.push(fml_domain::FieldError::new("password", m));
    }
    let (Some(email), Some(name), true) = (email, name, errors.is_empty()) else {
        return Err(CommandError::Validation(errors));
    };
    let password = password.map_or_else(password::generate, Secret::new);
    let api_token = Secret::generate(API_TOKEN_PREFIX);
    let hash = {
        let p = password.clone();
        blocking(move || password::hash(p.expose()))
            .await?
            .map_err(|e| CommandError::Store(fml_store::StoreError::Config(format!("hashing the password: {e}"))))?
    };
    let now = Timestamp::now();
    let id = AnalystId::generate();
    let mut unit = ctx.unit().await?;
    if fml_store::orgs::get_in(unit.conn(), org).await?.is_none() {
        return Err(CommandError::NotFound("no such org"));
    }
    let new = NewAnalyst {
        id,
        org,
        email: &email,
        name: &name,
        role,
        password_hash: &hash,
        api_token_hash: &api_token.hash(),
    };
    match fml_store::analysts::create(unit.conn(), &new, now).await {
        Ok(()) => {}
        Err(fml_store::StoreError::Conflict(m)) => return Err(CommandError::Conflict("analyst_exists", m.into())),
        Err(e) => return Err(e.into()),
    }
    by.record(&mut unit, org, "analyst.create", json!({"email": email, "role": role.as_str()}), now).await?;
    unit.commit().await?;
    Ok(Created { analyst: Analyst { id, org: org.clone(), email, name, role }, password, api_token })
}

/// A change to an analyst of the admin's tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Role(Role),
    /// Disabled analysts cannot sign in or use their token; their sessions end at once.
    Disable,
    Enable,
}

/// Changes another analyst's role or access (admins). An admin cannot change their own, so a
/// tenant cannot lose its last admin by accident.
pub async fn change(ctx: &Ctx, who: &Analyst, id: AnalystId, change: Change) -> Result<AnalystRecord, CommandError> {
    if who.role < Role::Admin {
        return Err(CommandError::Forbidden("changing analysts needs the admin role"));
    }
    if who.id == id {
        return Err(CommandError::Conflict("own_account", "you cannot change your own role or access".into()));
    }
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    fml_store::analysts::lock_admins(unit.conn(), &who.org).await?;
    let before = fml_store::analysts::get_in(unit.conn(), &who.org, id)
        .await?
        .ok_or(CommandError::NotFound("no such analyst"))?;
    let after = match change {
        Change::Role(role) => fml_store::analysts::set_role(unit.conn(), &who.org, id, role).await?,
        Change::Disable => fml_store::analysts::set_disabled(unit.conn(), &who.org, id, Some(now)).await?,
        Change::Enable => fml_store::analysts::set_disabled(unit.conn(), &who.org, id, None).await?,
    }
    .ok_or(CommandError::NotFound("no such analyst"))?;
    // Two admins demoting each other at once must not leave the tenant without one: counted in
    // the transaction that would commit the change.
    if fml_store::analysts::count_admins(unit.conn(), &who.org).await? == 0 {
        return Err(CommandError::Conflict("last_admin", "the tenant must keep at least one active admin".into()));
    }
    let detail = json!({
        "email": after.email,
        "role": after.role.as_str(),
        "previousRole": before.role.as_str(),
        "disabled": after.disabled_at.is_some(),
    });
    Operator::Analyst(who).record(&mut unit, &who.org, "analyst.update", detail, now).await?;
    unit.commit().await?;
    Ok(after)
}

/// A successful sign-in.
#[derive(Debug)]
pub struct Session {
    pub analyst: Analyst,
    /// The cookie's value, shown once; only its hash is stored.
    pub token: Secret,
    pub expires_at: Timestamp,
}

/// Signs an analyst in. Every attempt, failed or not, is audited with the client's address;
/// an unknown email costs the same Argon2 work as a wrong password.
pub async fn login(ctx: &Ctx, email: &str, pass: &str, address: &str) -> Result<Option<Session>, CommandError> {
    let email = email.trim().to_lowercase();
    let found = fml_store::analysts::for_login(&ctx.db, &email).await?;
    let ok = {
        let pass = pass.to_owned();
        let stored = found.as_ref().map(|(_, h)| h.clone());
        blocking(move || match stored {
            Some(h) => password::verify(&pass, &h),
            None => {
                password::verify_nothing(&pass);
                false
            }
        })
        .await?
    };
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let (org, actor_kind) = match &found {
        Some((a, _)) => (Some(&a.org_id), ActorKind::Analyst),
        None => (None, ActorKind::Anonymous),
    };
    let action = if ok { "login.succeeded" } else { "login.failed" };
    let entry =
        audit::Entry { org, case_id: None, actor_kind, actor: &email, action, detail: json!({"address": address}) };
    unit.audit(&entry, now);
    let session = match found {
        Some((a, _)) if ok => {
            let token = Secret::generate(SESSION_PREFIX);
            let expires_at = now.plus_secs(SESSION_TTL_SECS);
            fml_store::analysts::create_session(unit.conn(), a.id, &token.hash(), now, expires_at).await?;
            Some(Session { analyst: a.into(), token, expires_at })
        }
        _ => None,
    };
    unit.commit().await?;
    Ok(session)
}

/// Signs out: the session stops working at once.
pub async fn logout(ctx: &Ctx, who: &Analyst, session: &SecretHash) -> Result<(), CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    if fml_store::analysts::delete_session(unit.conn(), session).await? {
        let entry = audit::Entry {
            org: Some(&who.org),
            case_id: None,
            actor_kind: ActorKind::Analyst,
            actor: &who.email,
            action: "logout",
            detail: json!({}),
        };
        unit.audit(&entry, now);
    } else {
        unit.unchanged();
    }
    unit.commit().await?;
    Ok(())
}

/// The analyst holding a live session token.
pub async fn by_session(ctx: &Ctx, token: &str) -> Result<Option<Analyst>, CommandError> {
    Ok(fml_store::analysts::by_session(&ctx.db, &SecretHash::of(token), Timestamp::now()).await?.map(Analyst::from))
}

/// The analyst holding a personal API token.
pub async fn by_api_token(ctx: &Ctx, token: &str) -> Result<Option<Analyst>, CommandError> {
    Ok(fml_store::analysts::by_api_token(&ctx.db, &SecretHash::of(token)).await?.map(Analyst::from))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn hashing_runs_a_few_at_a_time() {
        let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let started = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..12)
            .map(|_| {
                let (now, peak, started) = (now.clone(), peak.clone(), started.clone());
                tokio::spawn(super::blocking(move || {
                    started.fetch_add(1, Ordering::SeqCst);
                    let running = now.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(running, Ordering::SeqCst);
                    // Hold the slot until as many run as may (so they surely overlap), until no
                    // one else is left to start, or a deadline; without the limit, all twelve
                    // would be here at once.
                    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
                    while now.load(Ordering::SeqCst) < super::HASHING_AT_ONCE
                        && started.load(Ordering::SeqCst) < 12
                        && std::time::Instant::now() < deadline
                    {
                        std::thread::yield_now();
                    }
                    peak.fetch_max(now.load(Ordering::SeqCst), Ordering::SeqCst);
                    now.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let peak = peak.load(Ordering::SeqCst);
        assert_eq!(peak, super::HASHING_AT_ONCE, "{peak} hashes ran at once");
    }
}
