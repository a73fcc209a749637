"""The one check every built-in environment's state loader makes of its objects: exactly these fields, of these
types, each problem named by its path in the state. Standard library only, like the environments that import it."""

from __future__ import annotations


def checked_fields(where: str, value: object, fields: dict[str, type]) -> dict:
    """`value` as an object with exactly these fields of these types (a bool is not an int here)."""
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected an object, got {type(value).__name__}")
    for key in value:
        if key not in fields:
            raise ValueError(f"{where}.{key}: unknown field; known: {', '.join(fields)}")
    for key, kind in fields.items():
        if key not in value:
            raise ValueError(f"{where}.{key}: missing")
        if not isinstance(value[key], kind) or (kind is int and isinstance(value[key], bool)):
            raise ValueError(f"{where}.{key}: expected {kind.__name__}, got {type(value[key]).__name__}")
    return value
