"""Every shape the harness keeps in a suite file or a run folder, in one place (a module per file family,
re-exported here): suites, the run log (manifest, generations, scores), its summary, the latency samples and
summary, and the bench's stage times.

Suites, run logs and scores are files that outlive the code that wrote them, so each on-disk document carries a
`version`, unknown fields are rejected (a typo in a suite must not silently drop an expectation) and the models
are frozen (stages pass them around; nobody may edit a shared case in place). Inputs that people write (run
configs in `harness.runs.config`, training recipes in `harness.fixtures.recipes`) and files one stage keeps to
itself (the training cache's manifest in `harness.fixtures.training`, gate baselines in `harness.gate.baseline`)
live beside the code that owns them.
"""

from harness.types.base import RUN_LOG_VERSION, SUITE_VERSION, Frozen, JsonValue
from harness.types.bench import BenchMachine, BenchStages, StageOutcome, StageTime
from harness.types.gate import Decision, GateResult, RuleResult, Status, VariantVerdict
from harness.types.latency import (
    PREFIX_CACHE_NOTES,
    ArmStats,
    LatencyComparison,
    LatencySample,
    LatencySummary,
    PrefixCache,
    RatioEstimate,
    Verdict,
    metric_label,
)
from harness.types.run_log import (
    Answer,
    CaseKey,
    CaseScore,
    ErrorKind,
    Generation,
    GenerationKey,
    MergePrecision,
    Outcome,
    ParseMode,
    ParseResult,
    RunManifest,
    SuiteRef,
    Timings,
    ToolCall,
    Variant,
    checkpoint_name,
    extra_merged_variant,
    lora_variant,
    merged_variant,
    reference_variants,
    serving_pair,
)
from harness.types.suite import (
    ArgumentSpec,
    Case,
    CaseKind,
    ExpectedCall,
    Message,
    Semantics,
    Suite,
    Tool,
    Withheld,
)
from harness.types.summaries import GroupSummary, Metrics, Proportion, RunSummary

__all__ = [
    "PREFIX_CACHE_NOTES",
    "RUN_LOG_VERSION",
    "SUITE_VERSION",
    "Answer",
    "ArgumentSpec",
    "ArmStats",
    "BenchMachine",
    "BenchStages",
    "Case",
    "CaseKey",
    "CaseKind",
    "CaseScore",
    "Decision",
    "ErrorKind",
    "ExpectedCall",
    "Frozen",
    "GateResult",
    "Generation",
    "GenerationKey",
    "GroupSummary",
    "JsonValue",
    "LatencyComparison",
    "LatencySample",
    "LatencySummary",
    "MergePrecision",
    "Message",
    "Metrics",
    "Outcome",
    "ParseMode",
    "ParseResult",
    "PrefixCache",
    "Proportion",
    "RatioEstimate",
    "RuleResult",
    "RunManifest",
    "RunSummary",
    "Semantics",
    "StageOutcome",
    "StageTime",
    "Status",
    "Suite",
    "SuiteRef",
    "Timings",
    "Tool",
    "ToolCall",
    "Variant",
    "VariantVerdict",
    "Verdict",
    "Withheld",
    "checkpoint_name",
    "extra_merged_variant",
    "lora_variant",
    "merged_variant",
    "metric_label",
    "reference_variants",
    "serving_pair",
]
