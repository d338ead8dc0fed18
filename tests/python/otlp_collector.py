"""A trace collector for the tests: takes OTLP/HTTP JSON at POST /v1/traces, parses each
request into the OpenTelemetry protocol's own message (ExportTraceServiceRequest, from the
opentelemetry-proto package) — so a field of the wrong name or type is refused, as a real
collector refuses it — and appends every span as one JSON line to the file it is given.

OTLP/JSON writes trace and span ids as hex, where protobuf's JSON mapping has base64 for
bytes: the ids are converted before parsing, as collectors do.

Usage: otlp_collector.py PORT_FILE SPANS_FILE  (it listens on a free port and writes it to
PORT_FILE)."""
import base64
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

port_file, spans_file = sys.argv[1], sys.argv[2]


def hex_to_b64(span):
    for key in ("traceId", "spanId", "parentSpanId"):
        if key in span:
            span[key] = base64.b64encode(bytes.fromhex(span[key])).decode()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            doc = json.loads(body)
            for rs in doc.get("resourceSpans", []):
                for ss in rs.get("scopeSpans", []):
                    for span in ss.get("spans", []):
                        hex_to_b64(span)
            message = json_format.Parse(json.dumps(doc), ExportTraceServiceRequest())
        except Exception as e:  # a refusal the test will see
            self.send_response(400)
            self.end_headers()
            self.wfile.write(str(e).encode())
            with open(spans_file, "a") as f:
                f.write(json.dumps({"error": str(e)}) + "\n")
            return
        with open(spans_file, "a") as f:
            for rs in message.resource_spans:
                service = {a.key: a.value.string_value for a in rs.resource.attributes}.get("service.name")
                for ss in rs.scope_spans:
                    for s in ss.spans:
                        f.write(json.dumps({
                            "service": service,
                            "name": s.name,
                            "kind": s.kind,
                            "traceId": s.trace_id.hex(),
                            "spanId": s.span_id.hex(),
                            "parentSpanId": s.parent_span_id.hex(),
                            "start": s.start_time_unix_nano,
                            "end": s.end_time_unix_nano,
                            "attributes": {a.key: a.value.string_value for a in s.attributes},
                        }) + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(port_file, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
