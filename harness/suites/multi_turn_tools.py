"""The tools of the built-in environments, as the suite declares them: one JSON Schema per public method of
`Calendar`, `Shop` and `Bank` (a test holds each schema to its method's signature). Descriptions are short, since
an episode's tools travel in every prompt and an episode must fit a 4096-token context. No `additionalProperties`,
as in every other suite of ours and in BFCL's tool docs: a model that never saw the keyword reads it as one more
parameter and passes it (fc-good called `search_products(query=..., additionalProperties=false)`); the method
refuses an argument it does not take either way."""

from __future__ import annotations

from typing import Any

from harness.types import Tool

_DATE = "A day as YYYY-MM-DD"
_TIME = "A 24-hour time as HH:MM"


def _tool(environment: str, name: str, description: str, required: dict[str, Any], optional: dict[str, Any]) -> Tool:
    return Tool(
        name=name,
        description=description,
        environment=environment,
        parameters={
            "type": "object",
            "properties": {**required, **optional},
            "required": list(required),
        },
    )


def _text(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description}


def _count(description: str) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "description": description}


TOOLS: tuple[Tool, ...] = (
    _tool("calendar", "find_events", "List the events of one day with their ids.", {"date": _text(_DATE)}, {}),
    _tool(
        "calendar",
        "create_event",
        "Add an event to the calendar; fails if it overlaps another.",
        {"title": _text("What the event is"), "date": _text(_DATE), "start": _text(_TIME)},
        {"duration_minutes": _count("Length in minutes (default 30)")},
    ),
    _tool(
        "calendar",
        "move_event",
        "Move an event to a new start time, keeping its length; fails if the new slot overlaps another event.",
        {"event_id": _text("Id of the event, from find_events"), "new_start": _text(_TIME)},
        {"new_date": _text(f"{_DATE}; the same day if left out")},
    ),
    _tool("calendar", "cancel_event", "Remove an event.", {"event_id": _text("Id of the event")}, {}),
    _tool(
        "calendar",
        "add_attendee",
        "Invite a person to an event.",
        {"event_id": _text("Id of the event"), "attendee": _text("Name of the person")},
        {},
    ),
    _tool(
        "shop",
        "search_products",
        "Find products by words of their name or category, with ids, prices and stock.",
        {"query": _text("Words to look for")},
        {},
    ),
    _tool(
        "shop",
        "add_to_cart",
        "Add a quantity of a product to the cart; fails beyond the stock.",
        {"product_id": _text("Id of the product, from search_products"), "quantity": _count("How many to add")},
        {},
    ),
    _tool("shop", "view_cart", "Show the cart and its total.", {}, {}),
    _tool(
        "shop",
        "place_order",
        "Order everything in the cart.",
        {"shipping_address": _text("Where to ship the order")},
        {},
    ),
    _tool("shop", "cancel_order", "Cancel a placed order and refund it.", {"order_id": _text("Id of the order")}, {}),
    _tool(
        "bank",
        "find_account",
        "Find the accounts of a person by name, with their ids and types.",
        {"owner": _text("The account owner's name")},
        {},
    ),
    _tool(
        "bank", "get_balance", "The balance of an account in dollars.", {"account_id": _text("Id of the account")}, {}
    ),
    _tool(
        "bank",
        "transfer",
        "Send whole dollars from one account to another; fails if the balance does not cover it.",
        {
            "from_account": _text("Id of the account to take the money from"),
            "to_account": _text("Id of the account to pay into"),
            "amount": _count("Whole dollars to send"),
        },
        {"memo": _text("A note for the transfer")},
    ),
    _tool(
        "bank",
        "list_transactions",
        "The last five transfers of an account, newest first.",
        {"account_id": _text("Id of the account")},
        {},
    ),
)
