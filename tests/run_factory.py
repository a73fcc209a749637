"""Synthetic scored run folders for gate and comparison tests: real run-log files, written through the same
RunFolder API the runner uses, with answers chosen case by case (and episode scores chosen turn by turn)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from harness.gate.baseline import Baseline
from harness.gate.rules import evaluate_gate
from harness.gate.settings import GateRules
from harness.run_config import RunConfig, declared_variants
from harness.runs.folder import RunFolder
from harness.runs.score import score_run
from harness.runs.view import load_run
from harness.scoring.episode import summarise_episodes
from harness.types import (
    ArgumentSpec,
    Case,
    EpisodeScore,
    EpisodeStatus,
    ExpectedCall,
    GateResult,
    Generation,
    IntervalPoint,
    Message,
    ParseMode,
    RuleResult,
    RunManifest,
    RunSummary,
    Status,
    Suite,
    Tool,
    TurnError,
    TurnKind,
    TurnScore,
    Variant,
    Withheld,
)

CASES = 30
SILENT_CASES = 10
EPISODE_TURNS = 3
Progress = Mapping[str, Sequence[int | None]]
"""Variant → per episode, turns passed before the first failure (None: the episode was never finished)."""
_TOOL = Tool(name="f", description="f", parameters={"type": "object", "properties": {"x": {"type": "integer"}}})
_NEEDS_X = _TOOL.model_copy(update={"parameters": {**_TOOL.parameters, "required": ["x"]}})


def call(value: int) -> str:
    return f'<tool_call>{{"name": "f", "arguments": {{"x": {value}}}}}</tool_call>'


def _calls() -> Suite:
    cases = [
        Case(
            id=f"c{i:02d}",
            kind="simple",
            messages=[Message(role="user", content=f"f of {i}")],
            tools=["f"],
            expected=[ExpectedCall(function="f", arguments={"x": ArgumentSpec(accepted=[i])})],
        )
        for i in range(CASES)
    ]
    return Suite(name="calls", tools=[_TOOL], cases=cases)


def _no_call(name: str) -> Suite:
    """SILENT_CASES cases whose right answer is no call: `silence` (irrelevance) or `ask` (missing_info: the user
    never gives the `x` that f requires)."""
    withheld = [Withheld(tool="f", argument="x", value=7)] if name == "ask" else []
    cases = [
        Case(
            id=f"{name[0]}{i:02d}",
            kind="missing_info" if withheld else "irrelevance",
            messages=[Message(role="user", content="hi")],
            tools=["f"],
            expected=[],
            withheld=withheld,
        )
        for i in range(SILENT_CASES)
    ]
    return Suite(name=name, tools=[_NEEDS_X if withheld else _TOOL], cases=cases)


def _variant(name: str, controls: frozenset[str], step: int | None) -> Variant:
    """`base`, or `lora:NAME` / `merged:NAME` of adapter NAME (a control when NAME is in `controls`), a further
    merge of it, `merged-bf16:NAME`, or the checkpoint `lora:NAME@STEP` of adapter NAME; `step` is the variant's
    training step (a checkpoint's defaults to STEP). The merged form's merge is fp32, as a run records it after fp32 training."""
    if name == "base":
        return Variant(name=name, role="base", model="m")
    kind, served = name.split(":", 1)
    role, _, extra = kind.partition("-")
    adapter, at, kept = served.partition("@")
    expect = "fail" if adapter in controls else "pass"
    return Variant(
        name=name,
        role=role,  # type: ignore[arg-type]
        model="m",
        adapter_name=adapter,
        expect=expect,
        merge=(extra or "fp32") if role == "merged" else None,  # type: ignore[arg-type]
        extra_merge=bool(extra),
        step=int(kept) if step is None and at else step,
        checkpoint=bool(at),
    )


def _unmerged_sampled(variants: list[Variant]) -> set[str]:
    """The variants that answer only the unmerged sample, as the run config serving them declares them."""
    adapters = dict.fromkeys(v.adapter_name for v in variants if v.adapter_name is not None)
    forms = {(v.role, v.adapter_name, v.merge if v.extra_merge else None) for v in variants if not v.checkpoint}
    specs = [
        {
            "name": name,
            "recipe": "r.toml",
            "serve_unmerged": ("lora", name, None) in forms,
            "serve_merged": ("merged", name, None) in forms,
            "merges": ["fp32", *(m for m in ("bf16",) if ("merged", name, m) in forms)],
        }
        for name in adapters
    ]
    kinds = list(dict.fromkeys(v.role for v in variants if v.role in ("base", "lora", "merged")))
    config = RunConfig(name="x", variants=kinds, adapters=specs, suites={"unmerged_sample": 1}, gate={"variants": []})
    return {declared.name for declared in declared_variants(config) if declared.unmerged_sample}


def synthetic_run(
    folder: Path,
    right: dict[str, int | set[int]],
    *,
    silent: dict[str, int] | None = None,
    asking: dict[str, int] | None = None,
    missing: int = 0,
    config: dict[str, object] | None = None,
    controls: frozenset[str] = frozenset(),
    held_out: frozenset[str] = frozenset(),
    unmerged_sample: int | None = None,
    steps: dict[str, int] | None = None,
) -> Path:
    """A scored run of CASES simple cases where variant v answers the first right[v] correctly (or, given a
    set, exactly those cases). `silent` adds SILENT_CASES irrelevance cases (suite `silence`), of which v answers
    the first silent[v] without a call (and calls f on the rest); `asking` adds as many missing_info cases (suite
    `ask`), answered alike. A variant named `base` plays the base model; adapters named in `controls` are
    declared known-bad (`expect = "fail"`); suites named in `held_out` (`calls`, `silence`, `ask`) declare
    themselves in-distribution. With `unmerged_sample`, the unmerged variant of an adapter also served
    merged (and any further merge of it) is asked only the first `unmerged_sample` cases of each suite, recorded in the
    manifest as a run records its unmerged sample. `steps` gives variants their training step (`lora:NAME@STEP` is
    a checkpoint of NAME)."""
    run = RunFolder(folder)
    quiet = {name: answers for name, answers in (("silence", silent), ("ask", asking)) if answers}
    suites = [_calls(), *map(_no_call, quiet)]
    suites = [s.model_copy(update={"distribution": "in"}) if s.name in held_out else s for s in suites]
    refs = [run.write_suite(suite, "synthetic") for suite in suites]
    variants = [_variant(name, controls, (steps or {}).get(name)) for name in right]
    if unmerged_sample is not None:
        sample = {s.name: [case.id for case in s.cases[:unmerged_sample]] for s in suites}
        sampled = _unmerged_sampled(variants)
        variants = [v.model_copy(update={"asked": sample}) if v.name in sampled else v for v in variants]
    run.write_manifest(
        RunManifest(
            run_id=folder.name,
            created_at="2026-11-25T00:00:00+00:00",
            suites=refs,
            variants=variants,
            config=config or {},
        )
    )
    for variant, (name, correct) in zip(variants, right.items(), strict=True):
        answered = CASES - (missing if name.startswith("lora") else 0)
        chosen = correct if isinstance(correct, set) else set(range(correct))
        for i in (i for i in range(answered) if variant.asks("calls", f"c{i:02d}")):
            run.append_generation(
                Generation(suite="calls", case_id=f"c{i:02d}", variant=name, text=call(i if i in chosen else -1))
            )
        for suite, answers in quiet.items():
            for i in (i for i in range(SILENT_CASES) if variant.asks(suite, f"{suite[0]}{i:02d}")):
                text = "None of my tools does that." if i < answers.get(name, 0) else call(i)
                run.append_generation(Generation(suite=suite, case_id=f"{suite[0]}{i:02d}", variant=name, text=text))
    score_run(folder)
    return folder


def episode_scores(progress: Progress) -> list[EpisodeScore]:
    """Scores of a suite `multi_turn`: variant v finished episode e{i} passing the first progress[v][i] of its
    EPISODE_TURNS turns (all of them: passed whole), or never finished it where the entry is None."""
    return [
        EpisodeScore(
            suite="multi_turn",
            episode_id=f"e{index:02d}",
            variant=variant,
            status=EpisodeStatus.COMPLETE,
            turns=[
                TurnScore(turn=t, kind=TurnKind.ACT, passed=t < passed, error=None if t < passed else TurnError.NO_CALL)
                for t in range(EPISODE_TURNS)
            ],
        )
        for variant, passes in progress.items()
        for index, passed in enumerate(passes)
        if passed is not None
    ]


def add_episodes(folder: Path, progress: Progress) -> Path:
    """Scored episodes (`episode_scores`) in a run folder, as `harness score` writes them."""
    scores = episode_scores(progress)
    asked = {variant: {"multi_turn": len(passes)} for variant, passes in progress.items()}
    RunFolder(folder).write_episode_scores(scores, summarise_episodes(scores, asked))
    return folder


def episode_run(folder: Path, progress: Progress) -> Path:
    """A scored run of episodes only (`add_episodes`), its variants named as in `synthetic_run`. Its manifest lists
    no suite: ranking and comparing episodes read their scores, never the suite snapshot."""
    run = RunFolder(folder)
    variants = [_variant(name, frozenset(), None) for name in progress]
    run.write_manifest(
        RunManifest(run_id=folder.name, created_at="2026-11-25T00:00:00+00:00", suites=[], variants=variants, config={})
    )
    run.write_scores([], RunSummary(groups=[]))
    return add_episodes(folder, progress)


def gate_of(run_dir: Path, baseline: Baseline | None = None, rules: GateRules | None = None) -> GateResult:
    """The gate on a scored run folder, loaded as `harness gate` loads it."""
    return evaluate_gate(load_run(run_dir), baseline, rules)


def _rule(
    rule: str,
    variant: str,
    suite: str | None,
    status: Status,
    answers: int | None,
    track: Sequence[tuple[int, float, float]] = (),
    *,
    needed: int | None = None,
) -> RuleResult:
    points = [IntervalPoint(answers=n, low=low, high=high) for n, low, high in track]
    threshold = 0.35 if rule == "min_full_match" else 0.5 if rule == "min_relevance" else None
    detail = f"{rule} on {variant}" + (f"; minimum {threshold:.0%}" if threshold is not None else "")
    return RuleResult(
        rule=rule, variant=variant, suite=suite, status=status, detail=detail, answers=answers, needed=needed,
        track=points, threshold=threshold,
    )  # fmt: skip


def sequential_gate(run_id: str) -> GateResult:
    """A gate that stopped asking once decided, as the scheduler leaves it (data by hand: the rules' answers,
    intervals after each look, thresholds, and the open rules the time budget left): fc-good's merged form passes,
    its unmerged one is undecided; the control broken is caught merged and still open unmerged."""
    passed, failed, undecided = Status.PASSED, Status.FAILED, Status.UNDECIDED
    results = [
        _rule("min_full_match", "merged:good", "calls", passed, 80, [(16, 0.12, 0.78), (48, 0.25, 0.66), (80, 0.36, 0.56)]),
        _rule("min_relevance", "merged:good", "silence", passed, 16, [(16, 0.62, 1.0)]),
        _rule("must_beat", "merged:good", None, passed, 48),
        _rule("min_full_match", "lora:good", "calls", undecided, 60, [(16, 0.1, 0.8), (60, 0.3, 0.6)], needed=40),
        _rule("must_beat", "lora:good", None, passed, 32),
        _rule("min_full_match", "merged:broken", "calls", failed, 32, [(16, 0.02, 0.6), (32, 0.05, 0.33)]),
        _rule("must_beat", "merged:broken", None, failed, 40),
        _rule("min_full_match", "lora:broken", "calls", undecided, 16, [(16, 0.05, 0.7)], needed=30),
    ]  # fmt: skip
    answers = {"merged:good": 80, "lora:good": 60, "merged:broken": 40, "lora:broken": 16, "base": 48}
    population = dict.fromkeys(answers, 134) | {"lora:good": 128, "lora:broken": 128}
    return GateResult(
        run_id=run_id, mode=ParseMode.STRICT, results=results, controls=["merged:broken", "lora:broken"],
        answers=answers, population=population,
    )  # fmt: skip


def stopped_run(folder: Path, gate: GateResult | None = None) -> Path:
    """A scored synthetic run of base, good and the control broken judged by `gate` (`sequential_gate` unless
    given), its gate.json written as the gate writes it."""
    right: dict[str, int | set[int]] = {
        "base": 0,
        "lora:good": 20,
        "merged:good": 20,
        "lora:broken": 2,
        "merged:broken": 2,
    }
    run = synthetic_run(folder, right, silent=dict.fromkeys(right, 8), controls=frozenset({"broken"}))
    RunFolder(run).write_gate(gate or sequential_gate(folder.name))
    return run
