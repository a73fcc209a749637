"""How a built-in environment finds a person's records by name: the words a user says of a name, any case, so
that "nadia" or "Petrov" finds Nadia Petrov's records. Standard library only, like the environments that import it."""

from __future__ import annotations


def owned_by(records: dict[str, dict], owner_field: str, name: str) -> list[tuple[str, dict]]:
    """(id, record) of every record whose `owner_field` has each word of `name`, by id; an empty name is refused,
    since it would list everyone's records."""
    words = name.lower().split()
    if not words:
        raise ValueError(f"{owner_field} is empty: give a name")
    return [
        (record_id, record)
        for record_id, record in sorted(records.items())
        if all(word in record[owner_field].lower().split() for word in words)
    ]
