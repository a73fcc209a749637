"""The harness's own environments (calendar, shop and bank for the built-in multi-turn suite; parking, storage and
bike_share for the held-out one): small, deterministic and standard-library only, so that the sandbox can load each
class file on its own and every replay of an episode gives the same results."""
