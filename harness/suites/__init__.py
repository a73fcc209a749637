"""Suites: the cases a run asks, loaded from suite files, folders, BFCL's data or held-out splits of training data."""
