"""The training generator's own tools, in many domains, with where their free-text values come from.

The evaluation suites (`suites/*.json`) use other tools: none of these shares a name or a purpose with them, so
that a fine-tuned adapter is measured on tools it has never seen (tests check the names). No tool here does
weather, money conversion, messaging, calendars, reminders, flights, hotels, stocks, translation, timers,
restaurants, thermostats, orders, invoices, shipping, expenses, accounts, tasks or directions.

Values of enums, numbers, booleans, dates (`"format": "date"`) and times (`TIME_PATTERN`) are drawn from the schema
itself; a free-text string needs a `pools` entry: a word list, or a function for ids of a fixed shape. Pools are
keyed by parameter path: `address.city` for a field of an object, the array's own name for its items.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from harness.types import Tool

Schema = dict[str, Any]
Pool = tuple[str, ...] | Callable[[random.Random], str]

TIME_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9]$"
"""Pattern of a 24-hour `HH:MM` time: the generator recognises it to draw and phrase times."""


@dataclass(frozen=True)
class ToolSpec:
    """A tool with what the generator needs beyond its schema."""

    tool: Tool
    domain: str
    """Tools of one domain are the confusable distractors of each other."""
    pools: Mapping[str, Pool] = field(default_factory=dict)


def _string(description: str, **extra: Any) -> Schema:
    return {"type": "string", "description": description, **extra}


def _enum(description: str, *values: str | int) -> Schema:
    return {
        "type": "integer" if isinstance(values[0], int) else "string",
        "description": description,
        "enum": list(values),
    }


def _integer(description: str, minimum: int, maximum: int) -> Schema:
    return {"type": "integer", "description": description, "minimum": minimum, "maximum": maximum}


def _number(description: str, minimum: int, maximum: int) -> Schema:
    return {"type": "number", "description": description, "minimum": minimum, "maximum": maximum}


def _boolean(description: str) -> Schema:
    return {"type": "boolean", "description": description}


def _date(description: str) -> Schema:
    return _string(description, format="date")


def _time(description: str) -> Schema:
    return _string(description, pattern=TIME_PATTERN)


def _array(description: str, items: Schema, max_items: int = 3) -> Schema:
    unique = {"uniqueItems": True} if items["type"] == "string" else {}
    return {"type": "array", "description": description, "items": items, "minItems": 1, "maxItems": max_items, **unique}


def _object(description: str, properties: dict[str, Schema]) -> Schema:
    return {"type": "object", "description": description, "properties": properties, "required": list(properties)}


def _spec(
    name: str,
    domain: str,
    description: str,
    required: str,
    properties: dict[str, Schema],
    pools: Mapping[str, Pool] | None = None,
) -> ToolSpec:
    """One tool; `required` names the required parameters, separated by spaces."""
    parameters = {"type": "object", "properties": properties, "required": required.split()}
    return ToolSpec(Tool(name=name, description=description, parameters=parameters), domain, pools or {})


def _digits(prefix: str, count: int) -> Callable[[random.Random], str]:
    """Ids such as card endings or barcodes: a prefix and `count` random digits."""
    return lambda rng: prefix + "".join(rng.choice("0123456789") for _ in range(count))


def _course_code(rng: random.Random) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTUW") for _ in range(3)) + str(rng.randint(100, 499))


def _past_date(rng: random.Random) -> str:
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
_STREETS = ("Rua das Flores 12", "Maple Lane 48", "Calle Mayor 7", "Harbour Road 3", "Linden Allee 19", "Elm Court 5")

SPECS: tuple[ToolSpec, ...] = (
    # Home automation
    _spec("set_door_lock", "home", "Lock or unlock one of the home's smart door locks.", "door locked", {
        "door": _enum("Which door.", "front", "back", "garage", "patio"),
        "locked": _boolean("True to lock, false to unlock."),
        "auto_relock_minutes": _integer("Lock again automatically after this many minutes.", 1, 60),
    }),
    _spec("start_robot_vacuum", "home", "Start the robot vacuum on a cleaning run through the given rooms.", "rooms", {
        "rooms": _array("Rooms to clean, in order.", _enum("Room.", *ROOMS)),
        "suction": _enum("Suction power.", "quiet", "standard", "max"),
        "mop": _boolean("Whether to mop after vacuuming."),
    }),
    _spec("set_window_blinds", "home", "Move the motorised blinds of one room to a position.", "room open_percent", {
        "room": _enum("Room whose blinds move.", *ROOMS),
        "open_percent": _integer("How far open: 0 is closed, 100 fully open.", 0, 100),
        "tilt_degrees": _integer("Angle of the slats.", 0, 90),
    }),
    _spec("schedule_sprinklers", "home", "Schedule a watering run of the garden sprinklers.", "zone date start_time duration_minutes", {
        "zone": _enum("Garden zone to water.", "front_lawn", "back_lawn", "vegetable_bed", "flower_border"),
        "date": _date("Day of the (first) run."),
        "start_time": _time("Local start time, 24-hour HH:MM."),
        "duration_minutes": _integer("How long to water.", 5, 90),
        "repeat": _enum("How often to repeat the run.", "daily", "every_other_day", "weekly"),
    }),
    _spec("get_energy_usage", "home", "Get the household's electricity consumption between two dates.", "start_date end_date", {
        "start_date": _date("First day of the period."),
        "end_date": _date("Last day of the period."),
        "compare_previous_period": _boolean("Also show the period of the same length before."),
        "show_cost": _boolean("Include the cost, not just kWh."),
    }),
    # Fitness
    _spec("log_workout", "fitness", "Record a completed workout in the user's training log.", "activity duration_minutes date", {
        "activity": _enum("Kind of workout.", "running", "cycling", "swimming", "rowing", "hiking", "yoga"),
        "duration_minutes": _integer("Length of the workout.", 5, 300),
        "date": _date("Day of the workout."),
        "distance_km": _number("Distance covered in kilometres.", 1, 60),
        "perceived_effort": _integer("How hard it felt, from 1 to 10.", 1, 10),
    }),
    _spec("log_body_weight", "fitness", "Record a body weight measurement.", "weight_kg date", {
        "weight_kg": _number("Body weight in kilograms.", 40, 130),
        "date": _date("Day of the measurement."),
        "body_fat_percent": _number("Body fat percentage, if measured.", 3, 60),
    }),
    _spec("create_training_plan", "fitness", "Create a running training plan towards a race.", "goal weeks runs_per_week", {
        "goal": _enum("Race distance to train for.", "5k", "10k", "half_marathon", "marathon"),
        "weeks": _integer("Length of the plan in weeks.", 4, 24),
        "runs_per_week": _integer("Runs per week.", 2, 6),
        "start_date": _date("First day of the plan."),
        "include_strength": _boolean("Add strength sessions."),
    }),
    # Travel
    _spec("check_visa_requirements", "travel", "Look up whether a visa is needed to enter a country.", "passport_country destination_country purpose", {
        "passport_country": _string("Country that issued the passport."),
        "destination_country": _string("Country to enter."),
        "purpose": _enum("Purpose of the trip.", "tourism", "business", "study", "transit"),
        "stay_days": _integer("Length of the stay in days.", 1, 365),
    }, {"passport_country": COUNTRIES, "destination_country": COUNTRIES}),
    _spec("get_travel_insurance_quote", "travel", "Get a price quote for travel insurance covering a trip.", "region start_date end_date travellers", {
        "region": _enum("Where the trip goes.", "europe", "asia", "north_america", "south_america", "africa", "oceania", "worldwide"),
        "start_date": _date("First day of cover."),
        "end_date": _date("Last day of cover."),
        "travellers": _integer("Number of people insured.", 1, 8),
        "winter_sports": _boolean("Cover skiing and snowboarding."),
    }),
    _spec("create_packing_list", "travel", "Create a packing checklist for a trip.", "trip_name items", {
        "trip_name": _string("Name of the list."),
        "items": _array("Things to pack.", {"type": "string"}),
        "days": _integer("Length of the trip in days.", 1, 30),
    }, {"trip_name": ("Lisbon weekend", "Alps hike", "Summer camping", "Seoul conference", "Beach week"),
        "items": ("passport", "phone charger", "sunscreen", "rain jacket", "hiking boots", "swimsuit", "adapter plug", "first aid kit")}),
    # Maps
    _spec("find_ev_charging_stations", "maps", "Find electric vehicle charging stations near a place.", "near connector", {
        "near": _string("Town or landmark to search around."),
        "connector": _enum("Plug type of the car.", "ccs", "chademo", "type2", "nacs"),
        "min_power_kw": _integer("Minimum charging power in kW.", 7, 350),
        "max_results": _integer("Most stations to return.", 1, 20),
    }, {"near": CITIES}),
    _spec("search_nearby_places", "maps", "Search for places of one category around a location.", "category location", {
        "category": _enum("Kind of place.", "pharmacy", "supermarket", "atm", "park", "hospital", "bakery", "gym", "post_office"),
        "location": _string("Town or neighbourhood to search in."),
        "radius_km": _number("Search radius in kilometres.", 1, 25),
        "open_now": _boolean("Only places open at the moment."),
    }, {"location": CITIES}),
    _spec("get_elevation", "maps", "Get the ground elevation above sea level at a coordinate.", "latitude longitude", {
        "latitude": _number("Latitude in decimal degrees.", -90, 90),
        "longitude": _number("Longitude in decimal degrees.", -180, 180),
        "unit": _enum("Unit of the answer.", "meters", "feet"),
    }),
    _spec("save_favorite_place", "maps", "Save an address to the user's favourite places on the map.", "label address", {
        "label": _string("Name shown on the map."),
        "address": _object("The address.", {"street": _string("Street and number."), "postal_code": _string("Postal code."), "city": _string("City.")}),
        "icon": _enum("Map icon.", "home", "work", "heart", "star", "food"),
    }, {"label": ("Home", "Work", "Gym", "Grandma's", "Climbing hall", "Studio"), "address.street": _STREETS,
        "address.postal_code": _digits("", 5), "address.city": CITIES}),
    # Banking
    _spec("get_account_balance", "banking", "Get the current balance of one of the user's bank accounts.", "account", {
        "account": _enum("Which account.", *ACCOUNTS),
        "include_pending": _boolean("Count transactions that have not cleared yet."),
    }),
    _spec("freeze_card", "banking", "Freeze a payment card so that no new payments go through.", "card_last_four reason", {
        "card_last_four": _string("Last four digits of the card number.", pattern="^[0-9]{4}$"),
        "reason": _enum("Why the card is frozen.", "lost", "stolen", "suspicious_activity", "damaged"),
        "order_replacement": _boolean("Send a new card."),
    }, {"card_last_four": _digits("", 4)}),
    _spec("list_transactions", "banking", "List the transactions of a bank account between two dates.", "account start_date end_date", {
        "account": _enum("Which account.", *ACCOUNTS),
        "start_date": _date("First day."),
        "end_date": _date("Last day."),
        "min_amount": _number("Only transactions of at least this amount.", 1, 1000),
        "category": _enum("Spending category.", "groceries", "dining", "transport", "utilities", "entertainment", "travel"),
    }),
    _spec("set_savings_goal", "banking", "Create a savings goal with a target amount and a deadline.", "name target_amount deadline", {
        "name": _string("Name of the goal."),
        "target_amount": _number("Amount to save.", 100, 20000),
        "deadline": _date("Day the amount should be reached."),
        "monthly_contribution": _number("Amount set aside each month.", 10, 2000),
    }, {"name": ("New bike", "Emergency fund", "Trip to Peru", "Wedding", "Laptop", "Sofa")}),
    # Library
    _spec("search_library_catalog", "library", "Search the public library's catalogue by title, author or topic.", "query", {
        "query": _string("Title, author or topic."),
        "format": _enum("Medium.", "book", "ebook", "audiobook", "dvd"),
        "available_only": _boolean("Only items that can be borrowed now."),
    }, {"query": ("Ursula K. Le Guin", "beekeeping", "The Name of the Wind", "Roman history", "Toni Morrison", "watercolour painting", "Agatha Christie")}),
    _spec("renew_library_loan", "library", "Extend the loan of a borrowed library item.", "item_barcode", {
        "item_barcode": _string("Barcode on the item.", pattern="^[0-9]{8}$"),
        "weeks": _integer("Extension in weeks.", 2, 4),
    }, {"item_barcode": _digits("3", 7)}),
    _spec("place_book_hold", "library", "Reserve a title for pickup at a library branch.", "title branch", {
        "title": _string("Title of the book."),
        "branch": _enum("Pickup branch.", "central", "riverside", "northgate", "harbour"),
        "notify_by": _enum("How to tell the user it is ready.", "app", "phone", "letter"),
    }, {"title": ("Piranesi", "The Overstory", "Educated", "Klara and the Sun", "A Gentleman in Moscow", "Lessons in Chemistry")}),
    # HR
    _spec("request_time_off", "hr", "Submit a leave request for a range of days.", "leave_type start_date end_date", {
        "leave_type": _enum("Kind of leave.", "vacation", "sick", "parental", "unpaid", "bereavement"),
        "start_date": _date("First day off."),
        "end_date": _date("Last day off."),
        "comment": _string("Note for the approver."),
    }, {"comment": ("Back on Monday", "Handover done with Lukas", "Doctor's note to follow", "Reachable by phone")}),
    _spec("find_colleague", "hr", "Look up a colleague in the company directory.", "name", {
        "name": _string("Full name."),
        "department": _enum("Department to search in.", "engineering", "sales", "finance", "legal", "marketing", "support"),
        "office": _string("Office city."),
    }, {"name": PEOPLE, "office": CITIES}),
    _spec("submit_timesheet", "hr", "Submit the hours worked on each project in one week.", "week_start entries", {
        "week_start": _date("Monday of the week."),
        "entries": _array("Hours per project.", _object("One project's hours.", {"project": _string("Project name."), "hours": _number("Hours worked.", 1, 40)})),
        "submit_for_approval": _boolean("Send it to the manager now rather than saving a draft."),
    }, {"entries.project": ("Atlas", "Billing revamp", "Mobile app", "Data warehouse", "Onboarding", "Helios")}),
    _spec("reserve_desk", "hr", "Book a shared desk in one of the company's offices for a day.", "office date", {
        "office": _string("Office city."),
        "date": _date("Day of the booking."),
        "floor": _integer("Preferred floor.", 1, 12),
        "near_window": _boolean("A desk by a window."),
    }, {"office": CITIES}),
    # Shopping
    _spec("add_to_shopping_list", "shopping", "Add items to one of the user's shopping lists.", "items", {
        "items": _array("Items with quantities.", _object("One item.", {"name": _string("What to buy."), "quantity": _integer("How many.", 1, 24)}), 4),
        "list": _enum("Which list.", "groceries", "hardware", "pharmacy", "party"),
    }, {"items.name": ("lemons", "eggs", "oat milk", "batteries", "light bulbs", "paper towels", "tomatoes", "rice", "balloons")}),
    _spec("set_price_alert", "shopping", "Notify the user when a product's price drops below a target.", "product target_price", {
        "product": _string("Product name."),
        "target_price": _number("Price to wait for.", 5, 2000),
        "expires_on": _date("Stop watching after this day."),
    }, {"product": PRODUCTS}),
    _spec("check_store_stock", "shopping", "Check whether stores in a city have a product in stock.", "product city", {
        "product": _string("Product name."),
        "city": _string("City to check."),
        "max_distance_km": _integer("Only stores this close to the centre.", 1, 50),
    }, {"product": PRODUCTS, "city": CITIES}),
    # Music
    _spec("create_playlist", "music", "Create a playlist from one or more genres.", "name genres", {
        "name": _string("Playlist name."),
        "genres": _array("Genres to mix.", _enum("Genre.", "jazz", "lofi", "rock", "classical", "hip_hop", "folk", "electronic", "reggae")),
        "duration_minutes": _integer("Approximate total length.", 10, 300),
        "public": _boolean("Visible to other users."),
    }, {"name": ("Sunday cleaning", "Deep focus", "Road trip", "Dinner party", "Morning run", "Rainy day")}),
    _spec("find_concerts", "music", "Find upcoming concerts of an artist.", "artist", {
        "artist": _string("Artist or band."),
        "city": _string("Only concerts in this city."),
        "before_date": _date("Only concerts before this day."),
        "max_price": _number("Highest ticket price.", 10, 500),
    }, {"artist": ("Khruangbin", "Norah Jones", "Yo-Yo Ma", "Burna Boy", "Phoebe Bridgers", "Tame Impala", "Rosalía"), "city": CITIES}),
    _spec("get_chord_chart", "music", "Get the chord chart of a song for an instrument.", "song instrument", {
        "song": _string("Song title."),
        "instrument": _enum("Instrument.", "guitar", "ukulele", "piano"),
        "capo": _integer("Capo fret, 0 for none.", 0, 7),
        "simplified": _boolean("Easier chord shapes."),
    }, {"song": ("Wonderwall", "Let It Be", "Hallelujah", "Riptide", "Jolene", "Stand by Me", "Creep")}),
    # Recipes
    _spec("scale_recipe", "recipes", "Rescale a saved recipe's ingredient amounts to a new number of servings.", "recipe from_servings to_servings", {
        "recipe": _string("Name of the saved recipe."),
        "from_servings": _integer("Servings the recipe makes now.", 1, 12),
        "to_servings": _integer("Servings wanted.", 1, 40),
    }, {"recipe": ("grandma's lasagne", "banana bread", "chicken tikka masala", "lentil soup", "apple crumble", "shakshuka")}),
    _spec("plan_weekly_meals", "recipes", "Generate a week of dinners for a household.", "diet people week_start", {
        "diet": _enum("Diet to follow.", "omnivore", "vegetarian", "vegan", "pescatarian", "low_carb"),
        "people": _integer("Household size.", 1, 8),
        "week_start": _date("First day of the plan."),
        "avoid_ingredients": _array("Ingredients to leave out.", {"type": "string"}),
        "max_cooking_minutes": _integer("Longest cooking time per meal.", 10, 120),
    }, {"avoid_ingredients": ("mushrooms", "peanuts", "coriander", "olives", "shellfish", "aubergine")}),
    _spec("find_ingredient_substitute", "recipes", "Suggest substitutes for a cooking ingredient.", "ingredient reason", {
        "ingredient": _string("Ingredient to replace."),
        "reason": _enum("Why it needs replacing.", "allergy", "vegan", "out_of_stock", "healthier"),
    }, {"ingredient": ("buttermilk", "eggs", "heavy cream", "fish sauce", "cornstarch", "brown sugar", "tahini")}),
    # IT operations
    _spec("restart_service", "it_ops", "Restart a service in one deployment environment.", "service environment", {
        "service": _string("Service name."),
        "environment": _enum("Environment.", *ENVIRONMENTS),
        "graceful": _boolean("Drain connections before stopping."),
        "delay_seconds": _integer("Wait this long before restarting.", 0, 600),
    }, {"service": SERVICES}),
    _spec("scale_deployment", "it_ops", "Set the number of running replicas of a deployment.", "deployment environment replicas", {
        "deployment": _string("Deployment name."),
        "environment": _enum("Environment.", *ENVIRONMENTS),
        "replicas": _integer("Replica count.", 0, 50),
    }, {"deployment": SERVICES}),
    _spec("query_logs", "it_ops", "Search the recent log lines of a service.", "service min_level", {
        "service": _string("Service name."),
        "min_level": _enum("Lowest log level shown.", "debug", "info", "warning", "error", "critical"),
        "since_minutes": _integer("How far back to look, in minutes.", 5, 1440),
        "contains": _string("Text the line must contain."),
        "limit": _integer("Most lines to return.", 10, 500),
    }, {"service": SERVICES, "contains": ("timeout", "connection refused", "OutOfMemory", "status=503", "deadlock")}),
    _spec("open_incident", "it_ops", "Open an incident for an ongoing production problem.", "title severity affected_services", {
        "title": _string("Short summary."),
        "severity": _enum("Severity, sev1 being the worst.", "sev1", "sev2", "sev3", "sev4"),
        "affected_services": _array("Services affected.", {"type": "string"}),
        "page_oncall": _boolean("Page the on-call engineer."),
    }, {"title": ("Checkout latency above 2s", "Login failures in EU", "Search results empty", "Queue backlog growing"), "affected_services": SERVICES}),
    _spec("lookup_dns_records", "it_ops", "Look up the DNS records of a domain.", "domain record_type", {
        "domain": _string("Domain name."),
        "record_type": _enum("Record type.", "A", "AAAA", "MX", "TXT", "CNAME", "NS"),
        "resolver": _string("DNS resolver to ask."),
    }, {"domain": ("example.org", "status.acme.io", "docs.northwind.dev", "shop.fabrikam.net"), "resolver": ("1.1.1.1", "8.8.8.8", "9.9.9.9")}),
    _spec("generate_password", "it_ops", "Generate random passwords.", "length include_symbols", {
        "length": _integer("Characters per password.", 8, 64),
        "include_symbols": _boolean("Use symbols such as # and %."),
        "avoid_ambiguous": _boolean("Leave out look-alike characters such as 0 and O."),
        "count": _integer("How many passwords.", 1, 10),
    }),
    # School
    _spec("get_student_grades", "school", "Get a student's grades for one term.", "student_id term year", {
        "student_id": _string("Student number.", pattern="^S[0-9]{6}$"),
        "term": _enum("Term.", "autumn", "spring", "summer"),
        "year": _integer("Calendar year of the term.", 2020, 2028),
        "subject": _enum("Only this subject.", "math", "biology", "history", "english", "chemistry", "art"),
    }, {"student_id": _digits("S", 6)}),
    _spec("register_for_course", "school", "Register the student for a course in a semester.", "course_code semester", {
        "course_code": _string("Course code, three letters and three digits.", pattern="^[A-Z]{3}[0-9]{3}$"),
        "semester": _enum("Semester.", "fall_2026", "spring_2027", "fall_2027"),
        "audit": _boolean("Attend without credit."),
        "section": _integer("Section number.", 1, 5),
    }, {"course_code": _course_code}),
    _spec("report_student_absence", "school", "Report that a pupil will be absent from school.", "student_name date reason", {
        "student_name": _string("Pupil's full name."),
        "date": _date("Day of the absence."),
        "reason": _enum("Reason.", "illness", "medical_appointment", "family_event", "other"),
        "note": _string("Note for the teacher."),
    }, {"student_name": ("Lily Okafor", "Ben Weber", "Noor Haddad", "Mateo Silva", "Aiko Mori"), "note": ("Homework will be handed in on Friday", "Picked up at noon", "Please send the worksheets home")}),
    # Healthcare appointments
    _spec("find_doctor", "health", "Find doctors of a specialty in a city.", "specialty city", {
        "specialty": _enum("Medical specialty.", "dermatology", "cardiology", "pediatrics", "orthopedics", "general_practice", "ophthalmology"),
        "city": _string("City."),
        "accepts_new_patients": _boolean("Only doctors taking new patients."),
        "language": _enum("Language the doctor speaks.", "english", "spanish", "french", "german", "mandarin"),
    }, {"city": CITIES}),
    _spec("book_medical_appointment", "health", "Book an appointment slot with a doctor.", "doctor_id date time visit_type", {
        "doctor_id": _string("Doctor's id, as found by a search.", pattern="^DR-[0-9]{4}$"),
        "date": _date("Day of the appointment."),
        "time": _time("Local time, 24-hour HH:MM."),
        "visit_type": _enum("In the practice or by video.", "in_person", "video"),
        "reason": _string("Reason for the visit."),
    }, {"doctor_id": _digits("DR-", 4), "reason": ("annual check-up", "knee pain", "skin rash", "follow-up on blood test")}),
    _spec("request_prescription_refill", "health", "Ask for a prescription refill to be sent to a pharmacy.", "medication supply_days", {
        "medication": _string("Medication and strength."),
        "supply_days": _enum("Days of supply.", 30, 60, 90),
        "pharmacy": _string("Pharmacy to send it to."),
    }, {"medication": ("lisinopril 10 mg", "levothyroxine 50 mcg", "atorvastatin 20 mg", "metformin 500 mg", "cetirizine 10 mg"),
        "pharmacy": ("Main Street Pharmacy", "Harbour Chemist", "CityCare Pharmacy")}),
    _spec("register_pet", "health", "Add a pet to the vet clinic's patient records.", "name species birth_date", {
        "name": _string("Pet's name."),
        "species": _enum("Species.", "dog", "cat", "rabbit", "parrot", "guinea_pig"),
        "birth_date": _date("Date of birth."),
        "weight_kg": _number("Weight in kilograms.", 1, 60),
        "neutered": _boolean("Whether the pet is neutered."),
    }, {"name": ("Biscuit", "Luna", "Pepper", "Mochi", "Rocco", "Juniper"), "birth_date": _past_date}),
    # Everyday
    _spec("log_car_refuel", "everyday", "Record a refuelling in the car's fuel log.", "liters price_per_liter odometer_km", {
        "liters": _number("Fuel added in litres.", 5, 90),
        "price_per_liter": _number("Price paid per litre.", 1, 3),
        "odometer_km": _integer("Odometer reading in km.", 1000, 300000),
        "full_tank": _boolean("Whether the tank was filled up."),
    }),
    _spec("calculate_tip", "everyday", "Work out the tip on a bill and each person's share.", "bill_amount tip_percent", {
        "bill_amount": _number("Total of the bill.", 5, 1000),
        "tip_percent": _integer("Tip in percent.", 5, 30),
        "split_between": _integer("Number of people sharing the bill.", 2, 20),
        "round_up": _boolean("Round each share up to a whole amount."),
    }),
    _spec("roll_dice", "everyday", "Roll dice and return the results.", "count sides", {
        "count": _integer("Number of dice.", 1, 10),
        "sides": _enum("Sides per die.", 4, 6, 8, 10, 12, 20),
        "modifier": _integer("Added to the total.", -5, 10),
    }),
    _spec("get_league_standings", "everyday", "Get the standings table of a sports league.", "league", {
        "league": _enum("League.", "premier_league", "la_liga", "bundesliga", "serie_a", "nba", "nhl"),
        "season": _string("Season, such as 2025/26.", pattern="^[0-9]{4}/[0-9]{2}$"),
        "top_n": _integer("Only the first n teams.", 1, 20),
    }, {"season": ("2023/24", "2024/25", "2025/26")}),
    _spec("get_planting_advice", "everyday", "Get advice on when and how to plant something in a climate zone.", "plant hardiness_zone", {
        "plant": _string("What to plant."),
        "hardiness_zone": _integer("USDA hardiness zone.", 1, 13),
        "soil": _enum("Soil type.", "clay", "sandy", "loam", "chalk"),
    }, {"plant": ("tomatoes", "garlic", "sunflowers", "blueberries", "potatoes", "basil")}),
    _spec("search_rental_listings", "everyday", "Search flats and houses for rent in a city.", "city max_monthly_rent", {
        "city": _string("City."),
        "max_monthly_rent": _number("Highest monthly rent.", 300, 6000),
        "min_bedrooms": _integer("Fewest bedrooms.", 1, 5),
        "pets_allowed": _boolean("Pets must be allowed."),
        "furnished": _boolean("Furnished or not."),
    }, {"city": CITIES}),
    _spec("pay_parking", "everyday", "Start a paid parking session for a car in a parking zone.", "zone_code license_plate duration_minutes", {
        "zone_code": _string("Four-digit zone number on the parking sign.", pattern="^[0-9]{4}$"),
        "license_plate": _string("Number plate of the car."),
        "duration_minutes": _integer("Parking time.", 15, 480),
    }, {"zone_code": _digits("", 4), "license_plate": ("KA-482-TT", "B MX 2207", "7ABC123", "LD71 XKE", "GE 55 913")}),
)  # fmt: skip
