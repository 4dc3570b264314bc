"""Settings from the environment (and an optional `.env`), in one typed place."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TELEGRAM_API = "https://api.telegram.org"
LANGUAGES: tuple[str, ...] = ("uk", "ru", "en")


class Settings(BaseSettings):
    """Every knob of a deployment; names match the environment variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    telegram_api_url: str = TELEGRAM_API
    data_dir: Path = Path("data")
    database_url: str | None = None
    redis_url: str | None = None
    privacy_key: SecretStr | None = None

    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080
    webhook_path: str = "/telegram/webhook"
    # On SIGTERM, how long updates in flight may take to finish (below the orchestrator's grace period).
    shutdown_timeout: float = Field(default=25, gt=0)

    content_dir: Path = PROJECT_ROOT / "content"
    locales_dir: Path = PROJECT_ROOT / "locales"
    default_language: Literal["uk", "ru", "en"] = "en"

    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"

    # Flood control: at most `throttle_limit` updates per member within `throttle_window` seconds.
    throttle_limit: int = Field(default=8, ge=1)
    throttle_window: float = Field(default=5.0, gt=0)
    # How long message ids of a private chat are kept so "clear chat" can find them (Telegram lets
    # bots delete only the last 48 hours; older ids are kept a little longer to say what remains).
    chat_message_retention_days: int = Field(default=7, ge=2)
    # A single process keeps recently seen members in memory this long (0: always ask the database).
    member_cache_seconds: float = Field(default=300, ge=0)
    # Talking to a person (minutes unless said otherwise).
    handoff_escalate_after: int = Field(default=10, ge=1)
    handoff_supervisor_after: int = Field(default=20, ge=1)
    handoff_idle_warn_after: int = Field(default=60, ge=1)
    handoff_idle_close_after: int = Field(default=90, ge=2)
    case_topic_retention_days: int = Field(default=30, ge=1)
    # Several workers (REDIS_URL set): the scheduler leader's lease; a dead leader is replaced within it.
    leader_lease_seconds: float = Field(default=30, ge=3)
    # Members who have not written for this long are erased automatically.
    inactive_member_retention_days: int = Field(default=365, ge=30)
    # Bad-client alerts: how long an approved alert is shown and checked against; number checks
    # a member may make per hour.
    alert_expiry_days: int = Field(default=90, ge=1)
    number_check_limit: int = Field(default=20, ge=1)
    # Broadcasts and alerts: messages a second overall (Telegram allows about 30 in bulk; the rest
    # is headroom for answering members meanwhile) and seconds between two messages to one chat.
    broadcast_rate: float = Field(default=25.0, gt=0, le=30)
    delivery_chat_interval: float = Field(default=1.0, ge=1.0)
    # A delivery job whose process has not written for this long is taken over (a crash).
    delivery_lease_seconds: float = Field(default=60, ge=2)
    # How often the scheduler leader looks for due tasks (scheduled broadcasts) and jobs to resume.
    scheduler_tick_seconds: float = Field(default=5, gt=0)

    @field_validator("webhook_path")
    @classmethod
    def _path_starts_with_slash(cls, value: str) -> str:
        return value if value.startswith("/") else "/" + value

    @cached_property
    def database(self) -> str:
        """The SQLAlchemy URL: the configured one, or a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'umbrella.db').resolve()}"

    @property
    def webhook_mode(self) -> bool:
        return bool(self.webhook_url)
