"""The dictionary settings form -> a DictionaryUpdate dict, and the alphabet as the form
writes it (letters, ignorable characters, confusables) with its live sort preview."""

from __future__ import annotations

import re

from api.forms.entry import field_text
from lexicon.alphabet import Alphabet
from lexicon.editing import VISIBILITIES, choose
from lexicon.errors import InvalidInput
from lexicon.shape.labels import Label


class SettingsInvalid(InvalidInput):
    """The dictionary settings form has a mistake; `errors` maps field names to messages."""


def sort_preview(*, letters: str, ignore: str, words: str, confusables: str = "") -> dict:
    """Words sorted by an alphabet typed into the settings form (the live preview)."""
    try:
        alphabet = Alphabet.from_config(alphabet_config(letters, ignore, confusables))
    except InvalidInput as exc:
        return {"error": exc.message, "words": []}
    items = [w for w in (" ".join(line.split()) for line in words.splitlines()) if w]
    ordered = sorted(items, key=alphabet.sort_key)
    return {
        "error": None,
        "words": [{"word": w, "letter": alphabet.letter_of(w)} for w in ordered],
        "letters": [lt.lower for lt in alphabet.letters],
    }


def alphabet_config(letters: str, ignore: str, confusables: str = "") -> dict:
    """The settings form's alphabet: letters separated by spaces or lines ("Ng ng" on one line
    is an upper/lower pair), ignorable characters separated by spaces, and spellings that
    count as one letter written as `ŋ=ng` (separated by spaces)."""
    items: list = []
    for line in letters.splitlines():
        tokens = line.split()
        pair = len(tokens) == 2 and tokens[0].lower() == tokens[1] and tokens[0] != tokens[1]
        items.extend([" ".join(tokens)] if pair else tokens)
    groups = [g.split("=") for g in confusables.split() if "=" in g]
    return {"letters": items, "ignore": ignore.split(), "confusables": groups}


def alphabet_text(config: dict) -> str:
    """The alphabet for the settings form: letters on one line, upper/lower pairs alone."""
    lines, run = [], []
    for letter in config.get("letters", []):
        text = letter if isinstance(letter, str) else " ".join(letter)
        if " " in text:
            lines += [" ".join(run), text] if run else [text]
            run = []
        else:
            run.append(text)
    return "\n".join(lines + ([" ".join(run)] if run else []))


def settings_changes(form: dict) -> dict:
    """The settings form -> a DictionaryUpdate dict; SettingsInvalid names the bad fields."""
    errors: dict[str, str] = {}
    tags = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
    changes: dict = {}
    for key in ("title", "language_name", "language_code", "licence", "description"):
        if key in form:
            changes[key] = field_text(form.get(key))
    if not changes.get("title", "x"):
        errors["title"] = Label("The dictionary needs a title.")
    for key in ("vernacular_ws", "analysis_ws"):
        values = field_text(form.get(key)).replace(",", " ").split()
        bad = [v for v in values if not tags.match(v)]
        if bad:
            errors[key] = Label(
                "“%(tag)s” is not a writing system tag such as “en” or “seh-fonipa”.", tag=bad[0]
            )
        elif not values:
            errors[key] = Label("Give at least one writing system.")
        changes[key] = values
    try:
        config = alphabet_config(
            field_text(form.get("letters")),
            field_text(form.get("ignore")),
            field_text(form.get("confusables")),
        )
        Alphabet.from_config(config)
        changes["alphabet"] = config
    except InvalidInput as exc:
        errors["letters"] = exc.message
    for key, allowed in (
        ("visibility", ("public", "private")),
        ("default_entry_visibility", VISIBILITIES),
    ):
        value = field_text(form.get(key))
        if value not in allowed:
            errors[key] = choose(allowed)
        changes[key] = value
    if errors:
        raise SettingsInvalid(next(iter(errors.values())), errors=errors)
    return changes


# The settings form's inputs as its page labels them (the same words, translated alike).
_TYPED = (
    ("title", Label("Title")),
    ("language_name", Label("Language name")),
    ("language_code", Label("Language code (ISO 639-3 or BCP 47)")),
    ("description", Label("Description")),
    ("licence", Label("Licence")),
    ("vernacular_ws", Label("Vernacular writing systems (tags, separated by spaces)")),
    ("analysis_ws", Label("Analysis languages for glosses (tags, separated by spaces)")),
    (
        "letters",
        Label(
            "Letters in order (separated by spaces; multigraphs such as ng are one letter; put an unusual upper/lower pair such as “Ŋ ŋ” on its own line)"
        ),
    ),
    ("ignore", Label("Characters ignored when sorting (separated by spaces)")),
    (
        "confusables",
        Label("Other spellings of a letter, sorted and found as that letter (e.g. ŋ=ng ʼ=')"),
    ),
    ("visibility", Label("Who may see the dictionary")),
    ("default_entry_visibility", Label("Visibility of new entries")),
)


def typed_settings_lines(pairs) -> list[tuple[Label, str]]:
    """What an owner posted from the settings form as labelled lines (api.errors.keeps_typed):
    a long alphabet or description is not lost when their session ended meanwhile."""
    form = dict(pairs)
    return [(label, v) for name, label in _TYPED if (v := field_text(form.get(name)).strip())]


def typed_comment_lines(pairs) -> list[tuple[Label, str]]:
    """A reviewer's comment on a proposal, as the review page labels it."""
    comment = field_text(dict(pairs).get("comment")).strip()
    return [(Label("Comment for the contributor"), comment)] if comment else []
