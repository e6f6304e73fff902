"""Tables. LIFT-shaped: multitext fields are JSON objects keyed by writing system.

The public JSON shape of an entry (docs/entry-shape.md) is assembled from these rows by
`lexicon.editing` / `lexicon.entries`; nothing outside the store writes them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _json(**kw) -> Column:
    return Column(JSON, nullable=False, **kw)


# Sort keys compare by code point; PostgreSQL's default collation would reorder them.
SORT_KEY = String().with_variant(String(collation="C"), "postgresql")


class Dictionary(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(index=True, unique=True, max_length=64)
    title: str
    language_name: str = ""
    language_code: str = ""
    glottocode: str = ""
    vernacular_ws: list = Field(default_factory=list, sa_column=_json())
    analysis_ws: list = Field(default_factory=list, sa_column=_json())
    alphabet: dict = Field(default_factory=dict, sa_column=_json())
    visibility: str = "public"
    default_entry_visibility: str = "public"
    licence: str = ""
    credits: str = ""
    description: str = ""
    extra: dict = Field(default_factory=dict, sa_column=_json())
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # Bumped (atomically, row lock first) by every write to the entries or settings: caches of
    # search and browse pages key on it. See lexicon.editing.dictionaries.touch.
    generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


# What browsing and counting entries read of each row besides the key: in the indexes, so a
# letter's page and its count never visit the table, whose rows carry the whole entry as JSON.
ENTRY_LISTED = ("id", "status", "visibility", "circle")


class Entry(SQLModel, table=True):
    __table_args__ = (
        Index(
            "ix_entry_dict_sort", "dictionary_id", "deleted", "sort_key", "letter", *ENTRY_LISTED
        ),  # fmt: skip
        Index(
            "ix_entry_letter", "dictionary_id", "deleted", "letter", "sort_key", *ENTRY_LISTED
        ),  # fmt: skip
    )

    id: str = Field(primary_key=True, max_length=64)
    dictionary_id: int = Field(foreign_key="dictionary.id", index=True)
    version: int = 1
    headword: dict = Field(default_factory=dict, sa_column=_json())
    citation: dict = Field(default_factory=dict, sa_column=_json())
    lexeme_form: dict = Field(default_factory=dict, sa_column=_json())
    homograph: int = 0
    morph_type: str | None = None
    part_of_speech: str | None = None
    status: str = "published"
    visibility: str = "public"
    circle: str | None = None
    variants: list = Field(default_factory=list, sa_column=_json())
    etymologies: list = Field(default_factory=list, sa_column=_json())
    notes: list = Field(default_factory=list, sa_column=_json())
    extra: dict = Field(default_factory=dict, sa_column=_json())
    # Derived on every write (lexicon.alphabet): display headword, order, filing letter.
    headword_text: str = ""
    sort_key: str = Field(default="", sa_type=SORT_KEY)
    letter: str | None = None  # indexed with the dictionary's order: see __table_args__
    has_audio: bool = False
    deleted: bool = False
    deleted_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    created_by: str = ""
    updated_by: str = ""


class Sense(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    entry_id: str = Field(foreign_key="entry.id", index=True)
    parent_id: str | None = None
    position: int = 0
    part_of_speech: str | None = None
    glosses: dict = Field(default_factory=dict, sa_column=_json())
    definitions: dict = Field(default_factory=dict, sa_column=_json())
    semantic_domains: list = Field(default_factory=list, sa_column=_json())
    notes: list = Field(default_factory=list, sa_column=_json())
    reversals: list = Field(default_factory=list, sa_column=_json())
    visibility: str = "public"
    circle: str | None = None
    extra: dict = Field(default_factory=dict, sa_column=_json())


class Example(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    entry_id: str = Field(foreign_key="entry.id", index=True)
    sense_id: str = Field(foreign_key="sense.id", index=True)
    position: int = 0
    text: dict = Field(default_factory=dict, sa_column=_json())
    translations: dict = Field(default_factory=dict, sa_column=_json())
    source: str = ""
    visibility: str = "public"
    circle: str | None = None
    media_sha256: str | None = Field(default=None, index=True)
    recording: dict = Field(default_factory=dict, sa_column=_json())  # who spoke it, consent
    extra: dict = Field(default_factory=dict, sa_column=_json())


class Pronunciation(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    entry_id: str = Field(foreign_key="entry.id", index=True)
    position: int = 0
    ipa: str = ""
    forms: dict = Field(default_factory=dict, sa_column=_json())
    speaker: str = ""
    dialect: str = ""
    place: str = ""
    recorded_on: str = ""
    consent: str = ""
    consent_publish: bool | None = None  # None: not recorded
    consent_speech_tools: bool | None = None
    speaker_named: bool = False
    visibility: str = "public"
    circle: str | None = None
    media_sha256: str | None = Field(default=None, index=True)
    extra: dict = Field(default_factory=dict, sa_column=_json())


class Picture(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    entry_id: str = Field(foreign_key="entry.id", index=True)
    sense_id: str = Field(foreign_key="sense.id", index=True)
    position: int = 0
    caption: dict = Field(default_factory=dict, sa_column=_json())
    credit: str = ""
    licence: str = ""
    consent: str = ""
    visibility: str = "public"
    circle: str | None = None
    media_sha256: str | None = Field(default=None, index=True)
    extra: dict = Field(default_factory=dict, sa_column=_json())


class Relation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    entry_id: str = Field(foreign_key="entry.id", index=True)
    position: int = 0
    type: str = ""
    target_id: str = Field(default="", index=True)
    extra: dict = Field(default_factory=dict, sa_column=_json())


class Media(SQLModel, table=True):
    """A stored file: the archival original (by sha256) and its web derivative(s)."""

    __table_args__ = (UniqueConstraint("dictionary_id", "sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    dictionary_id: int = Field(foreign_key="dictionary.id", index=True)
    sha256: str = Field(index=True, max_length=64)
    kind: str = "audio"  # audio | image
    mime: str = ""
    size: int = 0
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    original_name: str = ""
    original_key: str = ""
    derivative_key: str | None = None
    derivative_mime: str | None = None
    derivative_size: int | None = None
    derivative_duration: float | None = None
    extra: dict = Field(default_factory=dict, sa_column=_json())
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = ""


class Revision(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("entry_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: str = Field(foreign_key="entry.id", index=True)
    dictionary_id: int = Field(foreign_key="dictionary.id", index=True)
    number: int
    action: str  # create | update | delete | restore | import | accept
    data: dict = Field(default_factory=dict, sa_column=_json())
    editor: str = ""
    comment: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True, max_length=320)
    display_name: str = ""
    password_hash: str = ""
    is_admin: bool = False
    locale: str | None = None
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    # Carried in the session cookie from login; a cookie with an older one is no longer a
    # session (bumped by logging out, a new password, `wordkeep user logout`).
    session_generation: int = 0
    last_seen_at: datetime | None = None  # the last login (or accepted link): the members page


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "dictionary_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    dictionary_id: int = Field(foreign_key="dictionary.id", index=True)
    role: str  # owner | editor | contributor | viewer
    created_at: datetime = Field(default_factory=utcnow)


class Circle(SQLModel, table=True):
    """A named group (e.g. "elders") that may see restricted items of one dictionary."""

    __table_args__ = (UniqueConstraint("dictionary_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    dictionary_id: int = Field(foreign_key="dictionary.id", index=True)
    name: str


class CircleMember(SQLModel, table=True):
    circle_id: int = Field(foreign_key="circle.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True)


class ApiToken(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(index=True, unique=True, max_length=128)
    name: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class Invitation(SQLModel, table=True):
    """A link an owner sent to bring someone into a dictionary with a role (and circles).
    Only the SHA-256 of its token is kept; it is single-use and expires."""

    id: int | None = Field(default=None, primary_key=True)
    dictionary_id: int = Field(foreign_key="dictionary.id", index=True)
    email: str = Field(max_length=320)
    role: str = Field(max_length=20)
    circles: list = Field(default_factory=list, sa_column=_json())
    token_hash: str = Field(index=True, unique=True, max_length=64)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    used_by: int | None = Field(default=None, foreign_key="user.id")
    revoked_at: datetime | None = None


class PasswordReset(SQLModel, table=True):
    """A link that sets a new password for one account (single-use, expires within hours)."""

    __tablename__ = "password_reset"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    created_by: int | None = Field(default=None, foreign_key="user.id")  # None: "forgot"
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class SetupLink(SQLModel, table=True):
    """The first-run link `wordkeep serve` prints while no site admin exists."""

    __tablename__ = "setup_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None


class LoginThrottle(SQLModel, table=True):
    key: str = Field(primary_key=True, max_length=400)
    failures: int = 0
    first_failure_at: datetime | None = None
    locked_until: datetime | None = None


class Proposal(SQLModel, table=True):
    """A contributor's change, waiting for an editor to accept or reject it."""

    id: int | None = Field(default=None, primary_key=True)
    dictionary_id: int = Field(foreign_key="dictionary.id", index=True)
    entry_id: str | None = Field(default=None, index=True)
    base_version: int | None = None
    action: str = "update"  # create | update | delete
    data: dict = Field(default_factory=dict, sa_column=_json())
    author_id: int = Field(foreign_key="user.id")
    status: str = Field(default="pending", index=True)  # pending | accepted | rejected
    comment: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    reviewed_by: int | None = None
    reviewed_at: datetime | None = None


class Text(SQLModel, table=True):
    """A recorded story, oral history or conversation (docs/text-shape.md): its scope, its one
    long recording (`media_sha256`) and its description; the segments are rows of their own."""

    id: str = Field(primary_key=True, max_length=64)
    dictionary_id: int = Field(foreign_key="dictionary.id", index=True)
    version: int = 1
    title: dict = Field(default_factory=dict, sa_column=_json())
    description: dict = Field(default_factory=dict, sa_column=_json())
    genre: str = ""
    recorded_on: str = ""
    place: str = ""
    speakers: list = Field(default_factory=list, sa_column=_json())  # with their consent
    visibility: str = "public"
    circle: str | None = None
    status: str = "published"
    media_sha256: str | None = Field(default=None, index=True)
    extra: dict = Field(default_factory=dict, sa_column=_json())
    deleted: bool = False
    deleted_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    created_by: str = ""
    updated_by: str = ""


class TextSegment(SQLModel, table=True):
    """One utterance of a text, a row so that segments can be queried (the concordance)."""

    __tablename__ = "text_segment"

    id: str = Field(primary_key=True, max_length=64)
    text_id: str = Field(foreign_key="text.id", index=True)
    position: int = 0
    start: float | None = None
    end: float | None = None
    speaker: str | None = None
    text: dict = Field(default_factory=dict, sa_column=_json())
    translation: dict = Field(default_factory=dict, sa_column=_json())
    visibility: str = "public"
    circle: str | None = None
    words: list = Field(default_factory=list, sa_column=_json())
    extra: dict = Field(default_factory=dict, sa_column=_json())


class TextRevision(SQLModel, table=True):
    """The whole text dict as it was after one change; restorable like an entry's."""

    __tablename__ = "text_revision"
    __table_args__ = (UniqueConstraint("text_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    text_id: str = Field(foreign_key="text.id", index=True)
    dictionary_id: int = Field(foreign_key="dictionary.id", index=True)
    number: int
    action: str  # create | import | update | delete | restore
    data: dict = Field(default_factory=dict, sa_column=_json())
    editor: str = ""
    comment: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class TextWord(SQLModel, table=True):
    """One word (or morpheme) of a segment and the entry it is linked to: an index kept in
    step with every text write by lexicon.texts.links (the concordance and the new-word
    candidates read it); the keeper's own choices live in the text itself."""

    __tablename__ = "text_word"
    __table_args__ = (
        Index("ix_text_word_entry", "dictionary_id", "entry_id"),
        Index("ix_text_word_folded", "dictionary_id", "folded"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dictionary_id: int = Field(foreign_key="dictionary.id")
    text_id: str = Field(foreign_key="text.id", index=True, max_length=64)
    segment_id: str = Field(max_length=64)
    n: int  # the word's place among the segment's words
    m: int = -1  # the morpheme's place in the word; -1 for the word itself
    form: str
    folded: str = Field(sa_type=SORT_KEY)
    entry_id: str | None = Field(default=None, max_length=64)
    link: str = "none"  # auto | confirmed | rejected | none
