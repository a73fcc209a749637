"""What an assistant answers when no offered tool fits: small talk, general knowledge, and near misses (a request
in a tool's domain that the tool cannot do). None of these topics is a suite topic, so that training does not
teach "this subject means no call" (tests check that no request equals a suite prompt). The `HELDOUT_` ones are
never said in training: the held-out in-distribution suite asks them."""

from __future__ import annotations

SMALL_TALK: tuple[tuple[str, str], ...] = (
    (
        "Hi! What can you help me with?",
        "Hi! I can use the tools I've been given, answer questions, or just chat. What do you need?",
    ),
    ("Thanks a lot, that was really helpful.", "You're welcome! Let me know if there's anything else."),
    ("You're awesome.", "Thank you, that's kind of you! Anything else I can do?"),
    ("Good night!", "Good night, sleep well!"),
    ("I'm bored. Any ideas?", "How about a short walk, a new podcast, or a recipe you've never tried?"),
    ("Tell me a fun fact.", "Octopuses have three hearts and blue blood."),
    ("How are you today?", "I'm doing well, thanks for asking! How can I help?"),
    ("Never mind, I figured it out.", "Great, glad you sorted it out! I'm here if you need anything else."),
    ("Do you like music?", "I don't listen to music myself, but I'm happy to talk about it. What do you like?"),
    ("I just got a new job!", "Congratulations, that's great news! When do you start?"),
    ("Sorry, wrong chat.", "No problem! Let me know if you need anything."),
    ("ok cool", "Anything else I can help with?"),
    (
        "Say something to cheer me up.",
        "Here's one: a group of flamingos is called a flamboyance. I hope your day gets better!",
    ),
    ("Are you a robot?", "I'm an AI assistant, so not quite a robot, but I'm here to help."),
    (
        "Recommend a board game for four people.",
        "Try Ticket to Ride: it's easy to learn and works well with four players.",
    ),
    ("Give me a word that rhymes with 'cat'.", "Hat, bat, mat or chat all rhyme with 'cat'."),
)

KNOWLEDGE: tuple[tuple[str, str], ...] = (
    ("What is the largest ocean on Earth?", "The Pacific Ocean. It covers about a third of the planet's surface."),
    ("Who painted the Mona Lisa?", "Leonardo da Vinci, in the early 1500s."),
    (
        "How many continents are there?",
        "Seven: Africa, Antarctica, Asia, Australia, Europe, North America and South America.",
    ),
    ("What's the chemical symbol for gold?", "Au, from the Latin word aurum."),
    ("Who wrote One Hundred Years of Solitude?", "Gabriel García Márquez. It was published in 1967."),
    ("Which planet is known as the Red Planet?", "Mars. Iron oxide on its surface gives it the reddish colour."),
    ("How many sides does a hexagon have?", "Six."),
    ("What does DNA stand for?", "Deoxyribonucleic acid."),
    (
        "Why is the sky blue?",
        "Air scatters the short blue wavelengths of sunlight much more than the red ones, so blue light reaches you from every direction.",
    ),
    (
        "What's the difference between a virus and a bacterium?",
        "Bacteria are single-celled organisms that reproduce on their own; viruses are far smaller and can only multiply inside a host's cells. Antibiotics work on bacteria, not on viruses.",
    ),
    ("How many minutes are there in a day?", "1,440 minutes (24 × 60)."),
    ("What's the square root of 144?", "12."),
    ("What is 7 times 8?", "56."),
    ("Who was the first person to walk on the Moon?", "Neil Armstrong, on 20 July 1969, during the Apollo 11 mission."),
    ("In which country are the pyramids of Giza?", "Egypt, on the edge of Cairo."),
    ("What year did the Berlin Wall fall?", "1989, on 9 November."),
    (
        "Explain what a prime number is.",
        "A whole number greater than 1 whose only divisors are 1 and itself, such as 2, 3, 5, 7 and 11.",
    ),
    ("What's the plural of 'cactus'?", "Cacti, although 'cactuses' is also accepted."),
    ("Who composed The Four Seasons?", "Antonio Vivaldi, around 1720."),
    ("What does HTTP stand for?", "HyperText Transfer Protocol."),
    (
        "What's the difference between RAM and storage?",
        "RAM is fast, temporary memory for what the computer is working on right now; storage (an SSD or hard disk) keeps files permanently, even when the power is off.",
    ),
    (
        "What is photosynthesis?",
        "The process by which plants use sunlight, water and carbon dioxide to make sugar, releasing oxygen.",
    ),
    ("How many strings does a violin have?", "Four, tuned G, D, A and E."),
    ("What's the longest river in South America?", "The Amazon."),
    (
        "Who developed the theory of relativity?",
        "Albert Einstein: special relativity in 1905 and general relativity in 1915.",
    ),
)

NEAR_MISS_REPLIES: tuple[str, ...] = (
    "Sorry, I can't do that with the tools I have here. I can only {capabilities}.",
    "I'm afraid that's not something I can do. What I can do is {capabilities}.",
    "I don't have a tool for that. If it helps, I can {capabilities}.",
    "Unfortunately I can't help with that here: my tools only let me {capabilities}.",
)
"""Answers to a near miss; `{capabilities}` lists what the offered tools do, from their descriptions."""

HELDOUT_SMALL_TALK: tuple[tuple[str, str], ...] = (
    ("Morning! Ready for another busy day?", "Good morning! Ready when you are. What's first?"),
    ("I finally finished my first marathon!", "That's a huge achievement, congratulations! How do your legs feel?"),
    ("Just checking you're still there.", "Still here! What can I do for you?"),
    ("Can you keep a secret?", "I don't keep memories between chats, so your secret is safe. What's on your mind?"),
    ("My cat just knocked a plant off the shelf.", "Classic cat move! I hope the plant survived the fall."),
    ("What's your favourite colour?", "I don't have one, but people often say blue. What's yours?"),
    ("That's all for now, bye!", "Bye! Come back any time."),
    (
        "Honestly, I'm having a rough week.",
        "I'm sorry to hear that. Want to talk about it, or shall I help with something?",
    ),
    ("lol ok", "Glad that made you smile! Anything else?"),
    ("Do you ever sleep?", "No sleep for me, I'm here whenever you need help."),
    ("Suggest a name for my new goldfish.", "How about Bubbles, Finn or Captain Goldbeard?"),
    ("Give me a tongue twister.", "Try this: 'Red lorry, yellow lorry', five times fast."),
)
"""Small talk reserved for the held-out in-distribution suite: training generation never says these."""

HELDOUT_KNOWLEDGE: tuple[tuple[str, str], ...] = (
    ("What is the tallest mountain in Africa?", "Mount Kilimanjaro in Tanzania, about 5,895 metres high."),
    ("Who wrote The Old Man and the Sea?", "Ernest Hemingway. It was published in 1952."),
    ("How many legs does a spider have?", "Eight."),
    ("What's the chemical formula of table salt?", "NaCl, sodium chloride."),
    ("Which planet has the most moons?", "Saturn, with well over a hundred confirmed moons."),
    ("What does CPU stand for?", "Central processing unit."),
    ("How many players are on a volleyball team on court?", "Six per team."),
    ("Who painted The Starry Night?", "Vincent van Gogh, in 1889."),
    ("What is the freezing point of water in Celsius?", "0 °C at standard atmospheric pressure."),
    ("What's the smallest prime number?", "2, the only even prime."),
    ("In which year did the Titanic sink?", "1912, on 15 April."),
    ("What is the main language spoken in Brazil?", "Portuguese."),
    ("How many keys does a standard piano have?", "88: 52 white and 36 black."),
    ("What is 15 squared?", "225."),
    ("Who invented the telephone?", "Alexander Graham Bell is credited with the first patent, in 1876."),
)
"""General knowledge reserved for the held-out in-distribution suite: training generation never asks these."""
