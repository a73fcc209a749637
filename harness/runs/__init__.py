"""The run folder: its config, the one API that reads and writes its files, re-scoring, and the loaded view
that every reader (reports, gate, compare) renders from."""
