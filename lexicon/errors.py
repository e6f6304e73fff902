"""Named domain errors. The web layer maps each family to one HTTP status (api/errors.py)."""


class WordkeepError(Exception):
    """Base of every error the domain raises on purpose."""

    def __init__(self, message: str = "", **details):
        super().__init__(message or (self.__doc__ or "").strip())
        self.message = message or (self.__doc__ or "").strip()
        self.details = details


class NotFound(WordkeepError):
    """The thing asked for does not exist (or is not visible to the caller)."""


class InvalidInput(WordkeepError):
    """The input is not acceptable; the message names what was wrong."""


class Conflict(WordkeepError):
    """The request conflicts with the current state."""


class Forbidden(WordkeepError):
    """The caller may not do this."""


class NotAuthenticated(WordkeepError):
    """The caller must log in first."""


class TooLarge(WordkeepError):
    """The upload or request is over a configured limit."""


class UnsupportedMedia(WordkeepError):
    """The file is not of a kind that is accepted."""


class TooManyRequests(WordkeepError):
    """Too much asked of the server in a short time: wait before asking again."""

    def __init__(self, message: str = "", *, retry_after: int, **details):
        super().__init__(message, **details)
        self.retry_after = retry_after


class Busy(WordkeepError):
    """Another change is being written (a large import, say) and this one could not wait for
    it: nothing was saved; the same request may be sent again in a moment."""

    retry_after = 30  # seconds


class NotInstalled(WordkeepError):
    """The server lacks an optional part (a `wordkeep[...]` extra) that this needs."""


class Gone(NotFound):
    """It was there and has been deleted (its history keeps it: it may be restored)."""


class DictionaryNotFound(NotFound):
    """No dictionary with that slug."""


class EntryNotFound(NotFound):
    """No entry with that id in this dictionary."""


class EntryDeleted(EntryNotFound, Gone):
    """The entry was deleted while the keeper edited it: nothing was saved; it can be restored
    (`lexicon.editing.restore_and_save`, or its revision before the delete)."""


class RevisionNotFound(NotFound):
    """No revision with that number for this entry."""


class DuplicateDictionary(Conflict):
    """A dictionary with that slug exists already."""


class StaleVersion(Conflict):
    """The entry was changed since the version being edited."""

    def __init__(self, message: str = "", *, current: dict | None = None, **details):
        super().__init__(message, **details)
        self.current = current


class ImportRejected(InvalidInput):
    """An import was refused; nothing was written."""
