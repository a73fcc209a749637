"""How users ask for each pool tool, and what an assistant says when no tool fits.

Requests name every required parameter as `{parameter}`; a clause names one optional parameter and is added only
when the call passes it, so the text always states every argument. Registers vary on purpose (terse, casual,
polite, formal, with a reason first) and so does the order of values: the adapter must learn to read values out
of any phrasing, not one sentence shape. None of these sentences may equal a suite's prompt (tests check).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Phrasing:
    """The words for one tool."""

    requests: tuple[str, ...]
    """Whole requests; each names exactly the required parameters."""
    clauses: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Optional parameter → fragments (lower case, no final stop) that state it."""
    flags: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Boolean parameter path → (text when true, text when false), used wherever `{parameter}` appears."""
    formats: Mapping[str, str] = field(default_factory=dict)
    """Object parameter path (an array's name for its items) → how one value reads, from its fields."""
    near_misses: tuple[str, ...] = ()
    """Requests in the tool's domain that it cannot do: the right answer calls nothing."""


def _p(
    requests: list[str],
    clauses: dict[str, tuple[str, ...]] | None = None,
    flags: dict[str, tuple[str, str]] | None = None,
    formats: dict[str, str] | None = None,
    near: tuple[str, ...] = (),
) -> Phrasing:
    return Phrasing(tuple(requests), clauses or {}, flags or {}, formats or {}, near)


PHRASINGS: dict[str, Phrasing] = {
    "set_door_lock": _p([
        "Please {locked} the {door} door.",
        "{door} door: {locked} it",
        "Could you {locked} the {door} door for me?",
        "I'm already at the airport and can't remember the {door} door. {locked} it, please.",
        "Kindly {locked} our {door} door.",
    ], {"auto_relock_minutes": ("relock it automatically after {auto_relock_minutes} minutes", "auto-relock after {auto_relock_minutes} min")},
       {"locked": ("lock", "unlock")}, near=("Who was the last person to open the front door?", "Change the PIN on the garage keypad to 4821.")),
    "start_robot_vacuum": _p([
        "Vacuum the {rooms}, please.",
        "Send the robot vacuum through the {rooms}.",
        "robot vac: {rooms}",
        "We have guests coming in an hour, so could you run the vacuum in the {rooms}?",
        "Start a cleaning run covering the {rooms}.",
    ], {"suction": ("use {suction} suction", "on {suction} power"), "mop": ("{mop}",)},
       {"mop": ("mop the floors as well", "skip the mopping")}, near=("How full is the robot vacuum's dust bin?", "Order a replacement brush for the robot vacuum.")),
    "set_window_blinds": _p([
        "Open the {room} blinds to {open_percent}%.",
        "Set the blinds in the {room} to {open_percent} percent open.",
        "{room} blinds at {open_percent}%",
        "It's really bright in the {room}; put the blinds at {open_percent} percent, please.",
        "Would you adjust the {room} blinds so they are {open_percent}% open?",
    ], {"tilt_degrees": ("tilt the slats to {tilt_degrees} degrees", "slat angle {tilt_degrees}°")},
       near=("Make the bedroom blinds open by themselves at sunrise every day.", "Order new blinds for the office.")),
    "schedule_sprinklers": _p([
        "Water the {zone} on {date} at {start_time} for {duration_minutes} minutes.",
        "Sprinklers: {zone}, {date}, {start_time}, {duration_minutes} min",
        "On {date}, could you run the {zone} sprinklers from {start_time}? {duration_minutes} minutes should do.",
        "The {zone} looks dry. Please set up a {duration_minutes}-minute watering at {start_time} on {date}.",
        "I'd like the {zone} watered for {duration_minutes} minutes, starting at {start_time} on {date}.",
    ], {"repeat": ("repeating {repeat}", "and keep it going {repeat}")},
       near=("How much water did the sprinklers use last month?", "Cancel every sprinkler run next week.")),
    "get_energy_usage": _p([
        "How much electricity did we use between {start_date} and {end_date}?",
        "Show our energy usage from {start_date} to {end_date}.",
        "power consumption {start_date} to {end_date}",
        "The last bill was scary. Can you pull up our electricity use from {start_date} through {end_date}?",
        "I would like to see the household's consumption for the period {start_date} – {end_date}.",
    ], {"compare_previous_period": ("{compare_previous_period}",), "show_cost": ("{show_cost}",)},
       {"compare_previous_period": ("compare it with the period before", "no comparison with earlier periods needed"),
        "show_cost": ("show the cost too", "kWh only, no cost")},
       near=("Switch us to a cheaper electricity tariff.", "Turn off the washing machine.")),
    "log_workout": _p([
        "Log a {duration_minutes}-minute {activity} session for {date}.",
        "Add {activity} to my training log: {duration_minutes} minutes on {date}.",
        "workout: {activity}, {duration_minutes} min, {date}",
        "I did {duration_minutes} minutes of {activity} on {date}; can you record it?",
        "Please record my {activity} workout from {date}. It lasted {duration_minutes} minutes.",
    ], {"distance_km": ("I covered {distance_km} km", "distance {distance_km} km"),
        "perceived_effort": ("effort was {perceived_effort} out of 10", "it felt like a {perceived_effort} out of 10")},
       near=("Delete the workout I logged yesterday.", "Sync my workouts to Strava.")),
    "log_body_weight": _p([
        "Log my weight: {weight_kg} kg on {date}.",
        "I weighed {weight_kg} kg on {date}. Please record it.",
        "weight {weight_kg}kg {date}",
        "Could you add a weigh-in for {date}? It was {weight_kg} kilograms.",
    ], {"body_fat_percent": ("body fat was {body_fat_percent}%", "with {body_fat_percent} percent body fat")},
       near=("Show me a chart of my weight over the last year.", "Set a goal weight of 70 kg for me.")),
    "create_training_plan": _p([
        "Build me a {weeks}-week plan for a {goal} with {runs_per_week} runs a week.",
        "I'm training for a {goal}. Make a plan: {weeks} weeks, {runs_per_week} runs per week.",
        "training plan {goal}, {weeks} weeks, {runs_per_week} runs/week",
        "Could you put together a {goal} training plan lasting {weeks} weeks? I can run {runs_per_week} times a week.",
    ], {"start_date": ("starting {start_date}", "the first week begins on {start_date}"), "include_strength": ("{include_strength}",)},
       {"include_strength": ("include strength sessions", "no strength training")},
       near=("Sign me up for the Berlin Marathon.", "Find a running club near me.")),
    "check_visa_requirements": _p([
        "I hold a passport from {passport_country}. Do I need a visa to visit {destination_country} for {purpose}?",
        "visa check: {passport_country} passport, going to {destination_country}, {purpose}",
        "My colleague is a citizen of {passport_country} and wants to travel to {destination_country} for {purpose}. Is a visa required?",
        "Please check the visa rules of {destination_country} for {passport_country} passport holders, purpose {purpose}.",
    ], {"stay_days": ("staying {stay_days} days", "the stay is {stay_days} days long")},
       near=("Fill in the visa application form for me.", "Renew my passport online.")),
    "get_travel_insurance_quote": _p([
        "How much is travel insurance for {region}, {start_date} to {end_date}, travellers: {travellers}?",
        "Quote me travel cover: {region}, from {start_date} until {end_date}, {travellers} traveller(s).",
        "insurance quote {region} {start_date} - {end_date} x{travellers}",
        "We're planning a trip to {region} from {start_date} to {end_date}. Could you get an insurance quote? Number of travellers: {travellers}.",
    ], {"winter_sports": ("{winter_sports}",)}, {"winter_sports": ("we'll be skiing, so cover winter sports", "no winter sports cover needed")},
       near=("My suitcase got lost on the way back; file an insurance claim for it.", "Buy the cheapest insurance policy for my trip.")),
    "create_packing_list": _p([
        "Make a packing list called '{trip_name}' with {items}.",
        "New packing list '{trip_name}': {items}",
        "Start a checklist named '{trip_name}' and put {items} on it.",
        "I always forget something when I travel. Could you create a packing list titled '{trip_name}' containing {items}?",
    ], {"days": ("the trip lasts {days} days", "it's a {days}-day trip")},
       near=("Pack my suitcase for me.", "Check whether my suitcase is over the weight limit.")),
    "find_ev_charging_stations": _p([
        "Where can I charge my car near {near}? It has a {connector} connector.",
        "Find {connector} chargers around {near}.",
        "EV charging near {near}, plug {connector}",
        "My electric car is almost empty and I'm close to {near}. Any charging stations for {connector}?",
        "Please list charging stations close to {near} that support {connector}.",
    ], {"min_power_kw": ("at least {min_power_kw} kW", "only stations with {min_power_kw} kW or more"),
        "max_results": ("show at most {max_results}", "limit it to {max_results} results")},
       near=("Reserve a charging slot for me at the station on Main Street.", "Start charging my car remotely.")),
    "search_nearby_places": _p([
        "Find {category} options near {location}.",
        "Is there any {category} around {location}?",
        "{category} near {location}",
        "We just arrived in {location}; what's the nearest {category}?",
        "Search for places of type {category} in {location}, please.",
    ], {"radius_km": ("within {radius_km} km", "no further than {radius_km} km away"), "open_now": ("{open_now}",)},
       {"open_now": ("only ones open right now", "opening hours don't matter")},
       near=("Write a five-star review for the bakery I went to yesterday.", "Add a new bakery to the map.")),
    "get_elevation": _p([
        "What's the elevation at {latitude}, {longitude}?",
        "Elevation for lat {latitude}, lon {longitude}.",
        "How high above sea level is the point {latitude} / {longitude}?",
        "I'm planning a hike and need the altitude at the coordinates ({latitude}, {longitude}).",
        "Please look up the elevation of latitude {latitude} and longitude {longitude}.",
    ], {"unit": ("in {unit}", "give it in {unit}")},
       near=("Draw the elevation profile of my hiking route.", "Measure the distance between two coordinates.")),
    "save_favorite_place": _p([
        "Save {address} as '{label}' in my places.",
        "Add a favourite called '{label}': {address}.",
        "favourite '{label}' = {address}",
        "Could you store {address} under the name '{label}' so I can find it quickly?",
    ], {"icon": ("use the {icon} icon", "give it the {icon} icon")}, formats={"address": "{street}, {postal_code} {city}"},
       near=("Share all my favourite places with my partner.", "Which of my saved places is the closest to me right now?")),
    "get_account_balance": _p([
        "What's the balance on my {account} account?",
        "How much is in {account}?",
        "balance {account}",
        "Could you check how much money I have in my {account} account, please?",
        "Before I pay the rent I want to know my {account} balance.",
    ], {"include_pending": ("{include_pending}",)}, {"include_pending": ("include pending transactions", "leave out anything pending")},
       near=("Open a new savings account for me.", "Print a bank statement for me.")),
    "freeze_card": _p([
        "Please freeze the card ending in {card_last_four}. Reason: {reason}.",
        "card {card_last_four}, freeze it, reason {reason}",
        "Can you put a freeze on my card that ends in {card_last_four}? The reason is {reason}.",
        "Urgent: block my card ending {card_last_four} right away. Reason: {reason}.",
    ], {"order_replacement": ("{order_replacement}",)}, {"order_replacement": ("send me a replacement card", "don't order a replacement")},
       near=("Raise the spending limit on my card.", "Dispute the 39.99 charge from yesterday on my card.")),
    "list_transactions": _p([
        "Show my {account} transactions from {start_date} to {end_date}.",
        "What went through {account} between {start_date} and {end_date}?",
        "transactions {account} {start_date} to {end_date}",
        "I'm doing my budget. Please list everything on the {account} account from {start_date} through {end_date}.",
    ], {"min_amount": ("only amounts of {min_amount} or more", "just the ones over {min_amount}"),
        "category": ("only {category}", "just the {category} category")},
       near=("Cancel the pending payment to my gym.", "Download my transactions as a PDF.")),
    "set_savings_goal": _p([
        "Create a savings goal '{name}' of {target_amount} by {deadline}.",
        "I want to save {target_amount} for '{name}' by {deadline}.",
        "savings goal: '{name}', {target_amount}, deadline {deadline}",
        "Could you set up a goal called '{name}'? Target {target_amount}, to be reached by {deadline}.",
    ], {"monthly_contribution": ("put aside {monthly_contribution} a month", "with a monthly contribution of {monthly_contribution}")},
       near=("Move all my savings into an index fund.", "Delete my 'Laptop' savings goal.")),
    "search_library_catalog": _p([
        "Search the library for '{query}'.",
        "Does the library have anything on '{query}'?",
        "catalogue search: {query}",
        "Look up '{query}' in the library catalogue, please.",
    ], {"format": ("only as {format}", "in {format} format"), "available_only": ("{available_only}",)},
       {"available_only": ("only items I can borrow now", "include items that are checked out")},
       near=("Pay my overdue library fine.", "Reserve a study room at the library.")),
    "renew_library_loan": _p([
        "Renew the library item with barcode {item_barcode}.",
        "Can you extend my loan for item {item_barcode}?",
        "renew {item_barcode}",
        "I haven't finished the book yet. Please renew barcode {item_barcode}.",
    ], {"weeks": ("for {weeks} more weeks", "extend it by {weeks} weeks")},
       near=("When does the library close today?", "Donate my old paperbacks to the library.")),
    "place_book_hold": _p([
        "Put a hold on '{title}' for pickup at the {branch} branch.",
        "Reserve '{title}' at {branch}.",
        "hold '{title}' @ {branch}",
        "I'd like to pick up '{title}' at the {branch} library once it's back. Please place a hold.",
    ], {"notify_by": ("notify me by {notify_by}", "let me know via {notify_by} when it's ready")},
       near=("Apply for a library card for my daughter.", "Cancel my hold on Piranesi.")),
    "request_time_off": _p([
        "Request {leave_type} leave from {start_date} to {end_date}.",
        "I need time off: {leave_type}, {start_date} until {end_date}.",
        "leave request {leave_type} {start_date} to {end_date}",
        "Please file a {leave_type} leave request for me covering {start_date} through {end_date}.",
        "My family is visiting, so I'd like {leave_type} leave starting {start_date} and ending {end_date}.",
    ], {"comment": ("add the note '{comment}'", "comment: '{comment}'")},
       near=("Cancel the leave request I submitted last week.", "How many vacation days do I have left this year?")),
    "find_colleague": _p([
        "Find {name} in the company directory.",
        "Who is {name}? Look them up, please.",
        "directory lookup: {name}",
        "I have a meeting with {name} tomorrow but don't know their role. Could you check the directory?",
    ], {"department": ("they work in {department}", "in the {department} department"), "office": ("based in the {office} office", "works out of {office}")},
       near=("Update my job title in the directory to Senior Analyst.", "Print the org chart of the whole company.")),
    "submit_timesheet": _p([
        "Submit my timesheet for the week of {week_start}: {entries}.",
        "Timesheet, week starting {week_start}: {entries}",
        "Log {entries} for the week beginning {week_start}.",
        "Please send in my hours for the week that starts on {week_start}. I spent {entries}.",
    ], {"submit_for_approval": ("{submit_for_approval}",)},
       {"submit_for_approval": ("send it for approval right away", "keep it as a draft for now")}, {"entries": "{hours} hours on {project}"},
       near=("Approve Lukas's timesheet for last week.", "How much overtime did I do last month?")),
    "reserve_desk": _p([
        "Book me a desk in the {office} office on {date}.",
        "I'll be in {office} on {date}. Can you reserve a desk?",
        "desk {office} {date}",
        "Please reserve a shared desk for {date} at our {office} office.",
    ], {"floor": ("on floor {floor}", "floor {floor} if possible"), "near_window": ("{near_window}",)},
       {"near_window": ("by a window", "not next to a window")},
       near=("Cancel my desk booking for tomorrow.", "Which colleagues will be in the office on Friday?")),
    "add_to_shopping_list": _p([
        "Add {items} to my shopping list.",
        "Shopping list: {items}",
        "Put {items} on the list, please.",
        "We're running low on a few things. Could you add {items} to the shopping list?",
    ], {"list": ("on the {list} list", "use the {list} list")}, formats={"items": "{quantity} x {name}"},
       near=("Share the shopping list with my roommate.", "Which supermarket has the cheapest eggs this week?")),
    "set_price_alert": _p([
        "Alert me when the {product} drops below {target_price}.",
        "Set a price alert: {product} under {target_price}.",
        "price watch {product} < {target_price}",
        "I'm waiting for a deal on the {product}. Tell me when it goes under {target_price}, please.",
    ], {"expires_on": ("stop watching after {expires_on}", "the alert can expire on {expires_on}")},
       near=("Return the headphones I bought last week.", "Buy the Kindle Paperwhite for me once it's cheap.")),
    "check_store_stock": _p([
        "Is the {product} in stock anywhere in {city}?",
        "Check stock of {product} in {city}.",
        "stock check: {product}, {city}",
        "Before I drive over, can you see if stores in {city} have the {product}?",
    ], {"max_distance_km": ("within {max_distance_km} km", "no more than {max_distance_km} km away")},
       near=("Hold one at the store for me until tonight.", "What's the warranty on a Steam Deck?")),
    "create_playlist": _p([
        "Make a playlist called '{name}' with {genres}.",
        "New playlist '{name}': {genres}",
        "Create a '{name}' playlist mixing {genres}.",
        "I need music for the weekend. Build a playlist named '{name}' with {genres} tracks.",
    ], {"duration_minutes": ("about {duration_minutes} minutes long", "{duration_minutes} minutes of music"), "public": ("{public}",)},
       {"public": ("make it public", "keep it private")},
       near=("Delete the playlist called Old favourites.", "Add this song to my playlist.")),
    "find_concerts": _p([
        "When is {artist} playing next?",
        "Find concerts by {artist}.",
        "{artist} concerts",
        "Any upcoming {artist} shows? I'd love to see them live.",
        "Can you look up the tour dates of {artist}?",
    ], {"city": ("in {city}", "near {city}"), "before_date": ("before {before_date}", "no later than {before_date}"),
        "max_price": ("tickets under {max_price}", "with tickets up to {max_price}")},
       near=("Get me backstage passes for the next Norah Jones show.", "Sell my two concert tickets.")),
    "get_chord_chart": _p([
        "Show me the {instrument} chords for '{song}'.",
        "Chords for '{song}' on {instrument}, please.",
        "'{song}' {instrument} chords",
        "I'm learning the {instrument} and want to play '{song}'. Can you get the chord chart?",
    ], {"capo": ("with the capo on fret {capo}", "capo {capo}"), "simplified": ("{simplified}",)},
       {"simplified": ("a simplified version please", "the full version, not simplified")},
       near=("Tune my guitar for me.", "Order a new set of guitar strings.")),
    "scale_recipe": _p([
        "Scale my {recipe} recipe from {from_servings} to {to_servings} servings.",
        "The {recipe} serves {from_servings}; I need it for {to_servings}.",
        "scale {recipe}: {from_servings} -> {to_servings} servings",
        "I'm hosting more people than usual. Could you convert the {recipe} recipe, which makes {from_servings} servings, to make {to_servings}?",
    ], near=("Save the recipe from this cooking website to my collection.", "Cook dinner for me tonight.")),
    "plan_weekly_meals": _p([
        "Plan {diet} meals for the week of {week_start}, household of {people}.",
        "Make a {diet} meal plan starting {week_start}; household size {people}.",
        "meal plan: {diet}, {people} at home, week of {week_start}",
        "Could you put together a week of {diet} dinners starting {week_start}? Household size: {people}.",
    ], {"avoid_ingredients": ("no {avoid_ingredients}", "avoid {avoid_ingredients}"),
        "max_cooking_minutes": ("nothing that takes over {max_cooking_minutes} minutes", "max {max_cooking_minutes} minutes of cooking per meal")},
       near=("Rate last week's meal plan five stars.", "Do the grocery shopping for this week's meals.")),
    "find_ingredient_substitute": _p([
        "What can I use instead of {ingredient}? Reason: {reason}.",
        "Substitute for {ingredient} ({reason})",
        "Can you suggest a swap for {ingredient}? The reason is {reason}.",
        "I'm halfway through baking and need a replacement for {ingredient}, reason: {reason}.",
    ], near=("Check whether there is any cream left in my fridge.", "Bake the cake for me while I'm out.")),
    "restart_service": _p([
        "Restart {service} in {environment}.",
        "Please bounce the {service} service on {environment}.",
        "restart {service} ({environment})",
        "{service} is stuck in {environment} again. Can you restart it?",
        "Could you kindly restart the {service} service in the {environment} environment?",
    ], {"graceful": ("{graceful}",), "delay_seconds": ("wait {delay_seconds} seconds before restarting", "with a delay of {delay_seconds} seconds")},
       {"graceful": ("do it gracefully", "force it, no graceful shutdown")},
       near=("Roll back yesterday's deploy of auth-service.", "Upgrade payments-api to the latest version.")),
    "scale_deployment": _p([
        "Scale {deployment} to {replicas} replicas in {environment}.",
        "Set the replicas of {deployment} on {environment} to {replicas}.",
        "{deployment} {environment} replicas={replicas}",
        "Could you run {replicas} replicas of {deployment} in {environment}?",
        "Traffic is changing. Please make it {replicas} replicas for {deployment} in {environment}.",
    ], near=("Set up autoscaling for search-indexer based on CPU usage.", "Delete the report-worker deployment.")),
    "query_logs": _p([
        "Show {min_level} logs for {service}.",
        "Pull the {service} logs at level {min_level} and above.",
        "logs {service} {min_level}+",
        "Something's off with {service}. Can you fetch its log lines from {min_level} up?",
    ], {"since_minutes": ("from the last {since_minutes} minutes", "over the past {since_minutes} minutes"),
        "contains": ("containing '{contains}'", "that mention '{contains}'"), "limit": ("at most {limit} lines", "limit {limit}")},
       near=("Delete the old logs to free some disk space.", "Turn on debug logging for auth-service.")),
    "open_incident": _p([
        "Open a {severity} incident '{title}' affecting {affected_services}.",
        "New incident: '{title}', {severity}, services {affected_services}.",
        "incident {severity}: '{title}' ({affected_services})",
        "We have a problem: '{title}'. Please open an incident at {severity} for {affected_services}.",
    ], {"page_oncall": ("{page_oncall}",)}, {"page_oncall": ("page the on-call engineer", "don't page anyone yet")},
       near=("Write the postmortem for last week's outage.", "Close all the incidents from last month.")),
    "lookup_dns_records": _p([
        "What are the {record_type} records for {domain}?",
        "Look up {record_type} for {domain}.",
        "dig {domain} {record_type}",
        "Something looks wrong with {domain}; can you check its {record_type} records?",
    ], {"resolver": ("using resolver {resolver}", "ask {resolver}")},
       near=("Register the domain coolstartup.io for me.", "Point shop.fabrikam.net at our new server.")),
    "generate_password": _p([
        "Generate a {length}-character password, {include_symbols}.",
        "I need a new password: {length} characters, {include_symbols}.",
        "pw {length} chars, {include_symbols}",
        "Could you make me a random password {length} characters long? {include_symbols}, please.",
    ], {"avoid_ambiguous": ("{avoid_ambiguous}",), "count": ("give me {count} options", "generate {count} in total")},
       {"include_symbols": ("with symbols", "without symbols"), "avoid_ambiguous": ("avoid look-alike characters", "look-alike characters are fine")},
       near=("Store this password in my vault.", "Reset my laptop password.")),
    "get_student_grades": _p([
        "Show the grades of student {student_id} for the {term} term of {year}.",
        "What were {student_id}'s grades in {term} {year}?",
        "grades {student_id} {term} {year}",
        "Parents' evening is coming up. Could you pull the {term} {year} grades for student {student_id}?",
    ], {"subject": ("only {subject}", "just the {subject} grades")},
       near=("Change the math grade of my son to an A.", "Print the report card for my son.")),
    "register_for_course": _p([
        "Register me for {course_code} in {semester}.",
        "Sign me up for course {course_code}, {semester}.",
        "enroll {course_code} {semester}",
        "I'd like to take {course_code} in the {semester} semester. Can you register me?",
    ], {"audit": ("{audit}",), "section": ("section {section}", "in section {section}")}, {"audit": ("as an auditor", "for credit, not as an auditor")},
       near=("Drop my chemistry course.", "Pay the tuition for next semester.")),
    "report_student_absence": _p([
        "Please mark {student_name} absent on {date}. Reason: {reason}.",
        "{student_name} won't be at school on {date} (reason: {reason}).",
        "absence: {student_name}, {date}, {reason}",
        "Good morning. I'm writing to let you know that {student_name} will miss school on {date}. The reason is {reason}.",
    ], {"note": ("add the note '{note}'", "note for the teacher: '{note}'")},
       near=("What's for lunch at school today?", "Book a meeting with my daughter's teacher.")),
    "find_doctor": _p([
        "Find a {specialty} doctor in {city}.",
        "I need a doctor for {specialty} in {city}.",
        "{specialty} doctors {city}",
        "We just moved to {city}. Could you find doctors practising {specialty}?",
        "Please search for {specialty} practices in {city}.",
    ], {"accepts_new_patients": ("{accepts_new_patients}",), "language": ("who speak {language}", "{language}-speaking")},
       {"accepts_new_patients": ("only ones taking new patients", "it doesn't matter whether they take new patients")},
       near=("Is the mole on my arm something to worry about?", "Cancel my appointment with Dr. Ito tomorrow.")),
    "book_medical_appointment": _p([
        "Book an appointment with {doctor_id} on {date} at {time}, {visit_type}.",
        "I'd like a {visit_type} visit with doctor {doctor_id} on {date} at {time}.",
        "appt {doctor_id} {date} {time} {visit_type}",
        "Could you schedule me with {doctor_id} for {date} at {time}? Make it {visit_type}.",
    ], {"reason": ("the reason is '{reason}'", "reason for the visit: '{reason}'")},
       near=("Get my lab results from last week.", "Move my appointment on Friday to next week.")),
    "request_prescription_refill": _p([
        "Refill my {medication}, {supply_days}-day supply.",
        "I need a {supply_days}-day refill of {medication}.",
        "refill {medication} {supply_days} days",
        "I'm running low on {medication}. Please request a refill for {supply_days} days.",
    ], {"pharmacy": ("send it to {pharmacy}", "pharmacy: {pharmacy}")},
       near=("Renew my health insurance card.", "Switch my prescription to a different medication.")),
    "register_pet": _p([
        "Register my {species} {name}, born {birth_date}.",
        "New patient: {name}, a {species} born on {birth_date}.",
        "pet registration: {name}, {species}, born {birth_date}",
        "We adopted a {species} called {name}! Date of birth is {birth_date}. Please add them to the clinic's records.",
    ], {"weight_kg": ("weighs {weight_kg} kg", "weight {weight_kg} kg"), "neutered": ("{neutered}",)},
       {"neutered": ("they're neutered", "they're not neutered")},
       near=("Order flea treatment for my dog.", "Book a grooming session for my dog.")),
    "log_car_refuel": _p([
        "Log a refuel: {liters} litres at {price_per_liter} per litre, odometer {odometer_km} km.",
        "I just put in {liters} L at {price_per_liter}/L; the odometer reads {odometer_km}.",
        "fuel {liters}L @ {price_per_liter}, odo {odometer_km}",
        "Please add a fuel entry with {liters} litres, price {price_per_liter} a litre, {odometer_km} km on the clock.",
    ], {"full_tank": ("{full_tank}",)}, {"full_tank": ("it was a full tank", "not a full tank")},
       near=("Where's the cheapest petrol around here?", "When is my car due for its next service?")),
    "calculate_tip": _p([
        "What's a {tip_percent}% tip on {bill_amount}?",
        "Calculate a {tip_percent} percent tip for a bill of {bill_amount}.",
        "tip {tip_percent}% on {bill_amount}",
        "Dinner came to {bill_amount}. How much is a {tip_percent}% tip?",
    ], {"split_between": ("split between {split_between} people", "we're splitting it {split_between} ways"), "round_up": ("{round_up}",)},
       {"round_up": ("round each share up", "no rounding")},
       near=("Leave a review for the restaurant.", "Pay the bill with my card.")),
    "roll_dice": _p([
        "Roll {count} d{sides}.",
        "Throw {count} {sides}-sided dice for me.",
        "I'm the game master tonight. Roll {count} dice with {sides} sides each.",
        "Please roll {count} dice, {sides} sides.",
    ], {"modifier": ("add a modifier of {modifier}", "modifier {modifier}")},
       near=("Shuffle a deck of cards and deal five.", "Flip a coin for me.")),
    "get_league_standings": _p([
        "Show the {league} table.",
        "What are the {league} standings?",
        "{league} standings",
        "Who's on top of the {league}? Show me the table.",
    ], {"season": ("for the {season} season", "season {season}"), "top_n": ("just the top {top_n}", "only the first {top_n} teams")},
       near=("Who will win the Champions League this year?", "Buy two tickets for the next home game.")),
    "get_planting_advice": _p([
        "When should I plant {plant} in zone {hardiness_zone}?",
        "Planting advice for {plant}, hardiness zone {hardiness_zone}.",
        "{plant} zone {hardiness_zone}",
        "I'm starting a vegetable patch in zone {hardiness_zone}. How should I plant {plant}?",
    ], {"soil": ("my soil is {soil}", "in {soil} soil")},
       near=("Identify the plant in the photo I took.", "Order seeds for next spring.")),
    "search_rental_listings": _p([
        "Find flats in {city} under {max_monthly_rent} a month.",
        "Rentals in {city}, max rent {max_monthly_rent}.",
        "apartments {city} max {max_monthly_rent}/month",
        "I'm relocating to {city} for work. Could you look for places with rent up to {max_monthly_rent}?",
    ], {"min_bedrooms": ("at least {min_bedrooms} bedrooms", "{min_bedrooms}+ bedrooms"), "pets_allowed": ("{pets_allowed}",), "furnished": ("{furnished}",)},
       {"pets_allowed": ("pets must be allowed", "no pets, so that doesn't matter"), "furnished": ("it should be furnished", "unfurnished")},
       near=("Sign the lease for the flat on Rua Nova for me.", "Schedule a viewing of the flat on Rua Nova.")),
    "pay_parking": _p([
        "Start parking in zone {zone_code} for {license_plate}, {duration_minutes} minutes.",
        "Pay for {duration_minutes} minutes of parking in zone {zone_code}, plate {license_plate}.",
        "park {zone_code} {license_plate} {duration_minutes} min",
        "I just parked in zone {zone_code}. Please start a {duration_minutes}-minute session for the car {license_plate}.",
    ], near=("I got a parking ticket; can you appeal it?", "Where can I park for free in the city centre?")),
}  # fmt: skip
