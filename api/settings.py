"""Configuration from the environment (WORDKEEP_*). Every setting is listed in README.md."""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WORDKEEP_", env_file=None, extra="ignore")

    database_url: str = "sqlite:///./wordkeep.db"
    media_dir: str = "./media"  # a folder, or s3://bucket?endpoint=http://host:port
    secret_key: str = PLACEHOLDER_SECRET
    environment: str = "development"  # development | production
    templates_dir: str | None = None  # a folder whose templates override the shipped ones
    max_upload_bytes: int = 50 * 1024 * 1024
    max_audio_seconds: float = 300.0
    max_image_pixels: int = 50_000_000
    max_import_bytes: int = 200 * 1024 * 1024
    login_max_failures: int = 5
    login_lockout_seconds: int = 60
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

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.environment != "development" and self.secret_key == PLACEHOLDER_SECRET:
            raise ValueError(
                "WORDKEEP_SECRET_KEY must be set to a long random value outside development"
            )
        return self
