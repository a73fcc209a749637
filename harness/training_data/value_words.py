"""The words and id shapes the generator's tools draw free-text values from: people, places, services and the
like, and functions for ids of a fixed shape. Apart from `tool_pool`, whose tool specs name them, because they are
vocabulary, not tools (the chain tools draw from them too)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta


def digits(prefix: str, count: int) -> Callable[[random.Random], str]:
    """Ids such as card endings or barcodes: a prefix and `count` random digits."""
    return lambda rng: prefix + "".join(rng.choice("0123456789") for _ in range(count))


def course_code(rng: random.Random) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTUW") for _ in range(3)) + str(rng.randint(100, 499))


def past_date(rng: random.Random) -> str:
    """Birth dates lie in the past, unlike the generator's default dates."""
    return (date(2010, 1, 1) + timedelta(days=rng.randint(0, 15 * 365))).isoformat()


PEOPLE = ("Amara Okafor", "Lukas Weber", "Mei Lin", "Diego Alvarez", "Sofia Rossi", "Kwame Mensah", "Ingrid Larsen")
PEOPLE += ("Ravi Sharma", "Elif Yilmaz", "Tomás Silva", "Hannah Becker", "Yuki Mori")
CITIES = ("Porto", "Kraków", "Nairobi", "Montreal", "Busan", "Valencia", "Edinburgh", "Wellington", "Tucson")
CITIES += ("Ljubljana", "Cape Town", "Hanoi", "Bologna", "Cork")
COUNTRIES = ("Canada", "Brazil", "Japan", "Kenya", "Germany", "India", "Australia", "Mexico", "Norway", "Vietnam")
COUNTRIES += ("Morocco", "Chile", "South Korea", "New Zealand")
SERVICES = ("payments-api", "auth-service", "search-indexer", "nginx-edge", "report-worker", "notification-hub")
PRODUCTS = ("Kindle Paperwhite", "Garmin Forerunner 265", "Instant Pot Duo", "Lego Botanical Bonsai", "Steam Deck")
PRODUCTS += ("Bose QuietComfort earbuds", "Dyson V15 vacuum", "Moka pot", "iPad Air")
ROOMS = ("kitchen", "living_room", "hallway", "bedroom", "bathroom", "office")
ACCOUNTS = ("checking", "savings", "credit_card", "joint")
ENVIRONMENTS = ("dev", "staging", "production")
STREETS = ("Rua das Flores 12", "Maple Lane 48", "Calle Mayor 7", "Harbour Road 3", "Linden Allee 19", "Elm Court 5")
