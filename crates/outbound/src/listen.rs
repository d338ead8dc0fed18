//! `fml listen`: a developer's laptop receives its tenant's events over a connection it opened
//! (no endpoint, no SSRF exception), and `fml trigger` adds a sample of any event type for that
//! session alone. A session's [`Feed`] reads the event outbox after a cursor and the session's
//! own samples; the cursor travels with each event, so a reconnecting listener resumes.

use fml_app::{CommandError, Ctx};
use fml_domain::events::samples;
use fml_domain::{OrgId, Timestamp};
pub use fml_store::listen::{Session, Streamed};

/// How long after its stream was last connected a session still takes triggers.
pub const RECENT_SECS: i64 = 300;

/// Opens a session for `client_id`.
pub async fn open(ctx: &Ctx, org: &OrgId, client_id: &str) -> Result<Session, CommandError> {
    let id = format!("lsn_{}", uuid::Uuid::now_v7().simple());
    Ok(fml_store::listen::create(&ctx.db, org, &id, client_id, Timestamp::now()).await?)
}

/// Ends a session; another tenant's, or one already over, is not found.
pub async fn end(ctx: &Ctx, org: &OrgId, id: &str) -> Result<(), CommandError> {
    if fml_store::listen::end(&ctx.db, org, id).await? {
        Ok(())
    } else {
        Err(CommandError::NotFound("no such listen session"))
    }
}

/// Adds a sample `event_type` event for `session` (or `client_id`'s most recent session).
/// Returns the session and the sample's event id.
pub async fn trigger(
    ctx: &Ctx,
    org: &OrgId,
    client_id: &str,
    session: Option<&str>,
    event_type: &str,
) -> Result<(Session, uuid::Uuid), CommandError> {
    let now = Timestamp::now();
    let Some((event_id, payload)) = samples::for_trigger(event_type, org, now) else {
        return Err(CommandError::field("event", "is not an event type of the catalog (GET /v1/event-types)"));
    };
    let s = match session {
        Some(id) => fml_store::listen::get(&ctx.db, org, id).await?,
        None => fml_store::listen::newest(&ctx.db, org, client_id, now.plus_secs(-RECENT_SECS)).await?,
    }
    .ok_or(CommandError::NotFound("no listen session: start `fml listen` first"))?;
    fml_store::listen::add_sample(&ctx.db, &s.id, event_type, &payload, now).await?;
    Ok((s, event_id))
}

/// Where a session's stream stands: after which event row and which sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub events: i64,
    pub samples: i64,
}

impl Cursor {
    /// `e<events>.s<samples>`, the SSE event id.
    pub fn to_id(self) -> String {
        format!("e{}.s{}", self.events, self.samples)
    }

    /// Reads a `Last-Event-ID`.
    pub fn parse(raw: &str) -> Option<Self> {
        let (e, s) = raw.split_once('.')?;
        let events = e.strip_prefix('e')?.parse().ok().filter(|n: &i64| *n >= 0)?;
        let samples = s.strip_prefix('s')?.parse().ok().filter(|n: &i64| *n >= 0)?;
        Some(Cursor { events, samples })
    }
}

/// A session's stream.
#[derive(Debug)]
pub struct Feed {
    pub org: OrgId,
    pub session: String,
    pub cursor: Cursor,
}

impl Feed {
    /// Begins session `id`'s stream at `resume` (a `Last-Event-ID`), or at the tenant's
    /// newest event: a listener sees what happens from now on.
    pub async fn start(ctx: &Ctx, org: &OrgId, id: &str, resume: Option<Cursor>) -> Result<Self, CommandError> {
        let s =
            fml_store::listen::get(&ctx.db, org, id).await?.ok_or(CommandError::NotFound("no such listen session"))?;
        fml_store::listen::touch(&ctx.db, &s.id, Timestamp::now()).await?;
        let cursor = match resume {
            Some(c) => c,
            None => Cursor { events: fml_store::listen::head(&ctx.db, org).await?, samples: 0 },
        };
        Ok(Feed { org: org.clone(), session: s.id, cursor })
    }

    /// The next events and samples (at most `limit` of each), each with the cursor after it.
    pub async fn next(&mut self, ctx: &Ctx, limit: i64) -> Result<Vec<(Cursor, Streamed)>, CommandError> {
        let events = fml_store::listen::events_after(&ctx.db, &self.org, self.cursor.events, limit).await?;
        let samples = fml_store::listen::samples_after(&ctx.db, &self.session, self.cursor.samples, limit).await?;
        let mut out = Vec::with_capacity(events.len() + samples.len());
        for e in events {
            self.cursor.events = e.id;
            out.push((self.cursor, e));
        }
        for s in samples {
            self.cursor.samples = s.id;
            out.push((self.cursor, s));
        }
        Ok(out)
    }

    /// Marks the session alive; `false` once it was ended.
    pub async fn touch(&self, ctx: &Ctx) -> Result<bool, CommandError> {
        Ok(fml_store::listen::touch(&ctx.db, &self.session, Timestamp::now()).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_junk() {
        let c = Cursor { events: 42, samples: 7 };
        assert_eq!(Cursor::parse(&c.to_id()), Some(c));
        for bad in ["", "e1", "e1.x2", "s1.e2", "e-1.s0", "e1.s", "42"] {
            assert_eq!(Cursor::parse(bad), None, "{bad}");
        }
    }
}
