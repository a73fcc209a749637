"""Pure scoring: parsed output → verdicts → metrics. Nothing here calls a model or touches a file."""

from harness.scoring.aggregate import GroupSummary, Metrics, PairedTest, RunSummary, metrics, paired_test, summarise
from harness.scoring.calls import ToolValidators, check_call, compile_validator, match_calls
from harness.scoring.case import lenient_reading, score_generation, score_parsed, strict_reading
from harness.scoring.values import is_accepted, normalise_string, values_equal

__all__ = [
    "GroupSummary",
    "Metrics",
    "PairedTest",
    "RunSummary",
    "ToolValidators",
    "check_call",
    "compile_validator",
    "is_accepted",
    "lenient_reading",
    "match_calls",
    "metrics",
    "normalise_string",
    "paired_test",
    "score_generation",
    "score_parsed",
    "strict_reading",
    "summarise",
    "values_equal",
]
