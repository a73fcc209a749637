"""The `harness` command groups, each with its handlers and its part of the parser; `harness.cli` puts them
together."""
