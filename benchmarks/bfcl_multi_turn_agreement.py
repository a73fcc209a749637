"""`make bfcl-multi-turn-agreement`: does the harness judge BFCL's multi-turn episodes like BFCL's own checker?

Every entry of the four multi-turn categories is answered with its ground truth (each turn's calls in one step),
then with mutations of it, a few of each kind per entry (seeded): a call dropped, a call duplicated, two calls of a
turn swapped, an argument value changed, an extra state-changing call appended, a call made in a turn whose right
answer is none (the `ask` turn of miss_param, a `reply` turn elsewhere), a turn's calls split across two steps.
A trajectory is BFCL's decoded format, turn → step → call strings. BFCL's `multi_turn_checker` (bfcl-eval
2026.3.23 in the throwaway venv of `bfcl_reference.py`, reading its own data) judges the strings; the harness
parses the same strings with `harness.suites.bfcl_multi_turn.parse_call`, replays them in its sandbox
(`harness.environments.replay.replay_turns`) and scores them with `bfcl` semantics
(`harness.scoring.episode.score_episode`). Prints agreement per mutation kind and category, the documented
decisions that explain a disagreement (counted), every other disagreement, and both checkers' times on the same
trajectories. Exit 1 when any disagreement is unexplained, 2 when the harness's side is not there to compare.
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bfcl_reference import WORKER, ask, ensure_venv

from harness.suites import bfcl_multi_turn
from harness.types import Episode, EpisodeStatus, GoldCall, JsonValue, Semantics, Suite, ToolCall

Trajectory = list[list[list[str]]]
"""Turn → step → call strings, as BFCL's checker reads a decoded model answer."""
Variants = Iterator[tuple[str, Trajectory]]
"""Mutated trajectories of one episode, each with a label saying what was changed."""
CHECKER = WORKER.with_name("bfcl_multi_turn_checker.py")
VARIANTS_PER_KIND = 2
"""Mutations of one kind tried per entry (seeded draw among every place the kind applies)."""
EXTRA_CALLS = {
    "GorillaFileSystem": "mkdir(dir_name='agreement_extra')",
    "MessageAPI": "add_contact(user_name='Agreement Extra')",
    "TwitterAPI": "post_tweet(content='An extra tweet')",
    "TicketAPI": "ticket_login(username='agreement_extra', password='extra')",
    "TradingBot": "add_to_watchlist(stock='NVDA')",
    "TravelAPI": "authenticate_travel(client_id='extra', client_secret='extra', refresh_token='extra',"
    " grant_type='read', user_first_name='Extra', user_last_name='Person')",
    "VehicleControlAPI": "setHeadlights(mode='on')",
}
"""One call per class that changes its state (when the state allows: a tweet needs a logged-in user); MathAPI is
stateless and has none."""


def call_text(call: GoldCall) -> str:
    """A call as BFCL writes one: keyword arguments with Python literals (what its checker runs)."""
    return f"{call.function}({', '.join(f'{name}={_literal(value)}' for name, value in call.arguments.items())})"


def _literal(value: JsonValue) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


def truth(episode: Episode) -> Trajectory:
    """The ground truth as a model would give it: each turn's calls in one step, no step where there is no call."""
    return [[[call_text(call) for call in turn.expected]] if turn.expected else [] for turn in episode.turns]


def _flat(trajectory: Trajectory, turn: int) -> list[str]:
    return [call for step in trajectory[turn] for call in step]


def _with_turn(trajectory: Trajectory, turn: int, calls: list[str]) -> Trajectory:
    return [*trajectory[:turn], [calls] if calls else [], *trajectory[turn + 1 :]]


def _calls(trajectory: Trajectory) -> list[tuple[int, int]]:
    return [(t, i) for t in range(len(trajectory)) for i in range(len(_flat(trajectory, t)))]


def unchanged(episode: Episode) -> Variants:
    yield "as given", truth(episode)


def dropped(episode: Episode) -> Variants:
    given = truth(episode)
    for turn, index in _calls(given):
        calls = _flat(given, turn)
        yield f"turn {turn}: call {index} dropped", _with_turn(given, turn, calls[:index] + calls[index + 1 :])


def duplicated(episode: Episode) -> Variants:
    given = truth(episode)
    for turn, index in _calls(given):
        calls = _flat(given, turn)
        yield f"turn {turn}: call {index} twice", _with_turn(given, turn, calls[: index + 1] + calls[index:])


def swapped(episode: Episode) -> Variants:
    given = truth(episode)
    for turn, index in _calls(given):
        calls = _flat(given, turn)
        if index + 1 < len(calls):
            calls[index], calls[index + 1] = calls[index + 1], calls[index]
            yield f"turn {turn}: calls {index} and {index + 1} swapped", _with_turn(given, turn, calls)


def _changed(value: JsonValue) -> JsonValue:
    """Another value of the same JSON type."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "_changed"
    if isinstance(value, list):
        return value[:-1] if value else ["changed"]
    if isinstance(value, dict):
        return {**value, "changed": True}
    return "changed"


def argument_changed(episode: Episode) -> Variants:
    given = truth(episode)
    for turn, current in enumerate(episode.turns):
        for index, call in enumerate(current.expected):
            for name, value in call.arguments.items():
                other = call.model_copy(update={"arguments": {**call.arguments, name: _changed(value)}})
                calls = _flat(given, turn)
                calls[index] = call_text(other)
                yield f"turn {turn}: call {index} {name}={_changed(value)!r}", _with_turn(given, turn, calls)


def extra_call(episode: Episode) -> Variants:
    given = truth(episode)
    classes = [environment.name.removeprefix("bfcl:") for environment in episode.environment]
    extras = [EXTRA_CALLS[name] for name in classes if name in EXTRA_CALLS]
    for turn, current in enumerate(episode.turns):
        for extra in extras if current.expected else []:
            yield f"turn {turn}: + {extra.split('(')[0]}", _with_turn(given, turn, [*_flat(given, turn), extra])


def call_in_empty_turn(episode: Episode) -> Variants:
    """The next turn's first call made early, in a turn whose right answer calls nothing (the next turn still
    makes it): acting before the user gave the value, or with a function not offered yet."""
    given = truth(episode)
    for turn, current in enumerate(episode.turns[:-1]):
        following = _flat(given, turn + 1)
        if not current.expected and following:
            yield f"turn {turn} ({current.kind.value}): + {following[0]}", _with_turn(given, turn, following[:1])


def split_across_steps(episode: Episode) -> Variants:
    given = truth(episode)
    for turn in range(len(given)):
        calls = _flat(given, turn)
        for cut in range(1, len(calls)):
            split = [*given[:turn], [calls[:cut], calls[cut:]], *given[turn + 1 :]]
            yield f"turn {turn}: steps {cut}+{len(calls) - cut}", split


MUTATIONS: dict[str, Callable[[Episode], Variants]] = {
    "ground truth": unchanged,
    "call dropped": dropped,
    "call duplicated": duplicated,
    "two calls swapped": swapped,
    "argument value changed": argument_changed,
    "extra state-changing call": extra_call,
    "call in a no-call turn": call_in_empty_turn,
    "turn split across steps": split_across_steps,
}


@dataclass(frozen=True)
class Judged:
    """One trajectory and the verdicts on it: BFCL's (`valid`, `error_type`) and ours (None until scored)."""

    category: str
    episode: Episode
    kind: str
    label: str
    trajectory: Trajectory
    bfcl: dict[str, Any]
    ours: bool | None = None
    ours_detail: str = ""


def trajectories(suites: list[Suite]) -> list[tuple[str, Episode, str, str, Trajectory]]:
    """Every ground truth and up to VARIANTS_PER_KIND mutations of each kind per entry, drawn with a seed per
    entry and kind so that every run judges the same trajectories."""
    chosen = []
    for suite in suites:
        category = suite.name.removeprefix("bfcl:")
        for episode in suite.episodes:
            for kind, mutate in MUTATIONS.items():
                variants = list(mutate(episode))
                draw = random.Random(f"{kind}/{episode.id}")
                picked = variants if len(variants) <= VARIANTS_PER_KIND else draw.sample(variants, VARIANTS_PER_KIND)
                chosen += [(category, episode, kind, label, trajectory) for label, trajectory in picked]
    return chosen


def offered_by_turn(episode: Episode) -> list[set[str]]:
    """The tool names a model may call in each turn (BFCL runs any method of the classes instead)."""
    offered, seen = [], set(episode.tools)
    for turn in episode.turns:
        seen |= set(turn.tools_added)
        offered.append(set(seen))
    return offered


def calls_unoffered(item: Judged) -> bool:
    """A trajectory that calls a function not offered at that turn (excluded, or held back by miss_func): the
    sandbox refuses it as a tool error, BFCL runs it."""
    offered = offered_by_turn(item.episode)
    return any(
        call.split("(")[0] not in offered[turn]
        for turn, steps in enumerate(item.trajectory)
        for step in steps
        for call in step
    )


REFUSED_UNOFFERED = "a function not offered is refused, never run"
DECISIONS: dict[str, Callable[[Judged], bool]] = {REFUSED_UNOFFERED: calls_unoffered}
"""Departures from BFCL's multi-turn checker, each with how to recognise the trajectories it touches."""


def bfcl_side(python: Path, chosen: list[tuple[str, Episode, str, str, Trajectory]]) -> tuple[list[Judged], float]:
    request = {"items": [{"category": c, "id": e.id, "trajectory": t} for c, e, _, _, t in chosen]}
    answer = ask(python, request, CHECKER)
    judged = [
        Judged(category, episode, kind, label, trajectory, verdict)
        for (category, episode, kind, label, trajectory), verdict in zip(chosen, answer["verdicts"], strict=True)
    ]
    return judged, float(answer["seconds"])


def model_turns(episode: Episode, trajectory: Trajectory) -> list[list[list[ToolCall]]]:
    """The trajectory as parsed calls, read with the same `ast` binding as the suite's ground truths."""
    parameters = bfcl_multi_turn.parameters_of([e.name.removeprefix("bfcl:") for e in episode.environment])
    parsed = [[[bfcl_multi_turn.parse_call(call, parameters) for call in step] for step in turn] for turn in trajectory]
    return [[[ToolCall(name=c.function, arguments=c.arguments) for c in step] for step in turn] for turn in parsed]


def our_side(suites: list[Suite], judged: list[Judged]) -> tuple[list[Judged], float] | None:
    """Our verdicts and the time they took (sandbox replay and scoring); None while those modules are missing."""
    try:
        from harness.environments import Sandbox
        from harness.environments.replay import replay_turns
        from harness.scoring.episode import score_episode
    except ImportError as error:
        print(f"\nthe harness's side is not on this branch yet ({error}); run again once harness.environments and")
        print("harness.scoring.episode are merged")
        return None
    tools = {tool.key: tool for suite in suites for tool in suite.tools}
    ours = []
    start = time.perf_counter()
    with Sandbox() as sandbox:
        for item in judged:
            turns = model_turns(item.episode, item.trajectory)
            facts = replay_turns(sandbox, item.episode, tools, turns)
            score = score_episode(
                item.episode,
                EpisodeStatus.COMPLETE,
                suite=item.category,
                variant="bfcl-agreement",
                turns_asked=len(item.episode.turns),
                calls=[sum(len(step) for step in turn) for turn in turns],
                steps=[len(turn) for turn in turns],
                facts=facts,
                semantics=Semantics.BFCL,
            )
            failed = next((t for t in score.turns if not t.passed), None)
            detail = "" if failed is None else f"turn {failed.turn}: {failed.error}: {failed.detail}"
            ours.append(replace(item, ours=score.passed, ours_detail=detail))
    return ours, time.perf_counter() - start


def report(judged: list[Judged]) -> list[Judged]:
    """Prints agreement per mutation kind and category, the decisions (counted) and every other disagreement;
    returns the unexplained ones."""
    categories = list(dict.fromkeys(item.category for item in judged))
    rows: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    unexplained: list[Judged] = []
    explained: dict[str, list[Judged]] = defaultdict(list)
    for item in judged:
        for cell in (rows[item.kind][item.category], rows[item.kind]["all"], rows["all"]["all"]):
            cell["n"] += 1
            cell["bfcl passes"] += item.bfcl["valid"]
            cell["agree"] += item.ours == item.bfcl["valid"]
        if item.ours == item.bfcl["valid"]:
            continue
        decision = next((name for name, explains in DECISIONS.items() if explains(item)), None)
        if decision is None:
            unexplained.append(item)
        else:
            explained[decision].append(item)
            for cell in (rows[item.kind][item.category], rows[item.kind]["all"], rows["all"]["all"]):
                cell["decided"] += 1
    short = [c.removeprefix("multi_turn_") for c in categories]
    print(f"\n{'mutation kind':26} " + " ".join(f"{c:>17}" for c in [*short, "all"]) + f" {'BFCL pass':>10}")
    for kind, cells in rows.items():
        shown = [_cell(cells[c]) for c in categories] if kind != "all" else [""] * len(categories)
        passes = f"{cells['all']['bfcl passes']}/{cells['all']['n']}"
        print(f"{kind:26} " + " ".join(f"{s:>17}" for s in [*shown, _cell(cells["all"])]) + f" {passes:>10}")
    print("\ncells: agreeing/judged outside the documented decisions (decided ones counted below)")
    for decision, items in explained.items():
        entries = {(i.category, i.episode.id) for i in items}
        print(f"\ndecision '{decision}': {len(items)} trajectories, {len(entries)} entries")
        print(f"  by kind: {dict(Counter(i.kind for i in items))}")
        for item in items[:3]:
            print(f"  e.g. {_line(item)}")
    print(f"\ndisagreements outside the decisions: {len(unexplained)}")
    for item in unexplained:
        print(f"  {_line(item)}")
    return unexplained


def _cell(cell: Counter[str]) -> str:
    covered = cell["n"] - cell["decided"]
    return f"{cell['agree']}/{covered} {100 * cell['agree'] / covered:.1f}%" if covered else "–"


def _line(item: Judged) -> str:
    theirs = "pass" if item.bfcl["valid"] else f"fail ({item.bfcl['error_type']})"
    ours = "pass" if item.ours else f"fail ({item.ours_detail})"
    return f"[{item.kind}] {item.episode.id} {item.label}: BFCL {theirs}, ours {ours}"


def main() -> int:
    python = ensure_venv()
    suites = [bfcl_multi_turn.load_category(category)[0] for category in bfcl_multi_turn.CATEGORIES]
    chosen = trajectories(suites)
    print(
        f"{len(chosen):,} trajectories over {sum(len(s.episodes) for s in suites)} entries; asking BFCL ...", flush=True
    )
    judged, bfcl_seconds = bfcl_side(python, chosen)
    passes = Counter(item.kind for item in judged if item.bfcl["valid"])
    totals = Counter(item.kind for item in judged)
    print("BFCL's checker passes: " + ", ".join(f"{kind} {passes[kind]}/{n}" for kind, n in totals.items()))
    print(f"BFCL's checker: {bfcl_seconds:.2f} s for {len(judged):,} trajectories on one core")
    ours = our_side(suites, judged)
    if ours is None:
        return 2
    judged, our_seconds = ours
    unexplained = report(judged)
    print(
        f"\ntime on the same {len(judged):,} trajectories: BFCL's checker {bfcl_seconds:.2f} s (in-process eval, one"
        f" core), ours {our_seconds:.2f} s (parsing, sandboxed replay with its limits, scoring)"
    )
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
