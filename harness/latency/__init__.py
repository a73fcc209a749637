"""Latency: the measurement (servers, timed requests into `latency.jsonl`) and its pure analysis
(`latency-summary.json`), kept apart so that readers of a run never import the measuring side."""
