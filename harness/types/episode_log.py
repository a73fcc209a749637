"""The multi-turn run log (`episodes.jsonl`), its scores (`episode-scores.jsonl`) and their summary
(`episode-summary.json`).

An episode is asked step by step: each request is one `EpisodeStep` line, appended as soon as its calls have run,
and an `EpisodeEnd` line closes the attempt. A run that dies leaves an attempt without an end: the next run starts
that episode again from its first turn as a new attempt, and only attempts with an end are scored.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from harness.types.base import Frozen, JsonValue
from harness.types.run_log import Answer
from harness.types.suite import Message, MessageCall, TurnKind
from harness.types.summaries import Proportion

EPISODE_LOG_VERSION = 1
EpisodeKey = tuple[str, str, str]
"""(variant, suite, episode id): one episode a variant is asked."""


class Execution(Frozen):
    """One call the model made, as the environment ran it."""

    call_id: str
    """Id of the call in the assistant turn (`MessageCall.id`)."""
    name: str
    """Function name as the model produced it."""
    arguments: dict[str, JsonValue]
    """Arguments as the model produced them."""
    result: str
    """The whole result as text, the way BFCL compares results: a string as it is, a dict as JSON, anything else
    as `str()`, and `Error during execution: ...` when the call failed or was refused."""
    error: bool = False
    """Whether the call failed: refused (not a declared tool), raised, or ran past its time or memory limit."""
    sent: str
    """What the model was sent back: the result cut to the size cap."""
    elapsed_s: float = 0.0
    """Time the call took in the environment."""


class EpisodeLine(Frozen):
    """What every line of `episodes.jsonl` starts with: the attempt at an episode it belongs to."""

    version: Literal[1] = EPISODE_LOG_VERSION
    """Format version of the episode log line."""
    variant: str
    """Variant asked."""
    suite: str
    """Suite of the episode."""
    episode_id: str
    """Episode id within the suite."""
    attempt: int = Field(ge=1)
    """Which attempt at the episode (a resumed run starts an unfinished episode again as the next attempt)."""


class EpisodeStep(EpisodeLine):
    """One request of an episode: what was sent, what came back, and what its calls did."""

    record: Literal["step"] = "step"
    """Which kind of line this is."""
    turn: int = Field(ge=0)
    """User turn the request belongs to, from 0."""
    step: int = Field(ge=0)
    """Request within the turn, from 0: the first answers the user, later ones follow tool results."""
    sent: list[Message]
    """The messages added to the conversation since the previous request (the whole conversation on the first):
    the turn's user messages, or the tool results of the previous step."""
    tools: list[str]
    """Names of the tools offered in this request."""
    answer: Answer
    """The raw answer, its timings and token counts."""
    calls: list[MessageCall] = Field(default_factory=list)
    """The calls read from the answer (the lenient reading), which were executed in order."""
    parse_errors: list[str] = Field(default_factory=list)
    """Parts of the answer that could not be read as calls."""
    executions: list[Execution] = Field(default_factory=list)
    """What each call did, in the order of `calls`."""


class EpisodeStatus(StrEnum):
    """How an attempt at an episode ended."""

    COMPLETE = "complete"
    """Every turn was asked and answered without a call at its end."""
    STEP_LIMIT = "step_limit"
    """A turn reached the step cap with the model still calling; later turns were never asked."""
    CONTEXT_OVERFLOW = "context_overflow"
    """A prompt would have exceeded the served context; later turns were never asked."""
    REQUEST_ERROR = "request_error"
    """A request failed for another reason (the server's error is in the step's answer)."""


class EpisodeEnd(EpisodeLine):
    """The line that closes an attempt at an episode."""

    record: Literal["end"] = "end"
    """Which kind of line this is."""
    status: EpisodeStatus
    """How it ended."""
    turns_asked: int
    """User turns sent before it ended."""
    detail: str = ""
    """Why it ended early, for a human."""


EpisodeRecord = Annotated[EpisodeStep | EpisodeEnd, Field(discriminator="record")]
"""One line of `episodes.jsonl`."""


class TurnError(StrEnum):
    """Why a turn failed: reports break failures down by these."""

    WRONG_STATE = "wrong_state"
    """The environments' state after the turn differs from the one the right calls leave."""
    MISSING_RESULT = "missing_result"
    """A result the right calls produce was never produced by the model's calls so far."""
    NO_CALL = "no_call"
    """The turn needed calls and the model made none."""
    INVENTED_VALUE = "invented_value"
    """A call on an `ask` turn: it acted on a value the user never gave."""
    SPURIOUS_CALL = "spurious_call"
    """A call on a `reply` turn, where no call was needed."""
    STEP_LIMIT = "step_limit"
    """The turn reached the step cap."""
    CONTEXT_OVERFLOW = "context_overflow"
    """The turn's prompt would not fit the served context."""
    REQUEST_ERROR = "request_error"
    """The turn's request failed."""
    NOT_ASKED = "not_asked"
    """The episode ended before this turn was asked."""


class TurnFacts(Frozen):
    """What replaying one turn showed: the model's calls so far and the right calls so far, each run on fresh
    environments (`harness.environments.replay`); the scoring rules read these and nothing else of the tools."""

    state_equal: bool
    """Whether every environment's public state after the model's calls equals the state the right calls leave."""
    differences: list[str] = Field(default_factory=list)
    """Where the states differ, one line per attribute (`GorillaFileSystem.root: ...`), cut for reading."""
    missing_results: list[str] = Field(default_factory=list)
    """Results of the turn's right calls not found among the results of every call the model made so far (an
    unordered sub-multiset check, as BFCL's response check), each cut for reading."""


class TurnScore(Frozen):
    """The verdict on one user turn."""

    turn: int
    """The turn, from 0."""
    kind: TurnKind
    """What a right answer to it does."""
    passed: bool
    """Whether the turn left what a right answer leaves."""
    error: TurnError | None = None
    """Why it failed; None when it passed."""
    detail: str = ""
    """A human-readable explanation of the failure."""
    steps: int = 0
    """Requests made in the turn."""
    calls: int = 0
    """Calls the model made in the turn."""


class EpisodeScore(Frozen):
    """One line of `episode-scores.jsonl`: an episode scored for a variant."""

    version: Literal[1] = EPISODE_LOG_VERSION
    """Format version of the score line."""
    suite: str
    """Suite of the episode."""
    episode_id: str
    """Episode id within the suite."""
    variant: str
    """Variant that answered."""
    status: EpisodeStatus
    """How the scored attempt ended."""
    turns: list[TurnScore]
    """One verdict per user turn of the episode, asked or not."""

    @property
    def passed(self) -> bool:
        """BFCL's all-or-nothing verdict: every turn passed."""
        return all(turn.passed for turn in self.turns)

    @property
    def progress(self) -> int:
        """Turns passed before the first failed one: the partial credit all-or-nothing hides."""
        return next((i for i, turn in enumerate(self.turns) if not turn.passed), len(self.turns))

    @property
    def steps(self) -> int:
        """Requests made in the episode."""
        return sum(turn.steps for turn in self.turns)

    @property
    def first_error(self) -> TurnError | None:
        """Why the episode failed: the error of its first failed turn."""
        return next((turn.error for turn in self.turns if not turn.passed), None)

    @property
    def key(self) -> tuple[str, str]:
        """The episode, the key on which two variants' scores are paired."""
        return (self.suite, self.episode_id)


class EpisodeGroup(Frozen):
    """Multi-turn results of one variant on one suite."""

    variant: str
    """Variant measured."""
    suite: str
    """Suite measured."""
    episodes: Proportion
    """Episodes with every turn passed (BFCL's all-or-nothing), over the episodes scored."""
    turns: Proportion
    """Turns passed, over every turn of the episodes scored (turns never asked count as failed)."""
    progress: float | None
    """Mean share of an episode's turns passed before its first failed one; None with no episode scored."""
    steps: float | None
    """Mean requests per episode; None with no episode scored."""
    missing: int
    """Episodes the variant was asked with no finished attempt in the log; never counted as passes."""
    ended: dict[EpisodeStatus, int] = Field(default_factory=dict)
    """Episodes by how they ended: cut at the step cap or by context overflow shows here."""
    errors: dict[TurnError, int] = Field(default_factory=dict)
    """Failed episodes by the error of their first failed turn."""


class EpisodeSummary(Frozen):
    """`episode-summary.json` of a run folder."""

    version: Literal[1] = EPISODE_LOG_VERSION
    """Format version of the summary."""
    groups: list[EpisodeGroup]
    """One entry per variant × suite with episodes."""
