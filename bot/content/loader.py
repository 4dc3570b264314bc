"""Read and validate the content tree, and the immutable store the handlers read from.

Organisations edit these files by hand, so the loader reports *every* problem at once (file, item,
message) instead of stopping at the first: one `umbrella content check` run gives a full to-do list.
The bot refuses to start on errors; warnings (stale dates, a clinic without hours) only inform.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from bot.content.render import render_markdown, visible_text
from bot.content.schema import (
    ALL_COUNTRIES,
    LANGUAGES,
    URGENT_IDS,
    Article,
    ArticleFrontMatter,
    City,
    Clinic,
    CountryCode,
    EmergencyContact,
    GlossaryTerm,
    ItemSlug,
    Localized,
    Organisation,
    Section,
    ServiceTag,
)

STALE_AFTER_MONTHS = 12
KINDS: tuple[str, ...] = ("cities", "emergency", "clinics", "articles", "glossary", "organisation")

_M = TypeVar("_M", bound=BaseModel)
_COUNTRY: TypeAdapter[str] = TypeAdapter(CountryCode)
_TERM_ID: TypeAdapter[str] = TypeAdapter(ItemSlug)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One finding; `file` is relative to the content root, `item` an id (or "#n") or empty."""

    severity: Severity
    file: str
    item: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.item}" if self.item else self.file
        return f"{where}: {self.message}"


class ContentError(Exception):
    """The content has errors; `problems` lists all of them (warnings excluded)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"{len(self.problems)} content error(s):\n{lines}")


@dataclass(frozen=True)
class Completeness:
    """How many items of one kind are complete in one language ("uk: 14/14 articles")."""

    kind: str
    lang: str
    done: int
    total: int


class ContentStore:
    """Everything a member can read, loaded once and never changed (safe to share between tasks)."""

    __slots__ = (
        "_articles",
        "_cities",
        "_city_index",
        "_clinic_index",
        "_clinics_by_city",
        "_emergency",
        "_glossary",
        "_organisation",
    )

    def __init__(
        self,
        *,
        cities: Iterable[City] = (),
        emergency: Mapping[str, Sequence[EmergencyContact]] | None = None,
        clinics: Iterable[Clinic] = (),
        articles: Iterable[Article] = (),
        organisation: Organisation | None = None,
        glossary: Mapping[str, GlossaryTerm] | None = None,
    ) -> None:
        self._cities: tuple[City, ...] = tuple(cities)
        self._city_index = {city.id: city for city in self._cities}
        self._emergency = {country: tuple(items) for country, items in (emergency or {}).items()}
        by_city: dict[str, list[Clinic]] = {}
        self._clinic_index: dict[str, Clinic] = {}
        for clinic in clinics:
            by_city.setdefault(clinic.city, []).append(clinic)
            self._clinic_index[clinic.id] = clinic
        self._clinics_by_city = {city: tuple(items) for city, items in by_city.items()}
        self._articles: dict[str, Article] = {
            article.id: article for article in sorted(articles, key=lambda a: (a.order, a.id))
        }
        self._organisation = organisation
        self._glossary: dict[str, GlossaryTerm] = dict(glossary or {})

    @property
    def cities(self) -> list[City]:
        """Cities in the order of cities.yaml (the organisation's order)."""
        return list(self._cities)

    def city(self, city_id: str) -> City | None:
        return self._city_index.get(city_id)

    @property
    def countries(self) -> list[str]:
        """Countries with cities (in cities.yaml order), then those only articles mention (sorted)."""
        seen = dict.fromkeys(city.country for city in self._cities)
        extra = {a.country for a in self._articles.values() if a.country != ALL_COUNTRIES} - seen.keys()
        return [*seen, *sorted(extra)]

    def articles(self, section: Section, country: str | None = None) -> list[Article]:
        """Articles of a menu ordered by `order`; with a country, its own articles plus "all"."""
        return [
            article
            for article in self._articles.values()
            if article.section == section and (country is None or article.country in (country, ALL_COUNTRIES))
        ]

    def article(self, article_id: str) -> Article | None:
        return self._articles.get(article_id)

    def clinics(self, city_id: str, tag: ServiceTag | None = None) -> list[Clinic]:
        """Clinics of a city in file order, optionally only those with `tag`."""
        clinics = self._clinics_by_city.get(city_id, ())
        return [clinic for clinic in clinics if tag is None or tag in clinic.tags]

    def clinic(self, clinic_id: str) -> Clinic | None:
        return self._clinic_index.get(clinic_id)

    def tags(self, city_id: str) -> list[ServiceTag]:
        """Tags at least one clinic of the city has, so a filter menu never leads to an empty list."""
        present = {tag for clinic in self._clinics_by_city.get(city_id, ()) for tag in clinic.tags}
        return [tag for tag in ServiceTag if tag in present]

    def emergency(self, country: str) -> list[EmergencyContact]:
        return list(self._emergency.get(country, ()))

    @property
    def organisation(self) -> Organisation | None:
        """Who runs the bot and its backup channel (None when organisation.yaml is missing)."""
        return self._organisation

    @property
    def glossary(self) -> dict[str, GlossaryTerm]:
        """Term id → the term in each language, in the order of glossary.yaml."""
        return dict(self._glossary)


@dataclass(frozen=True)
class ContentReport:
    """Result of inspecting a tree: all problems, completeness per language, and the store if valid."""

    problems: tuple[Problem, ...]
    completeness: tuple[Completeness, ...]
    store: ContentStore | None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]


def load_content(path: Path) -> ContentStore:
    """Load the tree at `path`; raise ContentError listing every error."""
    report = inspect_content(path)
    if report.store is None:
        raise ContentError(report.errors)
    return report.store


def check_content(path: Path, today: date) -> list[Problem]:
    """All errors and warnings, including dates older than 12 months before `today`."""
    return list(inspect_content(path, today).problems)


def inspect_content(path: Path, today: date | None = None) -> ContentReport:
    """Validate the tree; date-dependent warnings only when `today` is given."""
    return _Scanner(Path(path), today).run()


# --- YAML that refuses duplicate keys ---------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """A duplicated key (two `mon:` lines) would silently drop hours in plain PyYAML."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
        if isinstance(key, Iterable) and not isinstance(key, str):
            continue
        if key in seen:
            hint = " (a comma inside {...} starts a new key: put such a text in quotes)" if node.flow_style else ""
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}{hint}", key_node.start_mark)
        seen.add(key)
    return dict(loader.construct_mapping(node, deep=deep))  # type: ignore[no-untyped-call]


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _yaml_message(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"YAML error at line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return f"YAML error: {problem}"


# --- the scanner ----------------------------------------------------------------------------


def _validation_messages(exc: ValidationError) -> list[str]:
    messages = []
    for error in exc.errors():
        loc = ".".join(str(part) for part in error["loc"])
        kind = error["type"]
        if kind == "extra_forbidden":
            text = "unknown field"
        elif kind == "missing":
            text = "required field is missing"
        else:
            text = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        messages.append(f"{loc}: {text}" if loc else text)
    return messages


def _ignored(path: Path) -> bool:
    name = path.name
    return name.startswith((".", "_")) or name.endswith("~") or name.upper().startswith("README")


def _year_before(today: date) -> date:
    try:
        return today.replace(year=today.year - STALE_AFTER_MONTHS // 12)
    except ValueError:  # 29 February
        return today.replace(year=today.year - STALE_AFTER_MONTHS // 12, day=28)


def _languages_done(raw: Any) -> set[str]:
    """Languages in which every localized text of a raw item is present and non-empty."""
    if not isinstance(raw, dict):
        return set()
    done = set(LANGUAGES)

    def walk(value: Any) -> None:
        nonlocal done
        if isinstance(value, dict):
            keys = set(value)
            if keys and keys <= set(LANGUAGES) and keys & set(LANGUAGES):
                done &= {lang for lang in LANGUAGES if str(value.get(lang) or "").strip()}
                return
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(raw)
    return done


_ARTICLE_NAME = re.compile(r"^(?P<id>[^.]+)\.(?P<lang>[^.]+)\.md$")


@dataclass
class _ArticleFile:
    rel: str
    section: str
    lang: str
    front: ArticleFrontMatter | None = None
    body: str | None = None
    body_ok: bool = False


@dataclass
class _Scanner:
    root: Path
    today: date | None
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, tuple[int, dict[str, int]]] = field(default_factory=dict)
    cities: list[City] = field(default_factory=list)
    emergency: dict[str, list[EmergencyContact]] = field(default_factory=dict)
    clinics: list[Clinic] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    organisation: Organisation | None = None
    glossary: dict[str, GlossaryTerm] = field(default_factory=dict)

    # -- bookkeeping

    def error(self, file: str, item: str, message: str) -> None:
        self.problems.append(Problem(Severity.ERROR, file, item, message))

    def warn(self, file: str, item: str, message: str) -> None:
        self.problems.append(Problem(Severity.WARNING, file, item, message))

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def count(self, kind: str, done: Iterable[str]) -> None:
        total, per_lang = self.counts.get(kind, (0, dict.fromkeys(LANGUAGES, 0)))
        for lang in done:
            per_lang[lang] += 1
        self.counts[kind] = (total + 1, per_lang)

    def validate(self, model: type[_M], raw: Any, file: str, item: str) -> _M | None:
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            for message in _validation_messages(exc):
                self.error(file, item, message)
            return None

    def read_yaml(self, path: Path) -> Any:
        rel = self.rel(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            self.error(rel, "", "file is missing")
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self.error(rel, "", f"cannot read: {exc}")
            return None
        try:
            return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
        except yaml.YAMLError as exc:
            self.error(rel, "", _yaml_message(exc))
            return None

    def check_date(self, file: str, item: str, what: str, value: date) -> None:
        if self.today is None:
            return
        if value > self.today:
            self.warn(file, item, f"{what} {value.isoformat()} is in the future")
        elif value < _year_before(self.today):
            self.warn(file, item, f"{what} {value.isoformat()} is more than {STALE_AFTER_MONTHS} months ago")

    @staticmethod
    def label(raw: Any, index: int) -> str:
        if isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw["id"]:
            return str(raw["id"])
        return f"#{index + 1}"

    # -- the run

    def run(self) -> ContentReport:
        if not self.root.is_dir():
            self.error(str(self.root), "", "content directory not found")
        else:
            self.scan_cities()
            self.scan_emergency()
            self.scan_clinics()
            self.scan_organisation()
            self.scan_glossary()
            self.scan_articles()
        completeness = tuple(
            Completeness(kind, lang, per_lang[lang], total)
            for kind in KINDS
            if kind in self.counts
            for total, per_lang in [self.counts[kind]]
            for lang in LANGUAGES
        )
        has_errors = any(p.severity is Severity.ERROR for p in self.problems)
        store = None
        if not has_errors:
            store = ContentStore(
                cities=self.cities,
                emergency=self.emergency,
                clinics=self.clinics,
                articles=self.articles,
                organisation=self.organisation,
                glossary=self.glossary,
            )
        return ContentReport(tuple(self.problems), completeness, store)

    def scan_cities(self) -> None:
        path = self.root / "cities.yaml"
        rel = self.rel(path)
        data = self.read_yaml(path)
        if data is None:
            if path.exists():
                self.error(rel, "", "no cities listed")
            return
        if not isinstance(data, list):
            self.error(rel, "", "expected a list of cities")
            return
        for index, raw in enumerate(data):
            self.count("cities", _languages_done(raw))
            item = self.label(raw, index)
            city = self.validate(City, raw, rel, item)
            if city is None:
                continue
            if city.id in self.city_ids():
                self.error(rel, item, "duplicate city id")
                continue
            self.cities.append(city)

    def city_ids(self) -> list[str]:
        return [city.id for city in self.cities]

    def scan_emergency(self) -> None:
        path = self.root / "emergency.yaml"
        rel = self.rel(path)
        data = self.read_yaml(path)
        if data is None:
            if path.exists():
                self.error(rel, "", "no emergency contacts listed")
            return
        if not isinstance(data, dict):
            self.error(rel, "", "expected a mapping of country code to a list of contacts")
            return
        for country, contacts in data.items():
            key = str(country)
            if not self.validate_country(key, rel):
                continue
            if not isinstance(contacts, list):
                self.error(rel, key, "expected a list of contacts")
                continue
            for index, raw in enumerate(contacts):
                self.count("emergency", _languages_done(raw))
                contact = self.validate(EmergencyContact, raw, rel, f"{key} #{index + 1}")
                if contact is not None:
                    self.emergency.setdefault(key, []).append(contact)
        for country in dict.fromkeys(city.country for city in self.cities):
            if not self.emergency.get(country):
                self.warn(rel, country, "this country has cities but no emergency contacts")

    def validate_country(self, key: str, rel: str) -> bool:
        try:
            _COUNTRY.validate_python(key)
        except ValidationError:
            self.error(rel, key, "not a country code (two capital letters, e.g. UA)")
            return False
        return True

    def scan_clinics(self) -> None:
        folder = self.root / "clinics"
        known_cities = set(self.city_ids())
        seen_ids: dict[str, str] = {}
        covered: set[str] = set()
        files = sorted(folder.iterdir()) if folder.is_dir() else []
        for path in files:
            if _ignored(path):
                continue
            rel = self.rel(path)
            if path.is_dir() or path.suffix not in (".yaml", ".yml"):
                self.warn(rel, "", "not a .yaml file; ignored")
                continue
            covered.add(path.stem)
            data = self.read_yaml(path)
            if data is None:
                continue
            if not isinstance(data, dict):
                self.error(rel, "", "expected a mapping with city, sample and clinics")
                continue
            for key in data.keys() - {"city", "sample", "clinics"}:
                self.error(rel, "", f"{key}: unknown field")
            city = data.get("city")
            sample = data.get("sample", False)
            if not isinstance(city, str):
                self.error(rel, "", "city: required field is missing")
                continue
            if city != path.stem:
                self.error(rel, "", f"city {city!r} differs from the file name ({path.stem})")
            if city not in known_cities:
                self.error(rel, "", f"unknown city {city!r} (not in cities.yaml)")
            if not isinstance(sample, bool):
                self.error(rel, "", "sample: expected true or false")
                sample = False
            covered.add(city)
            raw_clinics = data.get("clinics")
            if not isinstance(raw_clinics, list):
                self.error(rel, "", "clinics: expected a list")
                continue
            for index, raw in enumerate(raw_clinics):
                self.count("clinics", _languages_done(raw))
                item = self.label(raw, index)
                if not isinstance(raw, dict):
                    self.error(rel, item, "expected a mapping")
                    continue
                if "city" in raw and raw["city"] != city:
                    self.error(rel, item, "city differs from the file's city")
                    continue
                clinic = self.validate(Clinic, {"sample": sample, **raw, "city": city}, rel, item)
                if clinic is None:
                    continue
                if clinic.id in seen_ids:
                    self.error(rel, item, f"duplicate clinic id (also in {seen_ids[clinic.id]})")
                    continue
                seen_ids[clinic.id] = rel
                if not clinic.has_hours:
                    self.warn(rel, item, "no opening hours at all (members will never see it open)")
                self.check_date(rel, item, "last_verified", clinic.last_verified)
                self.clinics.append(clinic)
        for city_id in known_cities - covered:
            self.warn(f"clinics/{city_id}.yaml", "", "no clinics file for this city")

    def scan_organisation(self) -> None:
        path = self.root / "organisation.yaml"
        rel = self.rel(path)
        if not path.exists():
            self.warn(rel, "", "missing: members are not told where to find you if this bot disappears")
            return
        before = len(self.problems)
        data = self.read_yaml(path)
        if data is None:
            if len(self.problems) == before:  # not already reported as unreadable
                self.error(rel, "", "empty: expected name, sample and backup")
            return
        if not isinstance(data, dict):
            self.error(rel, "", "expected a mapping with name, sample and backup")
            return
        self.count("organisation", _languages_done(data))
        self.organisation = self.validate(Organisation, data, rel, "")

    def scan_glossary(self) -> None:
        path = self.root / "glossary.yaml"
        rel = self.rel(path)
        if not path.exists():
            self.warn(rel, "", "missing: no list of the terms the bot uses")
            return
        before = len(self.problems)
        data = self.read_yaml(path)
        if data is None:
            if len(self.problems) == before:  # not already reported as unreadable
                self.error(rel, "", "no terms listed")
            return
        if not isinstance(data, dict):
            self.error(rel, "", "expected a mapping of term id to the term in en, ru and uk")
            return
        for key, raw in data.items():
            term_id = str(key)
            try:
                _TERM_ID.validate_python(key)
            except ValidationError:
                self.error(rel, term_id, "a term id is a slug like sex-work (lowercase letters, digits, hyphens)")
                continue
            if isinstance(raw, dict):
                shown = {"term": {k: v for k, v in raw.items() if k in LANGUAGES}, "definition": raw.get("definition")}
                self.count("glossary", _languages_done(shown))
            else:
                self.count("glossary", ())
            term = self.validate(GlossaryTerm, raw, rel, term_id)
            if term is not None:
                self.glossary[term_id] = term

    def check_terms(self, file: str, article_id: str, lang: str, text: str) -> None:
        """Warn where a text uses a word the glossary says to avoid (e.g. a Russianism in Ukrainian)."""
        for term in self.glossary.values():
            for word in term.avoid.get(lang):
                if avoided_word(word).search(text):
                    self.warn(file, article_id, f"uses “{word}”: the glossary term is “{term.term(lang)}”")

    def scan_articles(self) -> None:
        folder = self.root / "articles"
        if not folder.is_dir():
            self.error("articles", "", "directory is missing")
        groups: dict[str, dict[str, _ArticleFile]] = {}
        sections = {s.value for s in Section}
        for section_dir in sorted(folder.iterdir()) if folder.is_dir() else []:
            if _ignored(section_dir):
                continue
            if not section_dir.is_dir() or section_dir.name not in sections:
                names = ", ".join(s.value for s in Section)
                self.error(self.rel(section_dir), "", f"not a section folder ({names})")
                continue
            for path in sorted(section_dir.iterdir()):
                if _ignored(path):
                    continue
                self.scan_article_file(path, section_dir.name, groups)
        for article_id, files in groups.items():
            self.count("articles", [lang for lang, f in files.items() if f.front and f.body_ok])
            self.assemble_article(article_id, files)
        for urgent_id in URGENT_IDS:
            files = groups.get(urgent_id)
            if not files or next(iter(files.values())).section != Section.URGENT:
                self.error(
                    f"articles/urgent/{urgent_id}.*.md",
                    urgent_id,
                    "missing: the bot links to this urgent article directly",
                )

    def scan_article_file(self, path: Path, section: str, groups: dict[str, dict[str, _ArticleFile]]) -> None:
        rel = self.rel(path)
        match = _ARTICLE_NAME.match(path.name)
        if path.is_dir() or not match:
            self.error(rel, "", "expected a file named <article-id>.<lang>.md")
            return
        article_id, lang = match["id"], match["lang"]
        if lang not in LANGUAGES:
            self.error(rel, article_id, f"unknown language {lang!r} ({', '.join(LANGUAGES)})")
            return
        files = groups.setdefault(article_id, {})
        other = next(iter(files.values()), None)
        if other is not None and other.section != section:
            self.error(rel, article_id, f"duplicate article id (also in articles/{other.section}/)")
            return
        entry = _ArticleFile(rel=rel, section=section, lang=lang)
        files[lang] = entry
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            self.error(rel, article_id, f"cannot read: {exc}")
            return
        split = _split_front_matter(text)
        if split is None:
            self.error(rel, article_id, "no front matter (a line ---, then YAML fields, then ---)")
            return
        head, body = split
        try:
            raw = yaml.load(head, Loader=_StrictLoader)  # a SafeLoader subclass
        except yaml.YAMLError as exc:
            self.error(rel, article_id, f"front matter: {_yaml_message(exc)}")
            return
        if not isinstance(raw, dict):
            self.error(rel, article_id, "front matter: expected YAML fields")
            return
        entry.front = self.validate(ArticleFrontMatter, raw, rel, article_id)
        if entry.front is not None:
            if entry.front.id != article_id:
                self.error(rel, article_id, f"id {entry.front.id!r} differs from the file name")
                entry.front = None
            elif entry.front.section != section:
                self.error(rel, article_id, f"section {entry.front.section.value!r} differs from the folder")
                entry.front = None
        entry.body = body
        entry.body_ok = any(visible_text(p).strip() for p in render_markdown(body))
        if not entry.body_ok:
            self.error(rel, article_id, "the body is empty")

    def assemble_article(self, article_id: str, files: dict[str, _ArticleFile]) -> None:
        some = next(iter(files.values()))
        folder = f"articles/{some.section}"
        for lang in LANGUAGES:
            if lang not in files:
                present = ", ".join(sorted(files))
                self.error(
                    f"{folder}/{article_id}.{lang}.md",
                    article_id,
                    f"missing language file (the article exists in {present})",
                )
        valid = [files[lang] for lang in LANGUAGES if lang in files and files[lang].front is not None]
        if not valid:
            return
        reference = valid[0]
        assert reference.front is not None
        reference_fields = reference.front.shared()
        consistent = True
        for other in valid[1:]:
            assert other.front is not None
            fields = other.front.shared()
            differing = [
                f"{name} ({fields[name]!r} vs {reference_fields[name]!r})"
                for name in reference_fields
                if fields[name] != reference_fields[name]
            ]
            if differing:
                consistent = False
                self.error(
                    other.rel,
                    article_id,
                    f"front matter differs from {Path(reference.rel).name}: {', '.join(differing)}",
                )
        front = reference.front
        self.check_date(f"{folder}/{article_id}.*.md", article_id, "last_reviewed", front.last_reviewed)
        complete = len(valid) == len(LANGUAGES) and all(f.body_ok for f in valid)
        if not (complete and consistent):
            return
        titles = Localized(**{f.lang: f.front.title for f in valid if f.front is not None})
        bodies = Localized(**{f.lang: f.body or "" for f in valid})
        article = Article(
            id=front.id,
            section=front.section,
            country=front.country,
            order=front.order,
            last_reviewed=front.last_reviewed,
            sources=front.sources,
            titles=titles,
            bodies=bodies,
        )
        for lang in LANGUAGES:
            article.pages(lang)  # render now: a rendering bug surfaces at start-up, not in a chat
            text = f"{article.title(lang)}\n{article.bodies.get(lang)}"
            self.check_terms(f"{folder}/{article_id}.{lang}.md", article_id, lang, text)
        self.articles.append(article)


def avoided_word(word: str) -> re.Pattern[str]:
    """A glossary `avoid` entry as a pattern: the start of a word (a stem matches its endings).

    Abbreviations in capitals match only in capitals, so Russian "ВИЧ" is not found inside the
    Ukrainian "звичайні".
    """
    flags = 0 if word.isupper() else re.IGNORECASE
    return re.compile(rf"(?<!\w){re.escape(word)}", flags)


def _split_front_matter(text: str) -> tuple[str, str] | None:
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :])
    return None
