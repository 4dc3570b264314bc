"""Organisation-editable content: schema, loader and store, Markdown rendering, the check report."""

from bot.content.loader import ContentError, ContentStore, Problem, Severity, check_content, load_content
from bot.content.schema import (
    Article,
    City,
    Clinic,
    EmergencyContact,
    GlossaryTerm,
    Localized,
    Organisation,
    Section,
    ServiceTag,
)

__all__ = [
    "Article",
    "City",
    "Clinic",
    "ContentError",
    "ContentStore",
    "EmergencyContact",
    "GlossaryTerm",
    "Localized",
    "Organisation",
    "Problem",
    "Section",
    "ServiceTag",
    "Severity",
    "check_content",
    "load_content",
]
