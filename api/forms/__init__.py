"""Web forms <-> domain data: the keepers' entry form (`entry`) and the dictionary settings
form (`settings`). The domain (lexicon) never sees form field names except as validation keys."""

from api.forms.entry import entry_from_form, field_text, form_version, parse_form
from api.forms.settings import (
    SettingsInvalid,
    alphabet_config,
    alphabet_text,
    settings_changes,
    sort_preview,
)

__all__ = [
    "SettingsInvalid",
    "alphabet_config",
    "alphabet_text",
    "entry_from_form",
    "field_text",
    "form_version",
    "parse_form",
    "settings_changes",
    "sort_preview",
]
