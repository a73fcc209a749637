"""A small calendar: events by day, created, moved, cancelled, and their attendees.

Standard library only, no module-level state, no clock and no randomness: the sandbox loads this file on its own,
and a replay of the same calls from the same state gives the same results and ids.
"""

from __future__ import annotations

import copy
import datetime

from harness.environments.builtin.state_fields import checked_fields


def _date(text: str) -> str:
    """An ISO date (`2025-03-14`), checked: a calendar day, not a clock reading."""
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except (TypeError, ValueError):
        raise ValueError(f"date {text!r} is not a date like 2025-03-14") from None


def _minutes(start: str) -> int:
    """Minutes since midnight of a 24-hour `HH:MM` time."""
    hours, _, minutes = start.partition(":")
    if not (len(hours) == 2 and len(minutes) == 2 and hours.isdigit() and minutes.isdigit()):
        raise ValueError(f"time {start!r} is not a 24-hour time like 09:30")
    if int(hours) > 23 or int(minutes) > 59:
        raise ValueError(f"time {start!r} is not a time of day")
    return int(hours) * 60 + int(minutes)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class Calendar:
    """Events by id (`E-7`), each on one day with a start time and a length in minutes, and who attends."""

    def __init__(self) -> None:
        self.events: dict[str, dict] = {}
        self.next_event: int = 1

    def _load_scenario(self, state: dict, long_context: bool = False) -> None:
        """Validate and load a state; `long_context` is accepted for the protocol BFCL's classes share, and these
        states have no long variant."""
        checked_fields("state", state, {"events": dict, "next_event": int})
        fields = {"title": str, "date": str, "start": str, "duration_minutes": int, "attendees": list}
        for event_id, event in state["events"].items():
            where = f"events.{event_id}"
            checked_fields(where, event, fields)
            for key, check in (("date", _date), ("start", _minutes)):
                try:
                    check(event[key])
                except ValueError as error:
                    raise ValueError(f"{where}.{key}: {error}") from None
            if not all(isinstance(name, str) for name in event["attendees"]):
                raise ValueError(f"{where}.attendees: expected a list of names")
        self.events = copy.deepcopy(state["events"])
        self.next_event = state["next_event"]

    def _event(self, event_id: str) -> dict:
        if event_id not in self.events:
            raise ValueError(f"unknown event {event_id!r}")
        return self.events[event_id]

    def _check_free(self, date: str, start: int, duration: int, moving: str = "") -> None:
        """Refuse a slot that overlaps another event of the day or runs past midnight: the user must hear which."""
        if duration < 5 or start + duration > 24 * 60:
            raise ValueError(f"an event of {duration} minutes from {_clock(start)} does not fit in one day")
        for event_id, event in sorted(self.events.items()):
            if event_id == moving or event["date"] != date:
                continue
            other, end = _minutes(event["start"]), _minutes(event["start"]) + event["duration_minutes"]
            if other < start + duration and start < end:
                raise ValueError(f"overlaps {event_id} {event['title']!r} ({event['start']}-{_clock(end)})")

    def find_events(self, date: str) -> dict:
        """The events of one day, by start time."""
        day = _date(date)
        events = [
            {
                "event_id": event_id,
                "title": event["title"],
                "start": event["start"],
                "end": _clock(_minutes(event["start"]) + event["duration_minutes"]),
            }
            for event_id, event in sorted(self.events.items(), key=lambda item: (item[1]["start"], item[0]))
            if event["date"] == day
        ]
        return {"date": day, "events": events}

    def create_event(self, title: str, date: str, start: str, duration_minutes: int = 30) -> dict:
        """Add an event; refused, with nothing changed, when it overlaps another."""
        day, begin = _date(date), _minutes(start)
        if not title.strip():
            raise ValueError("title is empty")
        self._check_free(day, begin, duration_minutes)
        event_id = f"E-{self.next_event}"
        self.next_event += 1
        self.events[event_id] = {
            "title": title,
            "date": day,
            "start": _clock(begin),
            "duration_minutes": duration_minutes,
            "attendees": [],
        }
        return {"event_id": event_id, "date": day, "start": _clock(begin)}

    def move_event(self, event_id: str, new_start: str, new_date: str = "") -> dict:
        """Move an event to another start time (and day, if given), keeping its length; refused, with nothing
        changed, when the new slot overlaps another event."""
        event = self._event(event_id)
        day, begin = _date(new_date) if new_date else event["date"], _minutes(new_start)
        self._check_free(day, begin, event["duration_minutes"], moving=event_id)
        event["date"], event["start"] = day, _clock(begin)
        return {"event_id": event_id, "date": day, "start": event["start"]}

    def cancel_event(self, event_id: str) -> dict:
        """Remove an event from the calendar."""
        title = self._event(event_id)["title"]
        del self.events[event_id]
        return {"event_id": event_id, "cancelled": title}

    def add_attendee(self, event_id: str, attendee: str) -> dict:
        """Invite someone to an event; refused when they are already invited."""
        event = self._event(event_id)
        if attendee in event["attendees"]:
            raise ValueError(f"{attendee} is already invited to {event_id}")
        event["attendees"].append(attendee)
        return {"event_id": event_id, "attendees": list(event["attendees"])}
