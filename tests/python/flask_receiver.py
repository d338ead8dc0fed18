# Generic Flask receiver.
import hmac, hashlib, os
from datetime import datetime, timezone
from flask import Flask, request, abort

app    = Flask(__name__)
SECRET = os.environ['FML_WEBHOOK_SECRET'].encode()
REPLAY_WINDOW_S = 5 * 60          # 5 minutes
seen_event_ids  = set()           # swap for Redis in production

@app.post('/webhooks/fml')
def fml_webhook():
    sig_header = request.headers.get('X-FML-Signature', '')
    if not sig_header.startswith('sha256='):
        abort(401)
    expected = 'sha256=' + hmac.new(SECRET, request.data, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, sig_header):
        abort(401)

    # Replay window.
    ts_header = request.headers.get('X-FML-Timestamp', '')
    try:
        ts = datetime.fromisoformat(ts_header.replace('Z', '+00:00'))
    except ValueError:
        abort(401)
    if abs((datetime.now(timezone.utc) - ts).total_seconds()) > REPLAY_WINDOW_S:
        abort(401)

    # Idempotency on X-FML-Event-Id (stable across retries).
    event_id = request.headers.get('X-FML-Event-Id')
    if event_id and event_id in seen_event_ids:
        return ('', 200)
    if event_id:
        seen_event_ids.add(event_id)

    event   = request.headers.get('X-FML-Event')
    payload = request.get_json()
    # Ack fast, defer heavy work to a worker queue.
    return ('', 200)
