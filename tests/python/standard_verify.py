"""Verifies one delivery with the Standard Webhooks reference library (PyPI `standardwebhooks`).

Reads {"secret", "headers", "body"} as JSON on stdin; prints the verified event's type and
exits 0, or prints why and exits 1.
"""
import json
import sys

from standardwebhooks.webhooks import Webhook

msg = json.load(sys.stdin)
try:
    event = Webhook(msg["secret"]).verify(msg["body"], msg["headers"])
except Exception as e:  # the library raises WebhookVerificationError and friends
    print(f"refused: {e!r}")
    sys.exit(1)
print(event["event"])
