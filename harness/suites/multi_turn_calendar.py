"""The calendar templates of the built-in multi-turn suite: moving, cancelling and inviting to events of a seeded
day, a clash with another event, and asking for the time the user left out (see `multi_turn_builtin`)."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from harness.suites.episode_script import Script
from harness.suites.gold import GoldEpisode, Shape
from harness.suites.multi_turn_tools import TOOLS
from harness.suites.multi_turn_words import NAMES, SLOTS, TITLES, said_date, said_time
from harness.types import EnvironmentState, TurnKind


@dataclass(frozen=True)
class _CalendarWorld:
    state: dict[str, Any]
    day: datetime.date
    events: tuple[tuple[str, str, str], ...]
    """The day's events as (id, title, start)."""
    free: tuple[str, ...]
    """Slots of the day where an event of up to an hour fits."""
    new_title: str


def _calendar(rng: random.Random) -> _CalendarWorld:
    day = datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randrange(365))
    titles = rng.sample(TITLES, 6)
    starts = sorted(rng.sample(SLOTS, 3))
    first = rng.randrange(1, 40)
    events: dict[str, dict[str, Any]] = {}
    for index, (title, start) in enumerate(zip(titles[:3], starts, strict=True)):
        events[f"E-{first + index}"] = {
            "title": title, "date": day.isoformat(), "start": start, "duration_minutes": rng.choice([30, 60]),
            "attendees": [],
        }  # fmt: skip
    next_day = (day + datetime.timedelta(days=1)).isoformat()
    events[f"E-{first + 3}"] = {
        "title": titles[3], "date": next_day, "start": rng.choice(SLOTS), "duration_minutes": 60, "attendees": [],
    }  # fmt: skip
    state = {"events": events, "next_event": first + 4}
    day_events = tuple(
        (event_id, e["title"], e["start"]) for event_id, e in events.items() if e["date"] == day.isoformat()
    )
    free = tuple(slot for slot in SLOTS if slot not in starts)
    return _CalendarWorld(state, day, day_events, free, titles[4])


def calendar_move(episode_id: str, rng: random.Random) -> GoldEpisode:
    world = _calendar(rng)
    event_id, title, _ = rng.choice(world.events)
    to = rng.choice(world.free)
    script = Script(episode_id, EnvironmentState(name="calendar", state=world.state), TOOLS)
    said_day = said_date(rng, world.day)
    script.user(TurnKind.ACT, f"Please move my {title.lower()} on {said_day} to {said_time(rng, to)}.")
    script.call("find_events", date=world.day.isoformat())
    script.call("move_event", event_id=event_id, new_start=to)
    script.reply(f"Your {title} now starts at {to}.")
    script.user(TurnKind.ACT, rng.choice(["What does my day look like now?", "What else is on that day?"]))
    day = script.call("find_events", date=world.day.isoformat())
    listing = ", ".join(f"{e['title']} {e['start']}-{e['end']}" for e in day["events"])
    script.reply(f"On {world.day.isoformat()}: {listing}.")
    script.user(TurnKind.REPLY, rng.choice(["Perfect, thanks!", "Great, that works for me."]))
    script.reply("Glad to help!")
    return script.done(Shape.CHAINED, Shape.SMALL_TALK)


def calendar_conflict(episode_id: str, rng: random.Random) -> GoldEpisode:
    world = _calendar(rng)
    (event_id, title, _), (other_id, other, taken) = rng.sample(world.events, 2)
    to = rng.choice(world.free)
    script = Script(episode_id, EnvironmentState(name="calendar", state=world.state), TOOLS)
    said_day = said_date(rng, world.day)
    script.user(TurnKind.ACT, f"Move my {title.lower()} on {said_day} to {said_time(rng, taken)}.")
    script.call("find_events", date=world.day.isoformat())
    script.fail("move_event", event_id=event_id, new_start=taken)
    script.reply(f"I couldn't move it: {taken} overlaps your {other} ({other_id}). It stays where it was.")
    script.user(TurnKind.ACT, rng.choice([f"Then move it to {said_time(rng, to)}.", f"Okay, try {to} instead."]))
    script.call("move_event", event_id=event_id, new_start=to)
    script.reply(f"Done: your {title} now starts at {to}.")
    return script.done(Shape.TOOL_ERROR, Shape.CHAINED)


def calendar_ask(episode_id: str, rng: random.Random) -> GoldEpisode:
    world = _calendar(rng)
    to, minutes = rng.choice(world.free), rng.choice([30, 45, 60])
    script = Script(episode_id, EnvironmentState(name="calendar", state=world.state), TOOLS)
    script.user(TurnKind.ASK, rng.choice([
        f'Can you put "{world.new_title}" on my calendar for {said_date(rng, world.day)}?',
        f'Please schedule "{world.new_title}" on {said_date(rng, world.day)}.',
    ]))  # fmt: skip
    script.reply("Sure. What time should it start, and how long will it take?")
    script.user(TurnKind.ACT, f"At {said_time(rng, to)}, for {minutes} minutes.")
    made = script.call(
        "create_event", title=world.new_title, date=world.day.isoformat(), start=to, duration_minutes=minutes
    )
    script.reply(f"{world.new_title} is on your calendar at {to} ({made['event_id']}).")
    script.user(TurnKind.REPLY, rng.choice(["Thanks a lot.", "You're a lifesaver!"]))
    script.reply("Happy to help!")
    return script.done(Shape.ASK_THEN_ACT, Shape.SMALL_TALK)


def calendar_cancel(episode_id: str, rng: random.Random) -> GoldEpisode:
    world = _calendar(rng)
    event_id, title, _ = rng.choice(world.events)
    to = rng.choice(world.free)
    script = Script(episode_id, EnvironmentState(name="calendar", state=world.state), TOOLS)
    script.user(TurnKind.ACT, f"Cancel my {title.lower()} on {said_date(rng, world.day)}.")
    script.call("find_events", date=world.day.isoformat())
    script.call("cancel_event", event_id=event_id)
    script.reply(f"Your {title} ({event_id}) is cancelled.")
    script.user(TurnKind.ACT, f'Add "{world.new_title}" at {said_time(rng, to)} that day instead, for an hour.')
    made = script.call("create_event", title=world.new_title, date=world.day.isoformat(), start=to, duration_minutes=60)
    script.reply(f"Added {world.new_title} at {to} ({made['event_id']}).")
    script.user(TurnKind.REPLY, rng.choice(["Thanks, that's everything.", "Cool, thank you."]))
    script.reply("You're welcome!")
    return script.done(Shape.CHAINED, Shape.SMALL_TALK)


def calendar_invite(episode_id: str, rng: random.Random) -> GoldEpisode:
    world = _calendar(rng)
    to = rng.choice(world.free)
    guests = rng.sample(NAMES, 2)
    script = Script(episode_id, EnvironmentState(name="calendar", state=world.state), TOOLS, later=("add_attendee",))
    script.user(TurnKind.ACT, f'Schedule "{world.new_title}" on {said_date(rng, world.day)} at {said_time(rng, to)}.')
    made = script.call("create_event", title=world.new_title, date=world.day.isoformat(), start=to)
    script.reply(f"{world.new_title} is booked at {to} for 30 minutes ({made['event_id']}).")
    script.user(TurnKind.REPLY, rng.choice(["How are you doing today?", "You're quick! Do you ever sleep?"]))
    script.reply("I'm doing well, thanks for asking! Anything else for your calendar?")
    script.user(TurnKind.ACT, f"Please invite {guests[0]} to it.", added=("add_attendee",))
    script.call("add_attendee", event_id=made["event_id"], attendee=guests[0])
    script.reply(f"{guests[0]} is invited.")
    script.user(TurnKind.ACT, f"And {guests[1]} too.")
    script.call("add_attendee", event_id=made["event_id"], attendee=guests[1])
    script.reply(f"{guests[1]} is invited as well.")
    return script.done(Shape.LATER_TOOL, Shape.CHAINED, Shape.SMALL_TALK)
