"""Parses a Prometheus text exposition with the reference client's parser (PyPI
`prometheus-client`) and prints its samples as JSON: [{"name", "labels", "value"}].
Exits non-zero if the text does not parse."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

samples = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        samples.append({"name": s.name, "labels": s.labels, "value": s.value, "type": family.type})
print(json.dumps(samples))
