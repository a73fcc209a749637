"""The one base of the harness's own errors: the CLI prints their message (which names the file, line or field)
and exits 2, instead of a traceback."""


class HarnessError(Exception):
    """An input or environment problem the user can fix; the message says what and where."""


class ConfigError(HarnessError):
    """A run config that cannot be used; the message names the file and the field. Here rather than beside the
    run config so that a stage reading its own settings raises it without importing the config that composes
    them."""
