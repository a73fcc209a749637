"""The run log and what it is made of: the variants a run serves, each answer (`generations.jsonl`), each
score (`scores.jsonl`) and the manifest that says what was measured."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from harness.types.base import RUN_LOG_VERSION, Frozen, JsonValue
from harness.types.suite import CaseKind, Semantics
from harness.types.variant import Variant

CaseKey = tuple[str, str]
"""(suite, case id): one case of a run, the unit on which variants are paired."""
GenerationKey = tuple[str, str, str]
"""(variant, suite, case id): what a generation answers."""


class ErrorKind(StrEnum):
    """Why a case failed: reports break failures down by these."""

    WRONG_FUNCTION = "wrong_function"
    WRONG_COUNT = "wrong_count"
    MISSING_REQUIRED = "missing_required"
    UNEXPECTED_ARGUMENT = "unexpected_argument"
    SCHEMA_VIOLATION = "schema_violation"
    WRONG_VALUE = "wrong_value"
    SPURIOUS_CALL = "spurious_call"
    INVENTED_VALUE = "invented_value"
    """A call on a missing_info case: the tool fits, so unlike a spurious call the model had to make up the value
    the user never gave."""
    MISSED_CALL = "missed_call"
    PARSE_ERROR = "parse_error"
    REQUEST_ERROR = "request_error"


class ToolCall(Frozen):
    """A call as the model made it, after parsing."""

    name: str
    """Function name as produced (not normalised)."""
    arguments: dict[str, JsonValue]
    """Arguments as produced."""


class ParseMode(StrEnum):
    """Which reading of the output a score is based on."""

    STRICT = "strict"
    """What vLLM's hermes parser accepts: JSON only, any bad block voids the whole output; or the server's own
    parsed `tool_calls` when the run recorded them."""
    LENIENT = "lenient"
    """What the model meant: Python-literal dicts, `<think>` stripped, bad blocks skipped one by one."""


class ParseResult(Frozen):
    """Calls found in one output, and what could not be read; parsing never raises."""

    calls: list[ToolCall]
    """Calls in the order they appear."""
    errors: list[str]
    """One message per block that could not be read."""
    used_python_literals: bool = False
    """True when a call was only readable as a Python literal (single quotes), which strict parsing rejects."""


class Timings(Frozen):
    """Client-side timings of one streamed request, in seconds."""

    ttft_s: float | None = None
    """Time to first token."""
    e2e_s: float | None = None
    """Time from sending the request to the last byte of the answer."""
    itl_s: list[float] = Field(default_factory=list)
    """Gaps between consecutive streamed chunks."""


class Answer(Frozen):
    """What a backend returns for one request: the output and how long it took, without knowing which case or
    variant asked (the runner adds that)."""

    text: str = ""
    """The raw generated text."""
    server_tool_calls: list[dict[str, JsonValue]] | None = None
    """The server's own parsed `tool_calls` (OpenAI objects) when it returned any; None when not recorded."""
    finish_reason: str | None = None
    """Why generation stopped, as the server said."""
    prompt_tokens: int | None = None
    """Tokens in the prompt, as the server counted them."""
    completion_tokens: int | None = None
    """Tokens generated."""
    timings: Timings = Field(default_factory=Timings)
    """Client-side timings of the request."""
    error: str | None = None
    """Why the request failed; the text and timings are then meaningless."""


class Generation(Answer):
    """One line of a run log: what one variant answered to one case."""

    version: Literal[1] = RUN_LOG_VERSION
    """Format version of the run log line."""
    suite: str
    """Suite name of the case."""
    case_id: str
    """Case id within the suite."""
    variant: str
    """Name of the variant (base, lora, merged, ...) that answered."""


class Outcome(Frozen):
    """The verdict on one case under one parse mode."""

    call_correct: bool
    """Right functions, right number of calls; where the right answer calls nothing (irrelevance, missing_info),
    no call at all."""
    args_correct: bool
    """Every matched call's arguments are right (False when the calls are not)."""
    error_kind: ErrorKind | None
    """Why it failed; None on a full match."""
    detail: str = ""
    """A human-readable explanation of the failure."""
    parse_error: bool = False
    """True when part of the output could not be parsed in this mode."""

    @property
    def full_match(self) -> bool:
        """Correct calls with correct arguments: the headline metric."""
        return self.error_kind is None


class CaseScore(Frozen):
    """One line of `scores.jsonl`: a case scored for a variant in both parse modes."""

    version: Literal[1] = RUN_LOG_VERSION
    """Format version of the score line."""
    suite: str
    """Suite name of the case."""
    case_id: str
    """Case id within the suite."""
    kind: CaseKind
    """Kind of the case, copied so that aggregates need no suite."""
    variant: str
    """Variant that produced the scored generation."""
    strict: Outcome
    """Verdict on what vLLM's hermes parser (or the server) extracted."""
    lenient: Outcome
    """Verdict on what the harness's lenient parser extracted."""

    def outcome(self, mode: ParseMode) -> Outcome:
        """The verdict under one reading."""
        return self.strict if mode is ParseMode.STRICT else self.lenient

    @property
    def key(self) -> CaseKey:
        """The case it scores, the key on which two variants' scores are paired."""
        return (self.suite, self.case_id)


class SuiteRef(Frozen):
    """A suite as a run used it; the snapshot in the run folder is what scoring reads."""

    name: str
    """Suite name."""
    source: str
    """Path or external source (`bfcl:simple_python`) it was loaded from."""
    sha256: str
    """Hash of the snapshot file in the run folder."""
    cases: int
    """Number of cases in the suite."""
    semantics: Semantics = Semantics.SCHEMA
    """How the run's scores judge this suite's calls: the suite's own semantics, or the `--semantics` the run was
    last scored with. Manifests written before it existed were scored with `schema`."""


class AskingOrder(Frozen):
    """The order a run asks its cases in: one seeded random order over every case of every suite, the same for
    every variant, so that any prefix is a fair sample of each suite (and of each kind), and paired rules compare
    the same cases. The gate reads the rules after every `batch` positions of it (a look); a variant the scheduler
    stopped has answered its cases up to a look, and a re-score reads the same looks, hence the same verdicts."""

    seed: int
    batch: int
    """Positions of the order asked between two looks."""
    cases: list[CaseKey]
    """(suite, case id), in the order asked."""

    def looks(self) -> list[int]:
        """The positions after which the gate reads the rules: every `batch`, and the end of the order."""
        return [*range(self.batch, len(self.cases), self.batch), len(self.cases)]


AskingStopReason = Literal["decided", "budget"]


class AskingStop(Frozen):
    """One line of `asking.jsonl`: the scheduler stopped asking a variant at a look, with cases of it left."""

    variant: str
    position: int
    """The look it stopped at: it answered its cases among the first `position` of the order."""
    answers: int
    """Its answers then."""
    reason: AskingStopReason
    """`decided`: every rule that reads it was decided; `budget`: the accuracy stage's time budget ran out."""


class AdapterRecord(Frozen):
    """What preparing a run found out about one adapter, beside its hash (`hashes["adapter:NAME"]`) and the
    variants that serve it."""

    name: str
    """The adapter's name in the config (`adapter_name` of its variants)."""
    folder: str
    """The adapter folder served: a recipe's in the cache, a `path` adapter's, or a hub id's snapshot."""
    declared_base: str | None = None
    """The base its adapter_config.json declares (`base_model_name_or_path`)."""
    base_unchecked: str | None = None
    """Why the declared base could not be compared with the run's base (a folder on the machine that trained
    it, say), which the run took on trust; None when it was compared and found the same (a different base stops
    the run)."""
    merged_only_because: list[str] = Field(default_factory=list)
    """For an adapter served merged only (`serve_unmerged = false`), why `harness adapters check` finds it
    unservable unmerged: its problems' messages, which the reports quote. Empty when the check passes or the
    adapter is served unmerged too."""


class RunManifest(Frozen):
    """`manifest.json` of a run folder: everything needed to know what a run measured."""

    version: Literal[1, 2] = RUN_LOG_VERSION
    """Format version of the manifest: 2 when the run asks multi-turn episodes (`episodes.jsonl`), so that a
    harness too old to read them refuses the folder instead of reporting its single-turn half as the whole run;
    1 otherwise, which every version reads."""
    run_id: str
    """Name of the run."""
    created_at: str
    """ISO-8601 time the run started."""
    config: dict[str, JsonValue] = Field(default_factory=dict)
    """The bench config as loaded."""
    suites: list[SuiteRef]
    """Suites the run used."""
    variants: list[Variant]
    """Variants the run measured."""
    hashes: dict[str, str] = Field(default_factory=dict)
    """Content hashes of models and adapters, keyed by what they hash."""
    packages: dict[str, str] = Field(default_factory=dict)
    """Versions of the packages that matter (vllm, torch, transformers, peft, ...)."""
    git_revision: str | None = None
    """Commit of the harness that made the run."""
    machine: dict[str, JsonValue] = Field(default_factory=dict)
    """Platform, CPU, accelerator and memory of the machine."""
    adapters: list[AdapterRecord] = Field(default_factory=list)
    """What preparing the run found out about each adapter, in config order; empty in a run folder made before
    runs recorded it."""
    asking: AskingOrder | None = None
    """The order the cases are asked in; None in a run folder made before the gate read rules sequentially, whose
    variants answered every case they were asked."""
