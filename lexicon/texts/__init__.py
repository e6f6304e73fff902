"""Texts: recorded stories and oral histories with their time-aligned segments
(docs/text-shape.md). `store` writes and reads them (versions, revisions, restore), `view`
filters them through the one access rule, `recording` keeps a text's long recording; `saving`
saves the keeper's form, merged (`merge`) with a save made meanwhile."""

from lexicon.texts.merge import Clash, ClashPublic, clash_label, clash_lines, clash_public
from lexicon.texts.recording import TEXT_MAX_SECONDS, import_text, set_recording, text_limits
from lexicon.texts.saving import (
    TextConflict,
    TextDeleted,
    resolve_conflict,
    restore_and_save,
    save_sent_text,
    save_text,
)
from lexicon.texts.shape import clean_text, first_form, text_end
from lexicon.texts.store import (
    AudioTooShort,
    TextNotFound,
    TextRevisionNotFound,
    check_recording,
    create_text,
    delete_text,
    find_text,
    has_texts,
    list_texts,
    read_text,
    restore_revision,
    text_history,
    update_text,
)
from lexicon.texts.view import filter_text

__all__ = [
    "TEXT_MAX_SECONDS",
    "AudioTooShort",
    "Clash",
    "ClashPublic",
    "TextConflict",
    "TextDeleted",
    "TextNotFound",
    "TextRevisionNotFound",
    "check_recording",
    "clash_label",
    "clash_lines",
    "clash_public",
    "clean_text",
    "create_text",
    "delete_text",
    "filter_text",
    "find_text",
    "first_form",
    "has_texts",
    "import_text",
    "list_texts",
    "read_text",
    "resolve_conflict",
    "restore_and_save",
    "restore_revision",
    "save_sent_text",
    "save_text",
    "set_recording",
    "text_end",
    "text_history",
    "text_limits",
    "update_text",
]
