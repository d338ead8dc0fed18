// The guide's Express receiver, corrected (docs/webhooks.md, "Receivers that hold up"):
// - the replay window reads the body's `timestamp`, which the HMAC covers (X-FML-Timestamp is
//   not signed, so it could be altered), and spans the retry schedule (about 36 minutes);
// - deduplication uses the body's `eventId`, stable across retries and redeliveries;
// - during a secret rotation's grace, X-FML-Signature carries several signatures: any may match.
import express from 'express';
import { createHmac, timingSafeEqual } from 'crypto';

const app = express();
const SECRET = process.env.FML_WEBHOOK_SECRET;
const REPLAY_WINDOW_MS = 40 * 60_000;           // the retry horizon, with room
const seenEventIds = new Set();                 // swap for Redis in production

const signedBy = (header, expected) =>
  header.split(',').map((s) => s.trim()).some((sig) => {
    const a = Buffer.from(sig);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  });

app.post('/webhooks/fml', express.raw({ type: 'application/json' }), (req, res) => {
  const expected = 'sha256=' + createHmac('sha256', SECRET).update(req.body).digest('hex');
  if (!signedBy(req.headers['x-fml-signature'] || '', expected)) return res.sendStatus(401);

  const payload = JSON.parse(req.body.toString('utf8'));
  const ts = Date.parse(payload.timestamp || '');
  if (!ts || Math.abs(Date.now() - ts) > REPLAY_WINDOW_MS) return res.sendStatus(401);

  if (seenEventIds.has(payload.eventId)) return res.sendStatus(200);
  seenEventIds.add(payload.eventId);

  res.sendStatus(200);
  handleAsync(payload.event, payload).catch((err) => console.error('webhook processing failed', err));
});
