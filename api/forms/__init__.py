"""Web forms <-> domain data: the keepers' entry form (`entry`), text form (`text`) and the
dictionary settings form (`settings`). The domain (lexicon) never sees form field names except
as validation keys."""

from api.forms.entry import (
    entry_from_form,
    field_text,
    form_version,
    parse_form,
    typed_entry,
    typed_entry_lines,
)
from api.forms.settings import (
    SettingsInvalid,
    alphabet_config,
    alphabet_text,
    settings_changes,
    sort_preview,
    typed_comment_lines,
    typed_settings_lines,
)
from api.forms.text import (
    form_inputs,
    text_editor,
    text_from_form,
    typed_text,
    typed_text_lines,
    typed_title_lines,
)

__all__ = [
    "SettingsInvalid",
    "alphabet_config",
    "alphabet_text",
    "entry_from_form",
    "field_text",
    "form_inputs",
    "form_version",
    "parse_form",
    "settings_changes",
    "sort_preview",
    "text_editor",
    "text_from_form",
    "typed_entry",
    "typed_comment_lines",
    "typed_entry_lines",
    "typed_settings_lines",
    "typed_text",
    "typed_text_lines",
    "typed_title_lines",
]
