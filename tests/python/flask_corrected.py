# The guide's Flask receiver, corrected (docs/webhooks.md, "Receivers that hold up"): the
# replay window reads the body's `timestamp` (covered by the HMAC; X-FML-Timestamp is not
# signed) and spans the retry schedule; deduplication uses the body's `eventId`; during a
# secret rotation's grace any of the signatures in X-FML-Signature may match.
import hashlib, hmac, json, os
from datetime import datetime, timezone
from flask import Flask, request, abort

app    = Flask(__name__)
SECRET = os.environ['FML_WEBHOOK_SECRET'].encode()
REPLAY_WINDOW_S = 40 * 60         # the retry horizon, with room
seen_event_ids  = set()           # swap for Redis in production

@app.post('/webhooks/fml')
def fml_webhook():
    expected = 'sha256=' + hmac.new(SECRET, request.data, hashlib.sha256).hexdigest()
    given = [s.strip() for s in request.headers.get('X-FML-Signature', '').split(',')]
    if not any(hmac.compare_digest(expected, s) for s in given):
        abort(401)

    payload = json.loads(request.data)
    try:
        ts = datetime.fromisoformat(payload.get('timestamp', '').replace('Z', '+00:00'))
    except ValueError:
        abort(401)
    if abs((datetime.now(timezone.utc) - ts).total_seconds()) > REPLAY_WINDOW_S:
        abort(401)

    if payload.get('eventId') in seen_event_ids:
        return ('', 200)
    seen_event_ids.add(payload.get('eventId'))
    return ('', 200)
