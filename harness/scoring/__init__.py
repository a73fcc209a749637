"""Pure scoring: parsed output → verdicts → metrics. Nothing here calls a model or touches a file."""

from harness.scoring.aggregate import metrics, summarise
from harness.scoring.calls import (
    ExpectedRules,
    ToolRules,
    ToolValidators,
    check_call,
    compile_validator,
    match_calls,
    pairs_greedily,
)
from harness.scoring.case import ideal_calls, readings, score_generation, score_parsed
from harness.scoring.paired import PairedTest, full_matches, paired, paired_test, shared_cases
from harness.scoring.values import normalise_string, values_equal

__all__ = [
    "ExpectedRules",
    "PairedTest",
    "ToolRules",
    "ToolValidators",
    "check_call",
    "compile_validator",
    "full_matches",
    "ideal_calls",
    "match_calls",
    "metrics",
    "normalise_string",
    "paired",
    "paired_test",
    "pairs_greedily",
    "readings",
    "score_generation",
    "score_parsed",
    "shared_cases",
    "summarise",
    "values_equal",
]
