"""User-facing text in Chinese (the default) and English, from gettext catalogs.

Source strings are English; ``locale/zh_CN/…/reportbot.po`` translates them and ``locale/en/…`` holds the
English wording (so it can be edited without touching code). Catalogs are
read with Babel when first needed, so there is no compile step to forget. Placeholders are filled with
``str.format`` on catalog text only (trusted); values a person typed are inserted, never interpreted.
"""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Mapping

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


def lang_from_env(env: Mapping[str, str]) -> str:
    """The language of the command line: LC_ALL, then LC_MESSAGES, then LANG, as POSIX reads them.

    English only for an English locale: an unset, C or POSIX locale (a bare server, a container) is
    Chinese, since the offices this is for read Chinese first."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else DEFAULT_LANG
    return DEFAULT_LANG


# Which of a plural message's forms a count takes (gettext's Plural-Forms, for the languages we have).
_PLURAL_FORM = {"zh": lambda n: 0, "en": lambda n: 0 if n == 1 else 1}


@functools.cache
def _read(lang: str) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    locale = _CATALOG_LOCALE.get(lang)
    if locale is None:
        return {}, {}
    path = importlib.resources.files("workflows") / "locale" / locale / "LC_MESSAGES" / "reportbot.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    singles, plurals = {}, {}
    for m in catalog:
        if not m.id or not m.string or m.fuzzy:
            continue
        if isinstance(m.id, tuple):  # msgid/msgid_plural: keyed by the singular source
            plurals[m.id[0]] = (m.id[1], *m.string)
        else:
            singles[m.id] = m.string
    return singles, plurals


def _catalog(lang: str) -> dict[str, str]:
    return _read(lang)[0]


def gettext(lang: str, message: str, /) -> str:
    """Return ``message`` in ``lang`` (the English source when there is no translation)."""
    return _catalog(normalise_lang(lang)).get(message, message)


# The core refers to what a person can do by name ({cmd_fill}, {cmd_done}, …); the channel that runs the
# process says how its people do it (a chat: a slash command; a web form: its button's label). Unset, the name
# shows in brackets.
ACTIONS = ("fill", "done", "submit", "status", "missing", "remind", "approve", "return", "assemble", "export")
_action_words: dict[str, str] = {f"cmd_{name}": f"[{name}]" for name in ACTIONS}


def action_words() -> dict[str, str]:
    """How actions are named now, by name (to restore them after a test names them otherwise)."""
    return {key.removeprefix("cmd_"): value for key, value in _action_words.items()}


def use_action_words(words: Mapping[str, str]) -> None:
    """Say how the channel names each action (``{"fill": "…", …}``), for every message after."""
    _action_words.update({f"cmd_{name}": words.get(name, f"[{name}]") for name in ACTIONS})


def t(lang: str, message: str, /, **params: object) -> str:
    """Translate ``message`` and fill its ``{named}`` placeholders (and the channel's ``{cmd_…}`` words)."""
    return _filled(gettext(lang, message), params)


def tn(lang: str, singular: str, plural: str, count: int, /, **params: object) -> str:
    """Translate a message whose wording depends on ``count``; fill ``{count}`` and the other placeholders."""
    lang = normalise_lang(lang)
    entry = _read(lang)[1].get(singular)
    if entry is None or entry[0] != plural:
        text = singular if count == 1 else plural
    else:
        forms = entry[1:]
        text = forms[min(_PLURAL_FORM[lang](count), len(forms) - 1)]
    return _filled(text, {"count": count, **params})


def _filled(text: str, params: Mapping[str, object]) -> str:
    # Most messages name no action: only those pay for the channel's words.
    return text.format(**_action_words, **params) if "{cmd_" in text else text.format(**params)


def catalog_ids(lang: str) -> set[str]:
    """Return the source strings a language's catalog translates (for the catalog tests)."""
    singles, plurals = _read(normalise_lang(lang))
    return set(singles) | set(plurals) | {entry[0] for entry in plurals.values()}
