"""The built-in multi-turn suite (`suites/conversations/multi_turn.json`): episodes over the calendar, shop and bank
environments, written from templates over seeded states.

A template says what the user asks and which calls a right answer makes; the calls run on live environments as
they are written, so a later call carries the id or balance an earlier one returned, a call meant to fail is
known to fail and every other call to succeed. Each episode draws from its own `random.Random`, seeded by the
suite seed and its id, so that changing one template changes no other episode.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.suites.episode_script import Script
from harness.suites.gold import GoldEpisode, Shape
from harness.suites.multi_turn_calendar import (
    calendar_ask,
    calendar_cancel,
    calendar_conflict,
    calendar_invite,
    calendar_move,
)
from harness.suites.multi_turn_tools import TOOLS
from harness.suites.multi_turn_words import ADDRESSES, NAMES, PRODUCTS
from harness.types import EnvironmentState, Suite, TurnKind

SEED = 2404
EPISODES_PER_TEMPLATE = 10
"""Ten per template, 130 episodes: `must_beat_episodes` is an exact sign test on the episodes where two variants get
apart, and with 65 an adapter further on 4 or 5 of them and behind on none (fc-good against fc-undertrained, twice)
was still within chance: 6 of 6 is the fewest that passes at 0.05. Episodes 01-05 are the 65 of before (each draws
from its own seeded generator), so earlier measurements stay comparable on them."""

# --- bank -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _BankWorld:
    state: dict[str, Any]
    user: str
    checking: str
    savings: str
    payee: str
    payee_account: str


def _bank(rng: random.Random) -> _BankWorld:
    people = rng.sample(NAMES, 4)
    ids = [f"A-{n}" for n in rng.sample(range(1000, 10000), 5)]
    accounts = {
        ids[0]: {"owner": people[0], "type": "checking", "balance": rng.randrange(400, 2000, 10)},
        ids[1]: {"owner": people[0], "type": "savings", "balance": rng.randrange(2000, 9000, 50)},
        **{
            account: {"owner": person, "type": "checking", "balance": rng.randrange(100, 5000, 10)}
            for account, person in zip(ids[2:], people[1:], strict=True)
        },
    }
    first = rng.randrange(10, 90)
    transactions = [
        {"id": f"T-{first}", "from_account": ids[1], "to_account": ids[0], "amount": 250, "memo": "rent"},
        {"id": f"T-{first + 1}", "from_account": ids[3], "to_account": ids[0], "amount": 40, "memo": "dinner"},
    ]
    state = {"accounts": accounts, "transactions": transactions, "next_transaction": first + 2}
    return _BankWorld(state, people[0], ids[0], ids[1], people[1], ids[2])


def _balance(world: _BankWorld, account: str) -> int:
    balance: int = world.state["accounts"][account]["balance"]
    return balance


def bank_pay(episode_id: str, rng: random.Random) -> GoldEpisode:
    world = _bank(rng)
    amount = rng.randrange(20, min(_balance(world, world.checking), 400), 5)
    script = Script(episode_id, EnvironmentState(name="bank", state=world.state), TOOLS)
    script.user(TurnKind.ACT, rng.choice([
        f"Hi, I'm {world.user}. Please send ${amount} from my checking account to {world.payee}.",
        f"This is {world.user}. Can you pay {world.payee} {amount} dollars out of my checking account?",
    ]))  # fmt: skip
    script.call("find_account", owner=world.user)
    script.call("find_account", owner=world.payee)
    sent = script.call("transfer", from_account=world.checking, to_account=world.payee_account, amount=amount)
    script.reply(
        f"Done: ${amount} went to {world.payee} ({sent['transaction_id']}). "
        f"Your checking balance is now ${sent['from_balance']}."
    )
    script.user(TurnKind.ACT, rng.choice(["How much is in my savings account?", "And what's my savings balance?"]))
    savings = script.call("get_balance", account_id=world.savings)
    script.reply(f"Your savings account {world.savings} holds ${savings['balance']}.")
    script.user(TurnKind.REPLY, rng.choice(["Thanks, that's all for today!", "Perfect, thank you so much."]))
    script.reply("You're welcome, have a great day!")
    return script.done(Shape.CHAINED, Shape.SMALL_TALK)


def bank_ask(episode_id: str, rng: random.Random) -> GoldEpisode:
    world = _bank(rng)
    amount = rng.randrange(100, 1000, 50)
    script = Script(episode_id, EnvironmentState(name="bank", state=world.state), TOOLS)
    script.user(TurnKind.ASK, rng.choice([
        f"This is {world.user}. I want to move some money from my savings into my checking account.",
        f"Hi, {world.user} here. Could you top up my checking account from my savings?",
    ]))  # fmt: skip
    script.reply("Sure. How many dollars should I move from your savings to your checking account?")
    script.user(TurnKind.ACT, rng.choice([f"{amount} dollars, please.", f"Let's do ${amount}."]))
    script.call("find_account", owner=world.user)
    sent = script.call("transfer", from_account=world.savings, to_account=world.checking, amount=amount)
    script.reply(f"Moved ${amount} to your checking account ({sent['transaction_id']}).")
    script.user(TurnKind.ACT, rng.choice(["What's my checking balance now?", "How much do I have in checking now?"]))
    checking = script.call("get_balance", account_id=world.checking)
    script.reply(f"Your checking account now holds ${checking['balance']}.")
    return script.done(Shape.ASK_THEN_ACT, Shape.CHAINED)


def bank_overdraw(episode_id: str, rng: random.Random) -> GoldEpisode:
    world = _bank(rng)
    balance = _balance(world, world.checking)
    too_much = balance + rng.randrange(100, 900, 50)
    smaller = rng.randrange(10, balance // 2, 10)
    script = Script(episode_id, EnvironmentState(name="bank", state=world.state), TOOLS)
    script.user(TurnKind.ACT, rng.choice([
        f"I'm {world.user}. Transfer ${too_much} from my checking account to {world.payee}.",
        f"{world.user} here: please send {world.payee} {too_much} dollars from my checking.",
    ]))  # fmt: skip
    script.call("find_account", owner=world.user)
    script.call("find_account", owner=world.payee)
    script.fail("transfer", from_account=world.checking, to_account=world.payee_account, amount=too_much)
    script.reply(
        f"I couldn't send it: your checking account has ${balance} and the transfer needs ${too_much}. "
        "Nothing was sent."
    )
    script.user(TurnKind.ACT, rng.choice([f"Oh. Send ${smaller} instead then.", f"Okay, make it {smaller} dollars."]))
    sent = script.call("transfer", from_account=world.checking, to_account=world.payee_account, amount=smaller)
    script.reply(f"Sent ${smaller} to {world.payee}; your checking balance is now ${sent['from_balance']}.")
    script.user(TurnKind.REPLY, rng.choice(["Thanks for catching that.", "Great, appreciate it!"]))
    script.reply("Any time!")
    return script.done(Shape.TOOL_ERROR, Shape.CHAINED, Shape.SMALL_TALK)


def bank_history(episode_id: str, rng: random.Random) -> GoldEpisode:
    world = _bank(rng)
    script = Script(episode_id, EnvironmentState(name="bank", state=world.state), TOOLS, later=("list_transactions",))
    script.user(TurnKind.ACT, rng.choice([
        f"What's the balance of my savings account? I'm {world.user}.",
        f"Hello, this is {world.user}. How much money is in my savings?",
    ]))  # fmt: skip
    script.call("find_account", owner=world.user)
    savings = script.call("get_balance", account_id=world.savings)
    script.reply(f"Your savings account {world.savings} holds ${savings['balance']}.")
    script.user(
        TurnKind.REPLY, rng.choice(["Can you also order me a new debit card?", "Could you raise my credit limit?"])
    )
    script.reply("I'm sorry, I can't do that here: I can look up accounts and balances and move money.")
    script.user(
        TurnKind.ACT,
        rng.choice(["Show me the latest transactions on my checking account.", "What went in and out of my checking?"]),
        added=("list_transactions",),
    )
    history = script.call("list_transactions", account_id=world.checking)
    lines = "; ".join(f"{t['id']}: ${t['amount']} ({t['memo']})" for t in history["transactions"])
    script.reply(f"Your latest checking transactions: {lines}.")
    return script.done(Shape.LATER_TOOL, Shape.CHAINED, Shape.SMALL_TALK)


# --- shop -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ShopWorld:
    state: dict[str, Any]
    name: str
    product: str
    stock: int
    address: str


def _shop(rng: random.Random) -> _ShopWorld:
    chosen = rng.sample(PRODUCTS, 5)
    ids = [f"P-{n}" for n in rng.sample(range(10, 100), 5)]
    products = {
        product_id: {"name": name, "category": category, "price": rng.randrange(5, 150), "stock": rng.randrange(3, 12)}
        for product_id, (name, category) in zip(ids, chosen, strict=True)
    }
    state = {"products": products, "cart": {}, "orders": {}, "next_order": rng.randrange(1000, 2000)}
    return _ShopWorld(state, chosen[0][0], ids[0], products[ids[0]]["stock"], rng.choice(ADDRESSES))


def shop_order(episode_id: str, rng: random.Random) -> GoldEpisode:
    world = _shop(rng)
    quantity = rng.randrange(1, world.stock + 1)
    script = Script(episode_id, EnvironmentState(name="shop", state=world.state), TOOLS)
    script.user(TurnKind.ACT, rng.choice([
        f"Do you sell a {world.name.lower()}? Put {quantity} in my cart, please.",
        f"I'd like {quantity} of your {world.name.lower()}, add them to my cart.",
    ]))  # fmt: skip
    script.call("search_products", query=world.name.lower())
    added = script.call("add_to_cart", product_id=world.product, quantity=quantity)
    script.reply(f"Added {quantity} {world.name} to your cart; the total is ${added['cart_total']}.")
    script.user(TurnKind.ACT, rng.choice([
        f"Great, order it and ship to {world.address}.", f"Please place the order, delivered to {world.address}.",
    ]))  # fmt: skip
    order = script.call("place_order", shipping_address=world.address)
    script.reply(f"Your order {order['order_id']} is placed: ${order['total']}, shipping to {world.address}.")
    script.user(TurnKind.REPLY, rng.choice(["Thank you!", "Awesome, thanks for the help."]))
    script.reply("My pleasure, enjoy your purchase!")
    return script.done(Shape.CHAINED, Shape.SMALL_TALK)


def shop_checkout_ask(episode_id: str, rng: random.Random) -> GoldEpisode:
    world = _shop(rng)
    quantity = rng.randrange(1, world.stock + 1)
    script = Script(episode_id, EnvironmentState(name="shop", state=world.state), TOOLS)
    script.user(TurnKind.ACT, f"Add {quantity} {world.name.lower()} to my cart.")
    script.call("search_products", query=world.name.lower())
    script.call("add_to_cart", product_id=world.product, quantity=quantity)
    script.reply(f"Done, {quantity} {world.name} in your cart.")
    script.user(TurnKind.ASK, rng.choice(["Thanks. Please place the order now.", "Okay, check out for me."]))
    script.reply("Where should I ship the order?")
    script.user(TurnKind.ACT, rng.choice([f"Ship it to {world.address}.", f"To {world.address}, please."]))
    order = script.call("place_order", shipping_address=world.address)
    script.reply(f"Order {order['order_id']} is placed for ${order['total']}.")
    return script.done(Shape.ASK_THEN_ACT, Shape.CHAINED)


def shop_stock(episode_id: str, rng: random.Random) -> GoldEpisode:
    world = _shop(rng)
    too_many = world.stock + rng.randrange(2, 10)
    script = Script(episode_id, EnvironmentState(name="shop", state=world.state), TOOLS)
    script.user(TurnKind.ACT, rng.choice([
        f"I need {too_many} of the {world.name.lower()}. Add them to my cart.",
        f"Please put {too_many} {world.name.lower()} in my cart.",
    ]))  # fmt: skip
    script.call("search_products", query=world.name.lower())
    script.fail("add_to_cart", product_id=world.product, quantity=too_many)
    script.reply(f"I couldn't add {too_many}: only {world.stock} {world.name} are in stock. Nothing was added.")
    script.user(TurnKind.ACT, rng.choice([f"Then add all {world.stock} you have.", f"Fine, add {world.stock} then."]))
    script.call("add_to_cart", product_id=world.product, quantity=world.stock)
    script.reply(f"Added {world.stock} {world.name} to your cart.")
    script.user(TurnKind.ACT, rng.choice(["What's my cart total?", "How much is in my cart now?"]))
    cart = script.call("view_cart")
    script.reply(f"Your cart holds {world.stock} {world.name}, ${cart['total']} in total.")
    return script.done(Shape.TOOL_ERROR, Shape.CHAINED)


def shop_cancel(episode_id: str, rng: random.Random) -> GoldEpisode:
    world = _shop(rng)
    script = Script(episode_id, EnvironmentState(name="shop", state=world.state), TOOLS, later=("cancel_order",))
    script.user(TurnKind.ACT, f"Find me a {world.name.lower()} and add one to my cart.")
    script.call("search_products", query=world.name.lower())
    script.call("add_to_cart", product_id=world.product, quantity=1)
    script.reply(f"One {world.name} is in your cart.")
    script.user(TurnKind.ACT, f"Order it to {world.address}.")
    order = script.call("place_order", shipping_address=world.address)
    script.reply(f"Order {order['order_id']} is placed for ${order['total']}.")
    script.user(TurnKind.REPLY, rng.choice(["Do you deliver on weekends?", "Can I pay with gift cards?"]))
    script.reply("I'm afraid I can't tell from here; I can search products, manage your cart and place orders.")
    script.user(
        TurnKind.ACT,
        rng.choice(["Actually, I changed my mind. Please cancel that order.", "Hmm, cancel the order after all."]),
        added=("cancel_order",),
    )
    cancelled = script.call("cancel_order", order_id=order["order_id"])
    script.reply(f"Order {order['order_id']} is cancelled and ${cancelled['refunded']} refunded.")
    return script.done(Shape.LATER_TOOL, Shape.CHAINED, Shape.SMALL_TALK)


TEMPLATES: dict[str, Callable[[str, random.Random], GoldEpisode]] = {
    "bank-pay": bank_pay,
    "bank-ask": bank_ask,
    "bank-overdraw": bank_overdraw,
    "bank-history": bank_history,
    "shop-order": shop_order,
    "shop-checkout-ask": shop_checkout_ask,
    "shop-stock": shop_stock,
    "shop-cancel": shop_cancel,
    "calendar-move": calendar_move,
    "calendar-conflict": calendar_conflict,
    "calendar-ask": calendar_ask,
    "calendar-cancel": calendar_cancel,
    "calendar-invite": calendar_invite,
}
"""Episode ids are a template's key and a number; the key seeds nothing by itself (the id does)."""


def built_in_episodes(seed: int = SEED, per_template: int = EPISODES_PER_TEMPLATE) -> list[GoldEpisode]:
    """Every built-in episode with its shapes and closing texts, in a stable order."""
    episodes = []
    for key, template in TEMPLATES.items():
        for number in range(1, per_template + 1):
            episode_id = f"{key}-{number:02d}"
            episodes.append(template(episode_id, random.Random(f"{seed}:{episode_id}")))
    return episodes


def built_in_suite(seed: int = SEED) -> Suite:
    """The suite `suites/conversations/multi_turn.json` holds."""
    return Suite(
        name="multi_turn",
        description=(
            "Built-in conversations with executable tools over a calendar, a shop and a bank: chained calls, "
            "asking for a missing value before acting, passing on a tool error, small talk, and tools offered "
            "from a later turn."
        ),
        source=f"built-in: harness/suites/multi_turn_builtin.py, seed {seed}",
        distribution="out",
        tools=list(TOOLS),
        episodes=[gold.episode for gold in built_in_episodes(seed)],
    )
