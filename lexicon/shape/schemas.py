"""The entry and dictionary shapes (docs/entry-shape.md) as validated models.

Input models ignore server-owned fields; `EntryPublic` and `DictionaryPublic` are what the API
answers. Every string is NFC-normalised before validation (`nfc_deep`).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Visibility = Literal["public", "community", "restricted"]
Status = Literal["draft", "needs_review", "published"]
Multitext = dict[str, str]

_WS_TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def nfc_deep(value: Any) -> Any:
    """Return `value` with every string in it (keys too) normalised to NFC."""
    if isinstance(value, str):
        if "\x00" in value:  # no database stores NUL in text; it is never meant
            value = value.replace("\x00", "")
        # is_normalized is a fast check; most text arrives in NFC already.
        return (
            value
            if unicodedata.is_normalized("NFC", value)
            else unicodedata.normalize("NFC", value)
        )
    if isinstance(value, dict):
        return {nfc_deep(k): nfc_deep(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [nfc_deep(v) for v in value]
    return value


_GOOD_TAGS: set[str] = set()  # tags already checked: a dictionary uses a handful, everywhere


def _check_multitext(value: dict[str, str]) -> dict[str, str]:
    for tag in value:
        if tag in _GOOD_TAGS:
            continue
        if not _WS_TAG.match(tag):
            raise ValueError(
                f"{tag!r} is not a writing system tag (BCP 47, e.g. 'en' or 'seh-fonipa')"
            )
        if len(_GOOD_TAGS) < 10_000:
            _GOOD_TAGS.add(tag)
    return {k: v for k, v in value.items() if v is not None}


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore")


class MediaRef(_In):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Note(_In):
    type: str = ""
    text: Multitext = Field(default_factory=dict)

    _mt = field_validator("text")(_check_multitext)


class Recording(_In):
    """Who spoke a recording, where and when, and the consent given (docs/entry-shape.md)."""

    speaker: str = ""
    dialect: str = ""
    place: str = ""
    recorded_on: str = ""
    consent: str = ""  # notes on the consent: how, when, by whom it was given
    consent_publish: bool | None = None  # may it be published? None: not recorded
    consent_speech_tools: bool | None = None  # may it train speech tools (AI)? None: not recorded
    speaker_named: bool = False  # may learners see the speaker's name?


class ExampleIn(_In):
    id: str | None = None
    text: Multitext = Field(default_factory=dict)
    translations: Multitext = Field(default_factory=dict)
    source: str = ""
    visibility: Visibility = "public"
    circle: str | None = None
    media: MediaRef | None = None
    recording: Recording = Field(default_factory=Recording)
    extra: dict = Field(default_factory=dict)

    _mt = field_validator("text", "translations")(_check_multitext)


class PictureIn(_In):
    id: str | None = None
    caption: Multitext = Field(default_factory=dict)
    credit: str = ""
    licence: str = ""
    consent: str = ""
    visibility: Visibility = "public"
    circle: str | None = None
    media: MediaRef | None = None
    extra: dict = Field(default_factory=dict)


class Reversal(_In):
    lang: str = ""
    text: str = ""


class SenseIn(_In):
    id: str | None = None
    part_of_speech: str | None = None
    glosses: Multitext = Field(default_factory=dict)
    definitions: Multitext = Field(default_factory=dict)
    semantic_domains: list[str] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    examples: list[ExampleIn] = Field(default_factory=list)
    pictures: list[PictureIn] = Field(default_factory=list)
    reversals: list[Reversal] = Field(default_factory=list)
    subsenses: list[SenseIn] = Field(default_factory=list)
    visibility: Visibility = "public"
    circle: str | None = None
    extra: dict = Field(default_factory=dict)

    _mt = field_validator("glosses", "definitions")(_check_multitext)


class PronunciationIn(Recording):
    id: str | None = None
    ipa: str = ""
    forms: Multitext = Field(default_factory=dict)
    visibility: Visibility = "public"
    circle: str | None = None
    media: MediaRef | None = None
    extra: dict = Field(default_factory=dict)


class Variant(_In):
    form: Multitext = Field(default_factory=dict)
    type: str = ""
    extra: dict = Field(default_factory=dict)


class RelationIn(_In):
    type: str = ""
    target_id: str = ""
    target_headword: str = ""
    extra: dict = Field(default_factory=dict)


class Etymology(_In):
    type: str = ""
    source: str = ""
    form: Multitext = Field(default_factory=dict)
    gloss: Multitext = Field(default_factory=dict)
    extra: dict = Field(default_factory=dict)


class EntryIn(_In):
    """What a client sends to create or replace an entry."""

    headword: Multitext = Field(min_length=1)
    citation: Multitext = Field(default_factory=dict)
    lexeme_form: Multitext = Field(default_factory=dict)
    homograph: int = Field(default=0, ge=0)
    morph_type: str | None = None
    part_of_speech: str | None = None
    status: Status = "published"
    visibility: Visibility | None = None  # None: the dictionary's default
    circle: str | None = None
    pronunciations: list[PronunciationIn] = Field(default_factory=list)
    senses: list[SenseIn] = Field(default_factory=list)
    variants: list[Variant] = Field(default_factory=list)
    relations: list[RelationIn] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    etymologies: list[Etymology] = Field(default_factory=list)
    extra: dict = Field(default_factory=dict)
    version: int | None = None  # the version being edited (PUT)

    _mt = field_validator("headword", "citation", "lexeme_form")(_check_multitext)

    @field_validator("headword")
    @classmethod
    def _headword_not_blank(cls, value: dict[str, str]) -> dict[str, str]:
        if not any(v.strip() for v in value.values()):
            raise ValueError("headword needs at least one non-empty form")
        return value


class MediaPublic(BaseModel):
    sha256: str
    url: str
    mime: str = ""
    duration: float | None = None
    size: int | None = None
    original_name: str = ""
    original_url: str | None = None
    width: int | None = None
    height: int | None = None
    srcset: str | None = None


class ExamplePublic(ExampleIn):
    id: str
    media: MediaPublic | None = None


class PicturePublic(PictureIn):
    id: str
    media: MediaPublic | None = None


class SensePublic(SenseIn):
    id: str
    examples: list[ExamplePublic] = Field(default_factory=list)
    pictures: list[PicturePublic] = Field(default_factory=list)
    subsenses: list[SensePublic] = Field(default_factory=list)


class PronunciationPublic(PronunciationIn):
    id: str
    media: MediaPublic | None = None


class EntryPublic(EntryIn):
    id: str
    version: int
    visibility: Visibility
    senses: list[SensePublic] = Field(default_factory=list)
    pronunciations: list[PronunciationPublic] = Field(default_factory=list)
    created_at: str
    updated_at: str
    created_by: str = ""
    updated_by: str = ""
    deleted: bool = False


class Alphabet(_In):
    letters: list[str | list[str]] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    confusables: list[list[str]] = Field(default_factory=list)


class DictionaryUpdate(_In):
    title: str | None = None
    language_name: str | None = None
    language_code: str | None = None
    glottocode: str | None = None
    vernacular_ws: list[str] | None = None
    analysis_ws: list[str] | None = None
    alphabet: Alphabet | None = None
    visibility: Literal["public", "private"] | None = None
    default_entry_visibility: Visibility | None = None
    licence: str | None = None
    credits: str | None = None
    description: str | None = None
    extra: dict | None = None


class DictionaryCreate(DictionaryUpdate):
    slug: str
    title: str

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError("slug must be lowercase letters, digits and hyphens (at most 64)")
        return value


class DictionaryPublic(BaseModel):
    slug: str
    title: str
    language_name: str = ""
    language_code: str = ""
    glottocode: str = ""
    vernacular_ws: list[str]
    analysis_ws: list[str]
    alphabet: dict
    visibility: str
    default_entry_visibility: str
    licence: str = ""
    credits: str = ""
    description: str = ""
    entry_count: int = 0
    extra: dict = Field(default_factory=dict)


class Page(BaseModel):
    items: list[Any]
    total: int
    next: str | None = None


class RevisionPublic(BaseModel):
    number: int
    action: str
    editor: str
    comment: str = ""
    created_at: str
    data: dict
