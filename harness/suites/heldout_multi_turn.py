"""The held-out in-distribution multi-turn suite (`suites/conversations/heldout_multi_turn.json`): episodes over the
held-out pool's lookup/action pairs (`HELDOUT_POOL.chains`), on executable environments.

Training teaches a chain as a request that names an owner and which of their records, the lookup, then the action
on the id the lookup's result gives. These episodes ask the same of pairs, people and number plates training never
saw, worded by the training generator's own machinery (the chain's request phrasings, `incomplete_request`,
`question` and `answer` for asks, the held-out pool's small talk, questions and near misses), so a score here
says what an adapter learned of its own distribution, not of the out-of-distribution suites' styles.

An episode starts from an owner's records (one to three, of distinct sorts, as training's lookups list them) among
other owners' records, and mixes turns: a request for one record (the lookup, then the action on its id); a
request for another of the owner's records (the action alone: the id is in the conversation already, and a
repeated lookup changes nothing, so it does not fail the turn); an ask (a request that leaves a value out: the
right answer is the question, then the user's reply gives the value); and small talk, a question or a near miss
(words, no call). Every value an ask leaves out is a name or a number plate no training request says, so no
reply here is a training prompt. Each episode draws from its own `random.Random`, seeded by the suite seed and its
id.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from harness.suites.episode_script import Script
from harness.suites.gold import GoldEpisode, Shape
from harness.training_data.chain_tools import Chain
from harness.training_data.examples import HELDOUT_POOL
from harness.training_data.no_call_replies import ASK_OPENERS
from harness.training_data.phrasings import PHRASINGS
from harness.training_data.requests import OPTIONAL_RATE, no_call_request
from harness.training_data.wording import answer, incomplete_request, question, request
from harness.types import EnvironmentState, Suite, Tool, TurnKind

SEED = 2425
EPISODES_PER_PLAN = 2

_CURRENT_PLATES = ("RT-552-KW", "L 2290 FA", "3MXD871", "WP15 GHT", "BZ 640 OR", "6HNV302")
"""The plates permits are on before an episode: none is a plate a request moves one to (`NEW_PLATES`)."""


@dataclass(frozen=True)
class _Setting:
    """Where one held-out chain runs, and what its environment keeps of a record beyond its sort and owner."""

    environment: str
    """The environment's name in the registry; its state keeps the records under the chain's `records` key."""
    fields: Callable[[random.Random], dict[str, Any]]
    """A record's other fields, which the action changes."""
    counter: str
    """The state key of the counter the action's references come from."""


SETTINGS: Mapping[str, _Setting] = {
    "permit_vehicle_change": _Setting("parking", lambda rng: {"plate": rng.choice(_CURRENT_PLATES)}, "next_change"),
    "storage_access": _Setting("storage", lambda rng: {"guests": {}}, "next_pass"),
    "bike_top_up": _Setting("bike_share", lambda rng: {"rides_left": rng.randint(0, 15)}, "next_top_up"),
}
"""Held-out chain name → its setting; every chain of the held-out pool has one."""

TOOLS: tuple[Tool, ...] = tuple(
    spec.tool.model_copy(update={"environment": SETTINGS[chain.name].environment})
    for chain in HELDOUT_POOL.chains
    for spec in (chain.lookup, chain.action)
)
"""The held-out chains' own tools, each run by its chain's environment."""

Step = Literal["act", "ask", "chat"]
PLANS: dict[str, tuple[Step, ...]] = {
    "act-act-chat": ("act", "act", "chat"),
    "ask-act-chat": ("ask", "act", "chat"),
    "chat-act-act": ("chat", "act", "act"),
    "act-ask": ("act", "ask"),
    "act-act-act": ("act", "act", "act"),
    "ask-chat": ("ask", "chat"),
    "act-chat": ("act", "chat"),
    "act-chat-ask": ("act", "chat", "ask"),
}
"""An episode's steps: `act`, a request for the next of the owner's records; `ask`, that request leaving a value
out, then the reply that gives it (two turns); `chat`, words. The first request looks the owner's records up
first; an `ask` there leaves the owner out if the lookup takes one (without a name nothing can be looked up), a
later one a value of the action, so a chain follows only the plans whose asks it has a value for."""


def _leavable(chain: Chain, first: bool) -> list[str]:
    """What an ask can leave out of a chain's request: on the first request the owner, if the lookup takes one;
    otherwise the action's values the request's phrasings can leave out (never which record it means)."""
    if first and chain.key_parameter:
        return [chain.key_parameter]
    return [parameter for parameter in PHRASINGS[chain.name].missing if parameter != chain.key_parameter]


def _plans(chain: Chain) -> list[str]:
    """The plans whose every ask has a value to leave out, in `PLANS` order."""
    return [
        name
        for name, steps in PLANS.items()
        if all(_leavable(chain, n == 0) for n, step in enumerate(s for s in steps if s != "chat") if step == "ask")
    ]


@dataclass(frozen=True)
class _World:
    """An episode's starting state, and the owner's records in the order the episode asks about them."""

    state: dict[str, Any]
    owner: dict[str, str]
    """The owner's name under the lookup's parameter; empty for a lookup without one."""
    records: tuple[tuple[str, str], ...]
    """(id, sort) of each of the owner's records."""


def _world(chain: Chain, wanted: int, rng: random.Random) -> _World:
    """`wanted` to three records of one owner, of distinct sorts, among two or three of other owners (a lookup
    without a parameter lists the user's records only, so it has no others)."""
    key = chain.key_parameter
    people = list(chain.lookup.pools[key]) if key else []
    owner = rng.choice(people) if key else ""
    sorts = rng.sample(chain.sorts, rng.randint(wanted, min(3, len(chain.sorts))))
    owned = len(sorts)
    owners = [owner] * owned
    if key:
        others = rng.sample([person for person in people if person != owner], rng.randint(2, 3))
        sorts += [rng.choice(chain.sorts) for _ in others]
        owners += others
    distinct: set[str] = set()
    while len(distinct) < len(sorts):
        distinct.add(chain.make_id(rng))
    ids = sorted(distinct)
    rng.shuffle(ids)
    setting = SETTINGS[chain.name]
    records = {
        ids[n]: {**({key: owners[n]} if key else {}), chain.sort: sorts[n], **setting.fields(rng)}
        for n in sorted(range(len(ids)), key=ids.__getitem__)
    }
    state = {chain.records: records, setting.counter: rng.randrange(1, 90)}
    return _World(state, {key: owner} if key else {}, tuple((ids[n], sorts[n]) for n in range(owned)))


def _act(script: Script, chain: Chain, world: _World, turn: int, asked: Mapping[str, Any]) -> None:
    """The calls for the request's record (the lookup first on the first record), and the words closing the turn."""
    record_id = world.records[turn][0]
    if turn == 0:
        lookup = chain.lookup_call(asked)
        script.call(lookup.name, **lookup.arguments)
    action = chain.action_call(record_id, asked)
    result = script.call(action.name, **action.arguments)
    script.reply(f"Done ({result['status']}) for {record_id}. The reference is {result['reference']}.")


def _episode(episode_id: str, chain: Chain, plan: str, rng: random.Random) -> GoldEpisode:
    steps = PLANS[plan]
    world = _world(chain, sum(step != "chat" for step in steps), rng)
    script = Script(episode_id, EnvironmentState(name=SETTINGS[chain.name].environment, state=world.state), TOOLS)
    spec, turn = chain.request, 0
    for step in steps:
        if step == "chat":
            text, reply = no_call_request([chain.lookup, chain.action], HELDOUT_POOL, rng)
            script.user(TurnKind.REPLY, text)
            script.reply(reply)
            continue
        given = {**world.owner, chain.sort: world.records[turn][1]}
        if step == "act":
            text, call = request(spec, OPTIONAL_RATE, rng, given=given)
            script.user(TurnKind.ACT, text)
        else:
            left_out = rng.choice(_leavable(chain, turn == 0))
            text, call, left_out = incomplete_request(spec, OPTIONAL_RATE, rng, left_out=left_out, given=given)
            script.user(TurnKind.ASK, text)
            script.reply(rng.choice(ASK_OPENERS) + question(spec, left_out, rng))
            script.user(TurnKind.ACT, answer(spec, left_out, call.arguments[left_out], rng))
        _act(script, chain, world, turn, call.arguments)
        turn += 1
    shapes = [Shape.CHAINED]
    shapes += [Shape.ASK_THEN_ACT] if "ask" in steps else []
    shapes += [Shape.SMALL_TALK] if "chat" in steps else []
    return script.done(*shapes)


def heldout_episodes(seed: int = SEED, per_plan: int = EPISODES_PER_PLAN) -> list[GoldEpisode]:
    """Every episode with its shapes and closing texts, in a stable order: per held-out chain, per plan it can
    follow, `per_plan` episodes."""
    episodes = []
    for chain in HELDOUT_POOL.chains:
        for plan in _plans(chain):
            for number in range(1, per_plan + 1):
                episode_id = f"{SETTINGS[chain.name].environment}-{plan}-{number:02d}"
                episodes.append(_episode(episode_id, chain, plan, random.Random(f"{seed}:{episode_id}")))
    return episodes


def heldout_suite(seed: int = SEED) -> Suite:
    """The suite `suites/conversations/heldout_multi_turn.json` holds."""
    return Suite(
        name="heldout_multi_turn",
        description=(
            "Held-out in-distribution conversations: lookup/action pairs training never offers, on executable "
            "parking, storage and bike-share environments, asked the way training data asks (a lookup whose result "
            "gives the id the action needs, a further record of the same owner, asking for a left-out value, "
            "small talk and near misses)."
        ),
        source=f"harness training generator, held-out pool's chains: harness/suites/heldout_multi_turn.py, seed {seed}",
        distribution="in",
        tools=list(TOOLS),
        episodes=[gold.episode for gold in heldout_episodes(seed)],
    )
