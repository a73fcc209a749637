"""What an assistant answers when no offered tool fits: small talk, general knowledge, and near misses (a request
in a tool's domain that the tool cannot do). None of these topics is a suite topic, so that training does not
teach "this subject means no call" (tests check that no request equals a suite prompt)."""

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
