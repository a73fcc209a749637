"""The accuracy stage: ask every case and episode a run folder has no answer to yet, in the run's seeded order
(`AskingOrder`, the same for every variant), and, when the caller can read the gate's rules (`Stopping`), in
batches of that order with a look at the rules after each: a variant is no longer asked once every rule that
reads it is decided, or when the stage's time budget is spent. Where each variant stopped, and why, goes to the
run folder's `asking.jsonl`; a rerun resumes the same order from where it stopped.

Episodes (multi-turn) are asked whole after the cases: their rules read full samples only.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from rich.console import Console

from harness.environments import Sandbox
from harness.generation.answer import Item, RunProgress, WorkItem, pending_work, serve_and_answer
from harness.generation.episodes import EpisodeItem, EpisodeRunner
from harness.generation.prepare import Prepared
from harness.progress import StageProgress
from harness.runs.folder import RunFolder
from harness.serving.pool import ServerPool
from harness.serving.vllm_server import ServerError
from harness.types import AskingOrder, AskingStop, AskingStopReason, CaseKey

Needed = Mapping[str, Collection[CaseKey] | None]
"""Variant → the cases still worth asking it (None: every case it is asked)."""


def _wanted(item: Item, needed: Needed) -> bool:
    """Whether a case item is still worth asking (episodes always are: their rules read full samples)."""
    if not isinstance(item, WorkItem):
        return True
    if item.variant not in needed:
        return False
    cases = needed[item.variant]
    return cases is None or (item.suite.name, item.case.id) in cases


@dataclass(frozen=True)
class Stopping:
    """How the stage may stop asking before every case is answered; given by a caller that reads the gate's rules
    (the bench), since asking knows nothing of rules."""

    still_asking: Callable[[], Needed]
    """What is still worth asking, read after each batch: per variant an undecided rule reads, the cases those
    rules read that it has not answered; per variant no rule reads, None (every case: it is measured for the
    reports). A variant left out is asked nothing more."""
    budget_s: float | None = None
    """Seconds the stage may take: the batch that ends past it is the last, and every rule still open is left
    undecided (resume the run to decide it)."""


def answer_pending(
    prepared: Prepared,
    folder: RunFolder,
    console: Console,
    pool: ServerPool | None = None,
    stopping: Stopping | None = None,
) -> int:
    """Ask what the run folder (opened by the caller, `open_run_folder`) has no answer to yet; returns how many
    items were pending, 0 when the folder was complete. Scoring is left to the caller. Servers come from `pool`
    and stay up for the caller's next stage; without one, each server stops once its variants are done (or, when
    stopping by batches, once the stage ends)."""
    work = pending_work(prepared, folder)
    order = folder.read_manifest().asking
    if stopping is not None and order is not None and folder.read_generations():
        work = _resumed(folder, work, stopping)  # rules may be decided already: ask those variants nothing
    pending = sum(len(items) for items in work.values())
    if not pending:
        console.print("accuracy: nothing left to ask in the run folder", soft_wrap=True, highlight=False)
        return 0
    with StageProgress(console, "accuracy", "answers") as shown, contextlib.ExitStack() as resources:
        shown.start(pending)
        progress = RunProgress(folder, shown)
        if any(isinstance(item, EpisodeItem) for items in work.values() for item in items):
            sandbox = resources.enter_context(Sandbox())
            steps = prepared.config.generation.max_steps_per_turn
            progress.episodes = EpisodeRunner(sandbox, steps, progress.record_episode)
        todo = [plan for plan in prepared.plans if any(work[variant] for variant in plan.models)]
        if pool is not None and prepared.start_side_by_side:  # they stay up for the next stage anyway
            pool.launch(todo)
        if stopping is None or order is None:
            _ask(prepared, folder, _in_order(work, order), progress, pool)
            return pending
        if pool is None:  # batches go back to every server: keep them up for the whole stage
            pool = resources.enter_context(ServerPool(folder.path, prepared.config.server.startup_timeout_s))
        _ask_in_batches(prepared, folder, work, order, progress, pool, stopping)
    return pending


def _resumed(folder: RunFolder, work: dict[str, list[Item]], stopping: Stopping) -> dict[str, list[Item]]:
    """A resumed run's work, without the cases the answers so far make needless (decided rules read them)."""
    needed = stopping.still_asking()
    return {v: [item for item in items if _wanted(item, needed)] for v, items in work.items()}


def _position(order: AskingOrder | None) -> Callable[[Item], int]:
    """An item's place in the order; episodes, asked after every case, come last."""
    where = {key: index for index, key in enumerate(order.cases)} if order else {}
    return lambda item: where.get((item.suite.name, item.case.id), -1) if isinstance(item, WorkItem) else len(where)


def _in_order(work: dict[str, list[Item]], order: AskingOrder | None) -> dict[str, list[Item]]:
    position = _position(order)
    return {variant: sorted(items, key=position) for variant, items in work.items()}


def _ask(
    prepared: Prepared, folder: RunFolder, work: dict[str, list[Item]], progress: RunProgress, pool: ServerPool | None
) -> None:
    """Ask every item of `work`, one server plan after another."""
    for plan in prepared.plans:
        items = [item for variant in plan.models for item in work.get(variant, [])]
        if not items:
            continue
        try:
            if pool is not None:
                serve_and_answer(plan, prepared, items, progress, pool)
            else:
                with ServerPool(folder.path, prepared.config.server.startup_timeout_s) as own:
                    serve_and_answer(plan, prepared, items, progress, own)
        except ServerError as error:
            raise ServerError(
                f"{error}\n(the run folder {folder.path} keeps every answer so far; rerun to resume)"
            ) from None


def _ask_in_batches(
    prepared: Prepared,
    folder: RunFolder,
    work: dict[str, list[Item]],
    order: AskingOrder,
    progress: RunProgress,
    pool: ServerPool,
    stopping: Stopping,
) -> None:
    """The order's batches, each asked of the variants still worth asking, with a look at the rules after it."""
    began = time.monotonic()
    position = _position(order)
    cases = {v: [item for item in items if isinstance(item, WorkItem)] for v, items in _in_order(work, order).items()}
    episodes = {v: [item for item in items if isinstance(item, EpisodeItem)] for v, items in work.items()}
    asking = {variant for variant, items in cases.items() if items}

    def narrow(needed: Needed, look: int, reason: AskingStopReason) -> None:
        """Keep only the cases still worth asking; record each variant left with nothing to ask."""
        answered = Counter(variant for variant, _, _ in folder.read_generations())
        for variant in sorted(asking):
            kept = [item for item in cases[variant] if _wanted(item, needed)]
            progress.shown.drop(len(cases[variant]) - len(kept))
            cases[variant] = kept
            if not kept:
                folder.append_stop(AskingStop(variant=variant, position=look, answers=answered[variant], reason=reason))
                progress.shown.note(f"stopped asking {variant} after case {look} of the order: {reason}")

    start = 0
    for look in order.looks():
        batch = {v: [item for item in cases[v] if start <= position(item) < look] for v in asking}
        start = look
        if not any(batch.values()):
            continue
        _ask(prepared, folder, batch, progress, pool)
        for variant in asking:
            cases[variant] = [item for item in cases[variant] if position(item) >= look]
        asking = {v for v in asking if cases[v]}
        if not asking:
            break
        narrow(stopping.still_asking(), look, "decided")
        asking = {v for v in asking if cases[v]}
        if asking and stopping.budget_s is not None and time.monotonic() - began > stopping.budget_s:
            narrow({}, look, "budget")
            return  # episodes wait for the rerun too
    _ask(prepared, folder, episodes, progress, pool)
