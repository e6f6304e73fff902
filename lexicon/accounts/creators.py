"""Who may create dictionaries (WORDKEEP_DICTIONARY_CREATORS): site admins only, by default,
or any signed-in account. Whoever creates a dictionary owns it, and owners upload files (fonts)
and set up what others see: by default that is for the accounts a site admin trusts."""

from __future__ import annotations

from lexicon.accounts.access import Viewer
from lexicon.errors import Forbidden, NotAuthenticated

CREATORS = ("admins", "anyone")


def may_create_dictionaries(viewer: Viewer, creators: str = "admins") -> bool:
    """Whether `viewer` may create a dictionary under the site setting `creators`."""
    if viewer.anonymous:
        return False
    return viewer.is_admin or creators == "anyone"


def require_may_create(viewer: Viewer, creators: str = "admins") -> None:
    """401 for no one signed in, 403 for an account the setting leaves out."""
    if viewer.anonymous:
        raise NotAuthenticated("log in (or send a Bearer token) to create a dictionary")
    if not may_create_dictionaries(viewer, creators):
        raise Forbidden(
            "only site admins may create dictionaries here "
            "(WORDKEEP_DICTIONARY_CREATORS=admins); ask one to create it and make you its owner"
        )
