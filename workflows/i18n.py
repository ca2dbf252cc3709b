"""User-facing text in Chinese (the default) and English, from gettext catalogs.

Source strings are English; ``locale/zh_CN/…/reportbot.po`` translates them and ``locale/en/…`` holds the
English wording (so it can be edited without touching code). Catalogs are
read with Babel when first needed, so there is no compile step to forget. Placeholders are filled with
``str.format`` on catalog text only (trusted); values a person typed are inserted, never interpreted.
"""

from __future__ import annotations

import functools
import importlib.resources

from babel.messages.pofile import read_po

DEFAULT_LANG = "zh"
LANGS = ("zh", "en")
_CATALOG_LOCALE = {"zh": "zh_CN", "en": "en"}


def normalise_lang(lang: str | None) -> str:
    """Map 'zh-CN', 'zh_Hans', 'en-US', None … onto a supported language."""
    if not lang:
        return DEFAULT_LANG
    base = lang.replace("_", "-").split("-")[0].lower()
    return base if base in LANGS else DEFAULT_LANG


@functools.cache
def _catalog(lang: str) -> dict[str, str]:
    locale = _CATALOG_LOCALE.get(lang)
    if locale is None:
        return {}
    path = importlib.resources.files("workflows") / "locale" / locale / "LC_MESSAGES" / "reportbot.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}


def gettext(lang: str, message: str, /) -> str:
    """Return ``message`` in ``lang`` (the English source when there is no translation)."""
    return _catalog(normalise_lang(lang)).get(message, message)


def t(lang: str, message: str, /, **params: object) -> str:
    """Translate ``message`` and fill its ``{named}`` placeholders."""
    return gettext(lang, message).format(**params)


def catalog_ids(lang: str) -> set[str]:
    """Return the source strings a language's catalog translates (for the catalog tests)."""
    return set(_catalog(normalise_lang(lang)))
