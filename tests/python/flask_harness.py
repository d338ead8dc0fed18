"""Runs the guide's Flask receiver (flask_receiver.py, copied unchanged from the Webhook
Integration Guide) on a free loopback port: prints `PORT <n>` once listening."""
import importlib.util
import os
import sys

from werkzeug.serving import make_server

here = os.path.dirname(os.path.abspath(__file__))
# FML_RECEIVER names another receiver file beside this one (the corrected one).
name = os.environ.get("FML_RECEIVER", "flask_receiver.py")
spec = importlib.util.spec_from_file_location("flask_receiver", os.path.join(here, name))
receiver = importlib.util.module_from_spec(spec)
spec.loader.exec_module(receiver)

server = make_server("127.0.0.1", 0, receiver.app, threaded=True)
print(f"PORT {server.server_port}", flush=True)
server.serve_forever()
