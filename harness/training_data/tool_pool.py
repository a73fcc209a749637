"""The training generator's own tools, in many domains, with where their free-text values come from.

The out-of-distribution suites (`suites/*.json`, except the held-out one) use other tools: none of these shares a
name or a purpose with them, so that a fine-tuned adapter is measured on tools it has never seen (tests check the
names). A few of these, `HELDOUT_TOOLS`, are never offered in training: the held-out in-distribution suite
(`suites/heldout.json`) is made of them alone. No tool here does
weather, money conversion, messaging, calendars, reminders, flights, hotels, stocks, translation, timers,
restaurants, thermostats, orders, invoices, shipping, expenses, accounts, tasks or directions.

Values of enums, numbers, booleans, dates (`"format": "date"`) and times (`TIME_PATTERN`) are drawn from the schema
itself; a free-text string needs a `pools` entry: a word list, or a function for ids of a fixed shape. Pools are
keyed by parameter path: `address.city` for a field of an object, the array's own name for its items.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from harness.training_data.tool_specs import (
    ToolSpec,
    array_param,
    boolean_param,
    date_param,
    enum_param,
    integer_param,
    number_param,
    object_param,
    string_param,
    time_param,
    tool_spec,
)


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
    tool_spec("set_door_lock", "home", "Lock or unlock one of the home's smart door locks.", "door locked", {
        "door": enum_param("Which door.", "front", "back", "garage", "patio"),
        "locked": boolean_param("True to lock, false to unlock."),
        "auto_relock_minutes": integer_param("Lock again automatically after this many minutes.", 1, 60),
    }),
    tool_spec("start_robot_vacuum", "home", "Start the robot vacuum on a cleaning run through the given rooms.", "rooms", {
        "rooms": array_param("Rooms to clean, in order.", enum_param("Room.", *ROOMS)),
        "suction": enum_param("Suction power.", "quiet", "standard", "max"),
        "mop": boolean_param("Whether to mop after vacuuming."),
    }),
    tool_spec("set_window_blinds", "home", "Move the motorised blinds of one room to a position.", "room open_percent", {
        "room": enum_param("Room whose blinds move.", *ROOMS),
        "open_percent": integer_param("How far open: 0 is closed, 100 fully open.", 0, 100),
        "tilt_degrees": integer_param("Angle of the slats.", 0, 90),
    }),
    tool_spec("schedule_sprinklers", "home", "Schedule a watering run of the garden sprinklers.", "zone date start_time duration_minutes", {
        "zone": enum_param("Garden zone to water.", "front_lawn", "back_lawn", "vegetable_bed", "flower_border"),
        "date": date_param("Day of the (first) run."),
        "start_time": time_param("Local start time, 24-hour HH:MM."),
        "duration_minutes": integer_param("How long to water.", 5, 90),
        "repeat": enum_param("How often to repeat the run.", "daily", "every_other_day", "weekly"),
    }),
    tool_spec("get_energy_usage", "home", "Get the household's electricity consumption between two dates.", "start_date end_date", {
        "start_date": date_param("First day of the period."),
        "end_date": date_param("Last day of the period."),
        "compare_previous_period": boolean_param("Also show the period of the same length before."),
        "show_cost": boolean_param("Include the cost, not just kWh."),
    }),
    # Fitness
    tool_spec("log_workout", "fitness", "Record a completed workout in the user's training log.", "activity duration_minutes date", {
        "activity": enum_param("Kind of workout.", "running", "cycling", "swimming", "rowing", "hiking", "yoga"),
        "duration_minutes": integer_param("Length of the workout.", 5, 300),
        "date": date_param("Day of the workout."),
        "distance_km": number_param("Distance covered in kilometres.", 1, 60),
        "perceived_effort": integer_param("How hard it felt, from 1 to 10.", 1, 10),
    }),
    tool_spec("log_body_weight", "fitness", "Record a body weight measurement.", "weight_kg date", {
        "weight_kg": number_param("Body weight in kilograms.", 40, 130),
        "date": date_param("Day of the measurement."),
        "body_fat_percent": number_param("Body fat percentage, if measured.", 3, 60),
    }),
    tool_spec("create_training_plan", "fitness", "Create a running training plan towards a race.", "goal weeks runs_per_week", {
        "goal": enum_param("Race distance to train for.", "5k", "10k", "half_marathon", "marathon"),
        "weeks": integer_param("Length of the plan in weeks.", 4, 24),
        "runs_per_week": integer_param("Runs per week.", 2, 6),
        "start_date": date_param("First day of the plan."),
        "include_strength": boolean_param("Add strength sessions."),
    }),
    # Travel
    tool_spec("check_visa_requirements", "travel", "Look up whether a visa is needed to enter a country.", "passport_country destination_country purpose", {
        "passport_country": string_param("Country that issued the passport."),
        "destination_country": string_param("Country to enter."),
        "purpose": enum_param("Purpose of the trip.", "tourism", "business", "study", "transit"),
        "stay_days": integer_param("Length of the stay in days.", 1, 365),
    }, {"passport_country": COUNTRIES, "destination_country": COUNTRIES}),
    tool_spec("get_travel_insurance_quote", "travel", "Get a price quote for travel insurance covering a trip.", "region start_date end_date travellers", {
        "region": enum_param("Where the trip goes.", "europe", "asia", "north_america", "south_america", "africa", "oceania", "worldwide"),
        "start_date": date_param("First day of cover."),
        "end_date": date_param("Last day of cover."),
        "travellers": integer_param("Number of people insured.", 1, 8),
        "winter_sports": boolean_param("Cover skiing and snowboarding."),
    }),
    tool_spec("create_packing_list", "travel", "Create a packing checklist for a trip.", "trip_name items", {
        "trip_name": string_param("Name of the list."),
        "items": array_param("Things to pack.", {"type": "string"}),
        "days": integer_param("Length of the trip in days.", 1, 30),
    }, {"trip_name": ("Lisbon weekend", "Alps hike", "Summer camping", "Seoul conference", "Beach week"),
        "items": ("passport", "phone charger", "sunscreen", "rain jacket", "hiking boots", "swimsuit", "adapter plug", "first aid kit")}),
    # Maps
    tool_spec("find_ev_charging_stations", "maps", "Find electric vehicle charging stations near a place.", "near connector", {
        "near": string_param("Town or landmark to search around."),
        "connector": enum_param("Plug type of the car.", "ccs", "chademo", "type2", "nacs"),
        "min_power_kw": integer_param("Minimum charging power in kW.", 7, 350),
        "max_results": integer_param("Most stations to return.", 1, 20),
    }, {"near": CITIES}),
    tool_spec("search_nearby_places", "maps", "Search for places of one category around a location.", "category location", {
        "category": enum_param("Kind of place.", "pharmacy", "supermarket", "atm", "park", "hospital", "bakery", "gym", "post_office"),
        "location": string_param("Town or neighbourhood to search in."),
        "radius_km": number_param("Search radius in kilometres.", 1, 25),
        "open_now": boolean_param("Only places open at the moment."),
    }, {"location": CITIES}),
    tool_spec("get_elevation", "maps", "Get the ground elevation above sea level at a coordinate.", "latitude longitude", {
        "latitude": number_param("Latitude in decimal degrees.", -90, 90),
        "longitude": number_param("Longitude in decimal degrees.", -180, 180),
        "unit": enum_param("Unit of the answer.", "meters", "feet"),
    }),
    tool_spec("save_favorite_place", "maps", "Save an address to the user's favourite places on the map.", "label address", {
        "label": string_param("Name shown on the map."),
        "address": object_param("The address.", {"street": string_param("Street and number."), "postal_code": string_param("Postal code."), "city": string_param("City.")}),
        "icon": enum_param("Map icon.", "home", "work", "heart", "star", "food"),
    }, {"label": ("Home", "Work", "Gym", "Grandma's", "Climbing hall", "Studio"), "address.street": _STREETS,
        "address.postal_code": _digits("", 5), "address.city": CITIES}),
    # Banking
    tool_spec("get_account_balance", "banking", "Get the current balance of one of the user's bank accounts.", "account", {
        "account": enum_param("Which account.", *ACCOUNTS),
        "include_pending": boolean_param("Count transactions that have not cleared yet."),
    }),
    tool_spec("freeze_card", "banking", "Freeze a payment card so that no new payments go through.", "card_last_four reason", {
        "card_last_four": string_param("Last four digits of the card number.", pattern="^[0-9]{4}$"),
        "reason": enum_param("Why the card is frozen.", "lost", "stolen", "suspicious_activity", "damaged"),
        "order_replacement": boolean_param("Send a new card."),
    }, {"card_last_four": _digits("", 4)}),
    tool_spec("list_transactions", "banking", "List the transactions of a bank account between two dates.", "account start_date end_date", {
        "account": enum_param("Which account.", *ACCOUNTS),
        "start_date": date_param("First day."),
        "end_date": date_param("Last day."),
        "min_amount": number_param("Only transactions of at least this amount.", 1, 1000),
        "category": enum_param("Spending category.", "groceries", "dining", "transport", "utilities", "entertainment", "travel"),
    }),
    tool_spec("set_savings_goal", "banking", "Create a savings goal with a target amount and a deadline.", "name target_amount deadline", {
        "name": string_param("Name of the goal."),
        "target_amount": number_param("Amount to save.", 100, 20000),
        "deadline": date_param("Day the amount should be reached."),
        "monthly_contribution": number_param("Amount set aside each month.", 10, 2000),
    }, {"name": ("New bike", "Emergency fund", "Trip to Peru", "Wedding", "Laptop", "Sofa")}),
    # Library
    tool_spec("search_library_catalog", "library", "Search the public library's catalogue by title, author or topic.", "query", {
        "query": string_param("Title, author or topic."),
        "format": enum_param("Medium.", "book", "ebook", "audiobook", "dvd"),
        "available_only": boolean_param("Only items that can be borrowed now."),
    }, {"query": ("Ursula K. Le Guin", "beekeeping", "The Name of the Wind", "Roman history", "Toni Morrison", "watercolour painting", "Agatha Christie")}),
    tool_spec("renew_library_loan", "library", "Extend the loan of a borrowed library item.", "item_barcode", {
        "item_barcode": string_param("Barcode on the item.", pattern="^[0-9]{8}$"),
        "weeks": integer_param("Extension in weeks.", 2, 4),
    }, {"item_barcode": _digits("3", 7)}),
    tool_spec("place_book_hold", "library", "Reserve a title for pickup at a library branch.", "title branch", {
        "title": string_param("Title of the book."),
        "branch": enum_param("Pickup branch.", "central", "riverside", "northgate", "harbour"),
        "notify_by": enum_param("How to tell the user it is ready.", "app", "phone", "letter"),
    }, {"title": ("Piranesi", "The Overstory", "Educated", "Klara and the Sun", "A Gentleman in Moscow", "Lessons in Chemistry")}),
    # HR
    tool_spec("request_time_off", "hr", "Submit a leave request for a range of days.", "leave_type start_date end_date", {
        "leave_type": enum_param("Kind of leave.", "vacation", "sick", "parental", "unpaid", "bereavement"),
        "start_date": date_param("First day off."),
        "end_date": date_param("Last day off."),
        "comment": string_param("Note for the approver."),
    }, {"comment": ("Back on Monday", "Handover done with Lukas", "Doctor's note to follow", "Reachable by phone")}),
    tool_spec("find_colleague", "hr", "Look up a colleague in the company directory.", "name", {
        "name": string_param("Full name."),
        "department": enum_param("Department to search in.", "engineering", "sales", "finance", "legal", "marketing", "support"),
        "office": string_param("Office city."),
    }, {"name": PEOPLE, "office": CITIES}),
    tool_spec("submit_timesheet", "hr", "Submit the hours worked on each project in one week.", "week_start entries", {
        "week_start": date_param("Monday of the week."),
        "entries": array_param("Hours per project.", object_param("One project's hours.", {"project": string_param("Project name."), "hours": number_param("Hours worked.", 1, 40)})),
        "submit_for_approval": boolean_param("Send it to the manager now rather than saving a draft."),
    }, {"entries.project": ("Atlas", "Billing revamp", "Mobile app", "Data warehouse", "Onboarding", "Helios")}),
    tool_spec("reserve_desk", "hr", "Book a shared desk in one of the company's offices for a day.", "office date", {
        "office": string_param("Office city."),
        "date": date_param("Day of the booking."),
        "floor": integer_param("Preferred floor.", 1, 12),
        "near_window": boolean_param("A desk by a window."),
    }, {"office": CITIES}),
    # Shopping
    tool_spec("add_to_shopping_list", "shopping", "Add items to one of the user's shopping lists.", "items", {
        "items": array_param("Items with quantities.", object_param("One item.", {"name": string_param("What to buy."), "quantity": integer_param("How many.", 1, 24)}), 4),
        "list": enum_param("Which list.", "groceries", "hardware", "pharmacy", "party"),
    }, {"items.name": ("lemons", "eggs", "oat milk", "batteries", "light bulbs", "paper towels", "tomatoes", "rice", "balloons")}),
    tool_spec("set_price_alert", "shopping", "Notify the user when a product's price drops below a target.", "product target_price", {
        "product": string_param("Product name."),
        "target_price": number_param("Price to wait for.", 5, 2000),
        "expires_on": date_param("Stop watching after this day."),
    }, {"product": PRODUCTS}),
    tool_spec("check_store_stock", "shopping", "Check whether stores in a city have a product in stock.", "product city", {
        "product": string_param("Product name."),
        "city": string_param("City to check."),
        "max_distance_km": integer_param("Only stores this close to the centre.", 1, 50),
    }, {"product": PRODUCTS, "city": CITIES}),
    # Music
    tool_spec("create_playlist", "music", "Create a playlist from one or more genres.", "name genres", {
        "name": string_param("Playlist name."),
        "genres": array_param("Genres to mix.", enum_param("Genre.", "jazz", "lofi", "rock", "classical", "hip_hop", "folk", "electronic", "reggae")),
        "duration_minutes": integer_param("Approximate total length.", 10, 300),
        "public": boolean_param("Visible to other users."),
    }, {"name": ("Sunday cleaning", "Deep focus", "Road trip", "Dinner party", "Morning run", "Rainy day")}),
    tool_spec("find_concerts", "music", "Find upcoming concerts of an artist.", "artist", {
        "artist": string_param("Artist or band."),
        "city": string_param("Only concerts in this city."),
        "before_date": date_param("Only concerts before this day."),
        "max_price": number_param("Highest ticket price.", 10, 500),
    }, {"artist": ("Khruangbin", "Norah Jones", "Yo-Yo Ma", "Burna Boy", "Phoebe Bridgers", "Tame Impala", "Rosalía"), "city": CITIES}),
    tool_spec("get_chord_chart", "music", "Get the chord chart of a song for an instrument.", "song instrument", {
        "song": string_param("Song title."),
        "instrument": enum_param("Instrument.", "guitar", "ukulele", "piano"),
        "capo": integer_param("Capo fret, 0 for none.", 0, 7),
        "simplified": boolean_param("Easier chord shapes."),
    }, {"song": ("Wonderwall", "Let It Be", "Hallelujah", "Riptide", "Jolene", "Stand by Me", "Creep")}),
    # Recipes
    tool_spec("scale_recipe", "recipes", "Rescale a saved recipe's ingredient amounts to a new number of servings.", "recipe from_servings to_servings", {
        "recipe": string_param("Name of the saved recipe."),
        "from_servings": integer_param("Servings the recipe makes now.", 1, 12),
        "to_servings": integer_param("Servings wanted.", 1, 40),
    }, {"recipe": ("grandma's lasagne", "banana bread", "chicken tikka masala", "lentil soup", "apple crumble", "shakshuka")}),
    tool_spec("plan_weekly_meals", "recipes", "Generate a week of dinners for a household.", "diet people week_start", {
        "diet": enum_param("Diet to follow.", "omnivore", "vegetarian", "vegan", "pescatarian", "low_carb"),
        "people": integer_param("Household size.", 1, 8),
        "week_start": date_param("First day of the plan."),
        "avoid_ingredients": array_param("Ingredients to leave out.", {"type": "string"}),
        "max_cooking_minutes": integer_param("Longest cooking time per meal.", 10, 120),
    }, {"avoid_ingredients": ("mushrooms", "peanuts", "coriander", "olives", "shellfish", "aubergine")}),
    tool_spec("find_ingredient_substitute", "recipes", "Suggest substitutes for a cooking ingredient.", "ingredient reason", {
        "ingredient": string_param("Ingredient to replace."),
        "reason": enum_param("Why it needs replacing.", "allergy", "vegan", "out_of_stock", "healthier"),
    }, {"ingredient": ("buttermilk", "eggs", "heavy cream", "fish sauce", "cornstarch", "brown sugar", "tahini")}),
    # IT operations
    tool_spec("restart_service", "it_ops", "Restart a service in one deployment environment.", "service environment", {
        "service": string_param("Service name."),
        "environment": enum_param("Environment.", *ENVIRONMENTS),
        "graceful": boolean_param("Drain connections before stopping."),
        "delay_seconds": integer_param("Wait this long before restarting.", 0, 600),
    }, {"service": SERVICES}),
    tool_spec("scale_deployment", "it_ops", "Set the number of running replicas of a deployment.", "deployment environment replicas", {
        "deployment": string_param("Deployment name."),
        "environment": enum_param("Environment.", *ENVIRONMENTS),
        "replicas": integer_param("Replica count.", 0, 50),
    }, {"deployment": SERVICES}),
    tool_spec("query_logs", "it_ops", "Search the recent log lines of a service.", "service min_level", {
        "service": string_param("Service name."),
        "min_level": enum_param("Lowest log level shown.", "debug", "info", "warning", "error", "critical"),
        "since_minutes": integer_param("How far back to look, in minutes.", 5, 1440),
        "contains": string_param("Text the line must contain."),
        "limit": integer_param("Most lines to return.", 10, 500),
    }, {"service": SERVICES, "contains": ("timeout", "connection refused", "OutOfMemory", "status=503", "deadlock")}),
    tool_spec("open_incident", "it_ops", "Open an incident for an ongoing production problem.", "title severity affected_services", {
        "title": string_param("Short summary."),
        "severity": enum_param("Severity, sev1 being the worst.", "sev1", "sev2", "sev3", "sev4"),
        "affected_services": array_param("Services affected.", {"type": "string"}),
        "page_oncall": boolean_param("Page the on-call engineer."),
    }, {"title": ("Checkout latency above 2s", "Login failures in EU", "Search results empty", "Queue backlog growing"), "affected_services": SERVICES}),
    tool_spec("lookup_dns_records", "it_ops", "Look up the DNS records of a domain.", "domain record_type", {
        "domain": string_param("Domain name."),
        "record_type": enum_param("Record type.", "A", "AAAA", "MX", "TXT", "CNAME", "NS"),
        "resolver": string_param("DNS resolver to ask."),
    }, {"domain": ("example.org", "status.acme.io", "docs.northwind.dev", "shop.fabrikam.net"), "resolver": ("1.1.1.1", "8.8.8.8", "9.9.9.9")}),
    tool_spec("generate_password", "it_ops", "Generate random passwords.", "length include_symbols", {
        "length": integer_param("Characters per password.", 8, 64),
        "include_symbols": boolean_param("Use symbols such as # and %."),
        "avoid_ambiguous": boolean_param("Leave out look-alike characters such as 0 and O."),
        "count": integer_param("How many passwords.", 1, 10),
    }),
    # School
    tool_spec("get_student_grades", "school", "Get a student's grades for one term.", "student_id term year", {
        "student_id": string_param("Student number.", pattern="^S[0-9]{6}$"),
        "term": enum_param("Term.", "autumn", "spring", "summer"),
        "year": integer_param("Calendar year of the term.", 2020, 2028),
        "subject": enum_param("Only this subject.", "math", "biology", "history", "english", "chemistry", "art"),
    }, {"student_id": _digits("S", 6)}),
    tool_spec("register_for_course", "school", "Register the student for a course in a semester.", "course_code semester", {
        "course_code": string_param("Course code, three letters and three digits.", pattern="^[A-Z]{3}[0-9]{3}$"),
        "semester": enum_param("Semester.", "fall_2026", "spring_2027", "fall_2027"),
        "audit": boolean_param("Attend without credit."),
        "section": integer_param("Section number.", 1, 5),
    }, {"course_code": _course_code}),
    tool_spec("report_student_absence", "school", "Report that a pupil will be absent from school.", "student_name date reason", {
        "student_name": string_param("Pupil's full name."),
        "date": date_param("Day of the absence."),
        "reason": enum_param("Reason.", "illness", "medical_appointment", "family_event", "other"),
        "note": string_param("Note for the teacher."),
    }, {"student_name": ("Lily Okafor", "Ben Weber", "Noor Haddad", "Mateo Silva", "Aiko Mori"), "note": ("Homework will be handed in on Friday", "Picked up at noon", "Please send the worksheets home")}),
    # Healthcare appointments
    tool_spec("find_doctor", "health", "Find doctors of a specialty in a city.", "specialty city", {
        "specialty": enum_param("Medical specialty.", "dermatology", "cardiology", "pediatrics", "orthopedics", "general_practice", "ophthalmology"),
        "city": string_param("City."),
        "accepts_new_patients": boolean_param("Only doctors taking new patients."),
        "language": enum_param("Language the doctor speaks.", "english", "spanish", "french", "german", "mandarin"),
    }, {"city": CITIES}),
    tool_spec("book_medical_appointment", "health", "Book an appointment slot with a doctor.", "doctor_id date time visit_type", {
        "doctor_id": string_param("Doctor's id, as found by a search.", pattern="^DR-[0-9]{4}$"),
        "date": date_param("Day of the appointment."),
        "time": time_param("Local time, 24-hour HH:MM."),
        "visit_type": enum_param("In the practice or by video.", "in_person", "video"),
        "reason": string_param("Reason for the visit."),
    }, {"doctor_id": _digits("DR-", 4), "reason": ("annual check-up", "knee pain", "skin rash", "follow-up on blood test")}),
    tool_spec("request_prescription_refill", "health", "Ask for a prescription refill to be sent to a pharmacy.", "medication supply_days", {
        "medication": string_param("Medication and strength."),
        "supply_days": enum_param("Days of supply.", 30, 60, 90),
        "pharmacy": string_param("Pharmacy to send it to."),
    }, {"medication": ("lisinopril 10 mg", "levothyroxine 50 mcg", "atorvastatin 20 mg", "metformin 500 mg", "cetirizine 10 mg"),
        "pharmacy": ("Main Street Pharmacy", "Harbour Chemist", "CityCare Pharmacy")}),
    tool_spec("register_pet", "health", "Add a pet to the vet clinic's patient records.", "name species birth_date", {
        "name": string_param("Pet's name."),
        "species": enum_param("Species.", "dog", "cat", "rabbit", "parrot", "guinea_pig"),
        "birth_date": date_param("Date of birth."),
        "weight_kg": number_param("Weight in kilograms.", 1, 60),
        "neutered": boolean_param("Whether the pet is neutered."),
    }, {"name": ("Biscuit", "Luna", "Pepper", "Mochi", "Rocco", "Juniper"), "birth_date": _past_date}),
    # Everyday
    tool_spec("log_car_refuel", "everyday", "Record a refuelling in the car's fuel log.", "liters price_per_liter odometer_km", {
        "liters": number_param("Fuel added in litres.", 5, 90),
        "price_per_liter": number_param("Price paid per litre.", 1, 3),
        "odometer_km": integer_param("Odometer reading in km.", 1000, 300000),
        "full_tank": boolean_param("Whether the tank was filled up."),
    }),
    tool_spec("calculate_tip", "everyday", "Work out the tip on a bill and each person's share.", "bill_amount tip_percent", {
        "bill_amount": number_param("Total of the bill.", 5, 1000),
        "tip_percent": integer_param("Tip in percent.", 5, 30),
        "split_between": integer_param("Number of people sharing the bill.", 2, 20),
        "round_up": boolean_param("Round each share up to a whole amount."),
    }),
    tool_spec("roll_dice", "everyday", "Roll dice and return the results.", "count sides", {
        "count": integer_param("Number of dice.", 1, 10),
        "sides": enum_param("Sides per die.", 4, 6, 8, 10, 12, 20),
        "modifier": integer_param("Added to the total.", -5, 10),
    }),
    tool_spec("get_league_standings", "everyday", "Get the standings table of a sports league.", "league", {
        "league": enum_param("League.", "premier_league", "la_liga", "bundesliga", "serie_a", "nba", "nhl"),
        "season": string_param("Season, such as 2025/26.", pattern="^[0-9]{4}/[0-9]{2}$"),
        "top_n": integer_param("Only the first n teams.", 1, 20),
    }, {"season": ("2023/24", "2024/25", "2025/26")}),
    tool_spec("get_planting_advice", "everyday", "Get advice on when and how to plant something in a climate zone.", "plant hardiness_zone", {
        "plant": string_param("What to plant."),
        "hardiness_zone": integer_param("USDA hardiness zone.", 1, 13),
        "soil": enum_param("Soil type.", "clay", "sandy", "loam", "chalk"),
    }, {"plant": ("tomatoes", "garlic", "sunflowers", "blueberries", "potatoes", "basil")}),
    tool_spec("search_rental_listings", "everyday", "Search flats and houses for rent in a city.", "city max_monthly_rent", {
        "city": string_param("City."),
        "max_monthly_rent": number_param("Highest monthly rent.", 300, 6000),
        "min_bedrooms": integer_param("Fewest bedrooms.", 1, 5),
        "pets_allowed": boolean_param("Pets must be allowed."),
        "furnished": boolean_param("Furnished or not."),
    }, {"city": CITIES}),
    tool_spec("pay_parking", "everyday", "Start a paid parking session for a car in a parking zone.", "zone_code license_plate duration_minutes", {
        "zone_code": string_param("Four-digit zone number on the parking sign.", pattern="^[0-9]{4}$"),
        "license_plate": string_param("Number plate of the car."),
        "duration_minutes": integer_param("Parking time.", 15, 480),
    }, {"zone_code": _digits("", 4), "license_plate": ("KA-482-TT", "B MX 2207", "7ABC123", "LD71 XKE", "GE 55 913")}),
)  # fmt: skip

HELDOUT_TOOLS: frozenset[str] = frozenset(
    {
        "schedule_sprinklers",  # home: enum, date, 24-hour time, integer
        "get_elevation",  # maps: signed decimal numbers, enum
        "set_savings_goal",  # banking: free text, number, date
        "submit_timesheet",  # hr: array of objects, boolean
        "get_chord_chart",  # music: free text, enum, integer, boolean
        "lookup_dns_records",  # it_ops: free text, enum
        "scale_deployment",  # it_ops: free text, enum, integer from zero
        "register_pet",  # health: free text, enum, past date, number, boolean
        "pay_parking",  # everyday: patterned string, free text, integer
        "plan_weekly_meals",  # recipes: array of strings, integers, date
    }
)
"""Tools that training generation never offers, neither as targets nor as distractors, and that make up the held-out
in-distribution suite: a suite of the same tools would measure recall of trained examples, not what the adapter
learned. Spread over domains (two of one, so that a held-out case can offer a confusable neighbour) and over every
JSON type the pool uses, while training keeps a tool of each type (the only tool with an object parameter stays
in training). Moving a tool in or out changes every fixture's training data."""
