"""Organisation-editable content: schema, loader and store, Markdown rendering, the check report."""

from bot.content.loader import ContentError, ContentStore, Problem, Severity, check_content, load_content
from bot.content.schema import Article, City, Clinic, EmergencyContact, Localized, Section, ServiceTag

__all__ = [
    "Article",
    "City",
    "Clinic",
    "ContentError",
    "ContentStore",
    "EmergencyContact",
    "Localized",
    "Problem",
    "Section",
    "ServiceTag",
    "Severity",
    "check_content",
    "load_content",
]
