// Generic Express receiver — drop in for any Node service.
import express from 'express';
import { createHmac, timingSafeEqual } from 'crypto';

const app = express();
const SECRET = process.env.FML_WEBHOOK_SECRET;
const REPLAY_WINDOW_MS = 5 * 60_000;            // 5 minutes
const seenEventIds = new Set();                 // swap for Redis in production

// IMPORTANT: capture the raw body BEFORE express.json() reformats it,
// otherwise the HMAC won't match (whitespace and key order matter).
app.post(
  '/webhooks/fml',
  express.raw({ type: 'application/json' }),
  (req, res) => {
    const sigHeader = req.headers['x-fml-signature'] || '';
    if (!sigHeader.startsWith('sha256=')) return res.sendStatus(401);

    const expected = 'sha256=' + createHmac('sha256', SECRET)
      .update(req.body)
      .digest('hex');

    const a = Buffer.from(sigHeader);
    const b = Buffer.from(expected);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      return res.sendStatus(401);
    }

    // Replay window — reject events older than 5 minutes.
    const ts = Date.parse(req.headers['x-fml-timestamp'] || '');
    if (!ts || Math.abs(Date.now() - ts) > REPLAY_WINDOW_MS) {
      return res.sendStatus(401);
    }

    // Idempotency — dedup on X-FML-Event-Id (stable across retries).
    const eventId = req.headers['x-fml-event-id'];
    if (eventId && seenEventIds.has(eventId)) return res.sendStatus(200);
    if (eventId) seenEventIds.add(eventId);

    const event   = req.headers['x-fml-event'];
    const payload = JSON.parse(req.body.toString('utf8'));

    // Acknowledge fast (under 10s) — defer heavy work to a queue.
    res.sendStatus(200);
    handleAsync(event, payload).catch(err =>
      console.error('webhook processing failed', err));
  }
);
