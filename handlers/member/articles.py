"""Long texts (rights, health, safety, urgent) shown a page at a time, each page one Telegram message."""

from __future__ import annotations

from collections.abc import Callable

from aiogram import Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message
from aiogram.utils.i18n import gettext as _

from bot.content.loader import ContentStore
from bot.content.schema import Article, Section
from handlers.ui import Nav, Screen, button, keyboard, show

router = Router(name="articles")
PAGE_LIMIT = 4000  # leaves room for the "Page 1 of 2" line under a page

SECTION_SCREEN = {
    Section.RIGHTS: Screen.rights,
    Section.HEALTH: Screen.health,
    Section.SAFETY: Screen.safety,
    Section.URGENT: Screen.urgent,
}


# Rights texts are information, not advice: a person is one tap away. Young people too.
TALK_SECTIONS = frozenset({Section.RIGHTS, Section.YOUTH})

BackTarget = Callable[[Article], CallbackData]
_back_targets: dict[Section, BackTarget] = {}


def back_target(section: Section) -> Callable[[BackTarget], BackTarget]:
    """Let a section decide where Back leads from one of its articles (default: the section's menu)."""

    def register(func: BackTarget) -> BackTarget:
        _back_targets[section] = func
        return func

    return register


def article_back(article: Article) -> CallbackData:
    target = _back_targets.get(article.section)
    return target(article) if target else Nav(to=SECTION_SCREEN.get(article.section, Screen.home))


class ArticleView(CallbackData, prefix="art"):
    id: str
    page: int = 0


def article_buttons(articles: list[Article], language: str, icon: str) -> list[InlineKeyboardButton]:
    return [button(f"{icon} {a.title(language)}", ArticleView(id=a.id)) for a in articles]


async def show_article(
    event: Message | CallbackQuery,
    article: Article,
    language: str,
    page: int = 0,
    extra: list[InlineKeyboardButton] | None = None,
) -> None:
    pages = article.pages(language, limit=PAGE_LIMIT)
    page = min(max(page, 0), len(pages) - 1)
    text = pages[page]
    if len(pages) > 1:
        text = f"{text}\n\n<i>{_('Page {page} of {pages}').format(page=page + 1, pages=len(pages))}</i>"
    paging = []
    if page > 0:
        paging.append(button(_("◀️ Previous"), ArticleView(id=article.id, page=page - 1)))
    if page < len(pages) - 1:
        paging.append(button(_("Next ▶️"), ArticleView(id=article.id, page=page + 1)))
    buttons = list(extra or [])
    if article.section in TALK_SECTIONS:
        buttons.append(button(_("💬 Talk to a person"), Nav(to=Screen.person)))
    markup = keyboard(buttons, back=article_back(article))
    if paging:
        markup.inline_keyboard.insert(0, paging)
    await show(event, text, markup)


@router.callback_query(ArticleView.filter())
async def article_pressed(
    query: CallbackQuery, callback_data: ArticleView, content: ContentStore, language: str
) -> None:
    article = content.article(callback_data.id)
    if article is None:
        await query.answer(_("This page is no longer available."), show_alert=True)
        return
    await show_article(query, article, language, callback_data.page)
    await query.answer()
