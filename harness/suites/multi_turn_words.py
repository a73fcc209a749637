"""The words the built-in multi-turn episodes are written with: people, addresses, products, event titles and
slots, and how a user says a date or a time. Chosen so that a name, a product or a slot found by one word is
one record (see each constant); every template module draws from these."""

from __future__ import annotations

import datetime
import random

NAMES = (
    "Maria Lopez", "James Carter", "Aiko Tanaka", "Omar Haddad", "Priya Nair", "Lukas Becker", "Chloe Martin",
    "Tomasz Nowak", "Grace Okafor", "Diego Ramos", "Hannah Weiss", "Samuel Reed", "Elena Petrova", "Kwame Mensah",
    "Sofia Rossi", "Noah Fischer",
)  # fmt: skip
"""First and last names are each unique, so a person found by either name is one person."""
ADDRESSES = (
    "12 Elm Street, Springfield", "48 Harbour Road, Bristol", "7 Rue des Lilas, Lyon", "301 Pine Avenue, Denver",
    "22 Kingsway, Leeds", "9 Birch Lane, Portland", "150 Queen Street, Toronto", "5 Via Roma, Turin",
    "88 Maple Drive, Austin", "14 Oak Terrace, Dublin",
)  # fmt: skip
PRODUCTS = (
    ("Yoga Mat", "fitness"), ("Water Bottle", "outdoor"), ("Desk Lamp", "home office"), ("Coffee Grinder", "kitchen"),
    ("Rain Jacket", "clothing"), ("Wireless Mouse", "electronics"), ("Cast Iron Pan", "cookware"),
    ("Hiking Backpack", "travel"), ("Notebook", "stationery"), ("Bluetooth Speaker", "audio"),
    ("Tea Kettle", "appliances"), ("Running Shoes", "sports"),
)  # fmt: skip
"""No word repeats across names and categories, so the product's name finds it alone."""
TITLES = (
    "Team standup", "Dentist appointment", "Budget review", "Lunch with Alex", "Project kickoff", "Yoga class",
    "Client call", "Design review", "Parent-teacher meeting", "Haircut", "Quarterly planning", "Book club",
)  # fmt: skip
SLOTS = ("08:00", "09:30", "11:00", "13:00", "14:30", "16:00")
"""Start times 90 minutes apart: events of up to an hour starting at any two of them never overlap."""
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip


def said_date(rng: random.Random, day: datetime.date) -> str:
    """A date as a user says it: ISO or written out, drawn."""
    return rng.choice([day.isoformat(), f"{MONTHS[day.month - 1]} {day.day}, {day.year}"])


def said_time(rng: random.Random, start: str) -> str:
    """A time as a user says it: 24-hour or with am/pm, drawn."""
    hours, minutes = (int(part) for part in start.split(":"))
    twelve = f"{(hours - 1) % 12 + 1}:{minutes:02d} {'pm' if hours >= 12 else 'am'}"
    return rng.choice([start, twelve])
