"""The harness's own environments (calendar, shop, bank): small, deterministic and standard-library only, so that
the sandbox can load each class file on its own and every replay of an episode gives the same results."""
