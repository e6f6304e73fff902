"""Generated dictionary entries for benchmarks: a made-up Bantu-like language.

The orthography has multigraphs (ch, ng, ny), open vowels (ɛ, ɔ), tone marks (acute, grave,
circumflex), a few hyphenated compounds and homographs; senses carry en + pt glosses,
definitions, semantic domains and examples with translations. Deterministic for a seed.

    python bench/generate.py 1000      # prints a JSON summary
"""

from __future__ import annotations

import json
import random
import sys
import time
import unicodedata
import uuid
from itertools import accumulate

LANG = "qaa"
LETTERS = "a b ch d e ɛ g h i k l m n ng ny o ɔ p r s t u w y".split()  # noqa: SIM905
ALPHABET = {
    "letters": LETTERS,
    "ignore": ["-", "'"],
    "confusables": [["ŋ", "ng"], ["ɛ", "e"], ["ɔ", "o"]],
}
ONSETS = "b ch d g h k l m n ng ny p r s t w y mb nd nk".split()  # noqa: SIM905
ONSET_WEIGHTS = list(accumulate([5, 3, 4, 3, 2, 6, 5, 5, 6, 4, 3, 4, 3, 5, 5, 3, 3, 2, 2, 2]))
VOWELS = "a e ɛ i o ɔ u".split()  # noqa: SIM905
TONES = ["", "", "", "\u0301", "\u0300", "\u0302"]

# (en, pt, part of speech, semantic domain)
LEXICON = [
    ("river", "rio", "n", "1.3.1.3 River"),
    ("water", "água", "n", "1.3 Water"),
    ("rain", "chuva", "n", "1.1.3.3 Rain"),
    ("sun", "sol", "n", "1.1.1.1 Sun"),
    ("moon", "lua", "n", "1.1.1.2 Moon"),
    ("star", "estrela", "n", "1.1.1.3 Star"),
    ("fire", "fogo", "n", "5.5 Fire"),
    ("stone", "pedra", "n", "1.2.2.1 Rock"),
    ("tree", "árvore", "n", "1.5.1 Tree"),
    ("leaf", "folha", "n", "1.5.5 Parts of a plant"),
    ("root", "raiz", "n", "1.5.5 Parts of a plant"),
    ("fruit", "fruta", "n", "5.2.3.2 Fruit"),
    ("house", "casa", "n", "6.5.1 Building"),
    ("door", "porta", "n", "6.5.2 Parts of a building"),
    ("village", "aldeia", "n", "4.6.7 Region"),
    ("road", "estrada", "n", "6.5.4.2 Road"),
    ("dog", "cão", "n", "1.6.1.1 Mammal"),
    ("goat", "cabra", "n", "6.3.1 Domesticated animal"),
    ("chicken", "galinha", "n", "6.3.1 Domesticated animal"),
    ("fish", "peixe", "n", "1.6.1.5 Fish"),
    ("bird", "pássaro", "n", "1.6.1.2 Bird"),
    ("snake", "cobra", "n", "1.6.1.3 Reptile"),
    ("mother", "mãe", "n", "4.1.9.1 Parent"),
    ("father", "pai", "n", "4.1.9.1 Parent"),
    ("child", "criança", "n", "2.6.4.2 Child"),
    ("woman", "mulher", "n", "2.6.5.2 Woman"),
    ("man", "homem", "n", "2.6.5.1 Man"),
    ("friend", "amigo", "n", "4.1.1 Friend"),
    ("head", "cabeça", "n", "2.1.1 Head"),
    ("hand", "mão", "n", "2.1.3.1 Arm"),
    ("eye", "olho", "n", "2.1.1.1 Eye"),
    ("mouth", "boca", "n", "2.1.1.5 Mouth"),
    ("food", "comida", "n", "5.2 Food"),
    ("salt", "sal", "n", "5.2.3.6 Spice"),
    ("maize", "milho", "n", "6.2.1.1 Grain"),
    ("cassava", "mandioca", "n", "6.2.1.3 Root crop"),
    ("pot", "panela", "n", "5.1.1 Cooking utensil"),
    ("knife", "faca", "n", "6.7 Tool"),
    ("drum", "tambor", "n", "4.2.3.2 Musical instrument"),
    ("song", "canção", "n", "4.2.3.3 Sing"),
    ("to go", "ir", "v", "7.2 Move"),
    ("to come", "vir", "v", "7.2 Move"),
    ("to eat", "comer", "v", "5.2.2 Eat"),
    ("to drink", "beber", "v", "5.2.2.7 Drink"),
    ("to see", "ver", "v", "2.3.1 See"),
    ("to hear", "ouvir", "v", "2.3.2 Hear"),
    ("to speak", "falar", "v", "3.5.1 Say"),
    ("to sing", "cantar", "v", "4.2.3.3 Sing"),
    ("to sleep", "dormir", "v", "5.7 Sleep"),
    ("to cook", "cozinhar", "v", "5.2.1 Cook"),
    ("to plant", "plantar", "v", "6.2.2 Plant a field"),
    ("to build", "construir", "v", "6.5 Working with buildings"),
    ("to swim", "nadar", "v", "7.2.1.4 Swim"),
    ("to laugh", "rir", "v", "3.5.6 Laugh"),
    ("to cry", "chorar", "v", "3.5.7 Cry"),
    ("to carry", "carregar", "v", "7.3.1 Carry"),
    ("big", "grande", "adj", "8.2.1 Large"),
    ("small", "pequeno", "adj", "8.2.2 Small"),
    ("red", "vermelho", "adj", "8.3.3.3 Color"),
    ("white", "branco", "adj", "8.3.3.3 Color"),
    ("good", "bom", "adj", "8.3.7 Good"),
    ("bad", "mau", "adj", "8.3.7.2 Bad"),
    ("cold", "frio", "adj", "8.3.4 Hot"),
    ("hot", "quente", "adj", "8.3.4 Hot"),
    ("new", "novo", "adj", "8.4.6.5 Old, not new"),
    ("old", "velho", "adj", "8.4.6.5 Old, not new"),
    ("today", "hoje", "adv", "8.4.6.4 Now"),
    ("tomorrow", "amanhã", "adv", "8.4.1.2 Day"),
    ("here", "aqui", "adv", "8.5.1 Here, there"),
    ("quickly", "depressa", "adv", "8.4.8 Speed"),
    ("and", "e", "conj", "9.6.1 Coordinate relations"),
    ("with", "com", "prep", "9.5 Case"),
    ("hello", "olá", "interj", "3.5.4.2 Greet"),
    ("I", "eu", "pro", "9.2.3 Pronoun"),
]
NOUNS = [x for x in LEXICON if x[2] == "n"]
ADJECTIVES = [x for x in LEXICON if x[2] == "adj"]
FRAMES = [
    ("the {x} is {a}", "o/a {x} é {a}"),
    ("I saw the {x} by the {y}", "vi o/a {x} perto do/a {y}"),
    ("we have no {x} today", "hoje não temos {x}"),
    ("bring the {x} to the {y}", "leva o/a {x} ao/à {y}"),
    ("my {x} likes the {y}", "o/a meu/minha {x} gosta do/a {y}"),
]
DEF_FRAMES = [
    ("a kind of {x} found near the {y}", "um tipo de {x} que se encontra perto do/a {y}"),
    ("what people use for the {x}", "o que as pessoas usam para o/a {x}"),
    ("the {x}, especially a {a} one", "o/a {x}, sobretudo um/a {a}"),
]


def _word(rng: random.Random) -> str:
    syllables = rng.choices([1, 2, 3, 4], weights=[1, 8, 8, 4])[0]
    out = []
    for i in range(syllables):
        if i > 0 or rng.random() > 0.1:  # some words start with a vowel
            out.append(rng.choices(ONSETS, cum_weights=ONSET_WEIGHTS)[0])
        out.append(rng.choice(VOWELS) + rng.choice(TONES))
    word = "".join(out)
    if rng.random() < 0.03:
        word = "ŋ" + rng.choice(TONES) + word  # the velar nasal, confusable with ng
    if rng.random() < 0.03:
        word += "-" + _word(rng)  # a compound
    return unicodedata.normalize("NFC", word)


def _example(rng: random.Random, gloss_en: str, gloss_pt: str) -> dict:
    en, pt = rng.choice(FRAMES)
    other = rng.choice(NOUNS)
    adj = rng.choice(ADJECTIVES)
    noun_en, noun_pt = gloss_en.removeprefix("to "), gloss_pt
    text = " ".join(_word(rng) for _ in range(rng.randint(3, 6)))
    return {
        "text": {LANG: text[:1].upper() + text[1:] + "."},
        "translations": {
            "en": en.format(x=noun_en, y=other[0].removeprefix("to "), a=adj[0]).capitalize() + ".",
            "pt": pt.format(x=noun_pt, y=other[1], a=adj[1]).capitalize() + ".",
        },
        "source": "",
    }


def _sense(rng: random.Random) -> dict:
    en, pt, pos, domain = rng.choice(LEXICON)
    other = rng.choice(NOUNS)
    adj = rng.choice(ADJECTIVES)
    d_en, d_pt = rng.choice(DEF_FRAMES)
    sense = {
        "part_of_speech": pos,
        "glosses": {"en": en, "pt": pt},
        "definitions": {},
        "semantic_domains": [domain],
        "examples": [_example(rng, en, pt) for _ in range(rng.choices([0, 1, 2], [3, 5, 2])[0])],
    }
    if rng.random() < 0.6:
        sense["definitions"] = {
            "en": d_en.format(x=en.removeprefix("to "), y=other[0].removeprefix("to "), a=adj[0]),
            "pt": d_pt.format(x=pt, y=other[1], a=adj[1]),
        }
    return sense


def generate_entries(n: int, seed: int = 0) -> list[dict]:
    """`n` entries in the shape of docs/entry-shape.md (input side: no ids or versions)."""
    rng = random.Random(seed)
    entries, seen, words = [], {}, []
    for _ in range(n):
        # About 3% are deliberate homographs of an earlier word (short words add a few more).
        word = rng.choice(words) if words and rng.random() < 0.03 else _word(rng)
        if word not in seen:
            words.append(word)
        senses = [_sense(rng) for _ in range(rng.choices([1, 2, 3], [6, 3, 1])[0])]
        entry = {
            "headword": {LANG: word},
            "citation": {},
            "lexeme_form": {},
            "homograph": 0,
            "morph_type": "stem",
            "part_of_speech": senses[0]["part_of_speech"],
            "status": "published",
            "visibility": "public",
            "pronunciations": [],
            "senses": senses,
            "variants": [],
            "relations": [],
            "notes": [],
            "etymologies": [],
            "extra": {},
        }
        seen.setdefault(word, []).append(entry)
        entries.append(entry)
    for group in seen.values():
        if len(group) > 1:
            for number, entry in enumerate(group, 1):
                entry["homograph"] = number
    # Stable ids let a benchmark or test refer to "entry 17" across runs.
    ids = random.Random(seed + 1)
    for entry in entries:
        entry["id"] = str(uuid.UUID(int=ids.getrandbits(128), version=4))
    return entries


def generate_dictionary(slug: str = "generated") -> dict:
    """The dictionary that `generate_entries` belongs to (its alphabet included)."""
    return {
        "slug": slug,
        "title": "Generated Dictionary",
        "language_name": "Generated",
        "language_code": LANG,
        "vernacular_ws": [LANG],
        "analysis_ws": ["en", "pt"],
        "alphabet": ALPHABET,
        "visibility": "public",
        "licence": "CC0-1.0",
        "description": "Made-up words for benchmarks (bench/generate.py).",
    }


def summary(entries: list[dict]) -> dict:
    senses = [s for e in entries for s in e["senses"]]
    return {
        "entries": len(entries),
        "senses": len(senses),
        "examples": sum(len(s["examples"]) for s in senses),
        "homographs": sum(1 for e in entries if e["homograph"]),
        "distinct_headwords": len({e["headword"][LANG] for e in entries}),
        "with_tone_marks": sum(
            1
            for e in entries
            if any(m in unicodedata.normalize("NFD", e["headword"][LANG]) for m in TONES if m)
        ),
        "json_bytes": len(json.dumps(entries, ensure_ascii=False).encode()),
        "sample": [e["headword"][LANG] for e in entries[:8]],
    }


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    started = time.perf_counter()
    generated = generate_entries(count)
    elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {**summary(generated), "seconds": round(elapsed, 3)}, ensure_ascii=False, indent=1
        )
    )
