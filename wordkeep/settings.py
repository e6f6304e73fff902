"""Configuration from the environment (WORDKEEP_*). Every setting is listed in README.md.

Read by the command line (wordkeep/) and the web app (api/); it imports neither.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me"  # the old default: public knowledge, so never accepted
MIN_SECRET_BYTES = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WORDKEEP_", env_file=None, extra="ignore")

    database_url: str = "sqlite:///./wordkeep.db"
    media_dir: str = "./media"  # a folder, or s3://bucket?endpoint=http://host:port
    # None: generated on first start and kept beside the database (lexicon/accounts/site_secret.py)
    secret_key: str | None = None
    environment: str = "development"  # development | production
    templates_dir: str | None = None  # a folder whose templates override the shipped ones
    max_upload_bytes: int = 50 * 1024 * 1024
    max_audio_seconds: float = 300.0
    max_image_pixels: int = 50_000_000
    max_import_bytes: int = 200 * 1024 * 1024
    max_text_audio_bytes: int = 2 * 1024**3  # a text's long recording (an hour of WAV and more)
    login_max_failures: int = 5  # wrong passwords for one account from one address
    login_max_failures_per_address: int = 100  # from one address, any accounts (0: no limit)
    login_lockout_seconds: int = 60
    login_failure_window: int = 900  # seconds after which failures are forgotten
    session_max_age: int = 14 * 24 * 3600
    https_only: bool = False  # mark session cookies Secure (set behind https)
    default_locale: str = "en"
    log_level: str = "info"
    print_cache_dir: str | None = None  # default: a folder under the system's temp dir
    public_url: str | None = None  # e.g. https://dict.example.org (QR codes in PDFs)
    media_sweep_interval: float = Field(3600.0, ge=0)  # `serve`'s orphan-media sweeps (0: off)
    # Files younger than this are never swept: they may belong to an upload in flight.
    media_sweep_grace: float = Field(3600.0, ge=60)
    page_cache_size: int = 2000  # search/browse pages kept per worker (0: none)
    # PostgreSQL: seconds a page's or API client's write waits for a row another write holds (a
    # large import) before it is refused as busy (503); SQLite's writes wait 15 s for its lock.
    lock_timeout: float = Field(15.0, gt=0)
    # Who may create dictionaries through the API: site admins only, or any signed-in account.
    dictionary_creators: Literal["admins", "anyone"] = "admins"
    # Prints not already in the print cache, per client and minute, and at once per worker.
    print_renders_per_minute: int = Field(10, ge=1)
    print_concurrent_renders: int = Field(2, ge=1)
    # smtp://[user:password@]host[:port][?from=ADDRESS&starttls=1] or smtps://...: invitation
    # and password-reset links are also emailed (they are always shown to copy, too).
    smtp_url: str | None = None

    @model_validator(mode="after")
    def _check_smtp_url(self) -> Settings:
        # The same check as lexicon.accounts.mail.parse_smtp_url, which sends.
        parts = urlsplit((self.smtp_url or "").strip())
        if self.smtp_url and (parts.scheme not in ("smtp", "smtps") or not parts.hostname):
            raise ValueError(
                "WORDKEEP_SMTP_URL: expected smtp://[user:password@]host[:port] or smtps://..."
            )
        return self

    @model_validator(mode="after")
    def _refuse_weak_secret(self) -> Settings:
        if self.secret_key is None:
            return self
        if self.secret_key.strip() in ("", PLACEHOLDER_SECRET):
            raise ValueError(
                "WORDKEEP_SECRET_KEY: the placeholder (or an empty key) is not a secret; "
                "set a long random value (openssl rand -hex 32) or unset it to have one generated"
            )
        if self.environment == "production" and len(self.secret_key.encode()) < MIN_SECRET_BYTES:
            raise ValueError(
                f"WORDKEEP_SECRET_KEY: {len(self.secret_key.encode())} bytes; production needs "
                f"at least {MIN_SECRET_BYTES} (openssl rand -hex 32), or unset it to have one "
                "generated"
            )
        return self
