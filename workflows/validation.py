"""Check one answer against its field: type, unit, bounds and length. Cross-field rules: ``arithmetic``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from workflows.i18n import t
from workflows.model import DECIMAL, ERROR, INTEGER, NARRATIVE, WARNING, Field
from workflows.numbers import NumberProblem, format_number, parse_number

Value = int | Decimal | str
HARD_LIMIT = 10**15
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# English source strings of the messages below; zh_CN translations live in the gettext catalog.
MSG_EMPTY = "{label}: please enter a value"
MSG_UNREADABLE = (
    "{label}: “{text}” is not a number. Type digits such as 163, 1,482 or 12.5 "
    "(a unit such as {unit} may follow; Chinese numerals like 一百六十三 also work)"
)
MSG_SEVERAL = "{label}: “{text}” holds {count} numbers. Please send just one number, for example 10"
MSG_SEPARATOR = (
    "{label}: the comma in “{text}” is not a thousands separator. Write 1,234 or 1234 for one number; "
    "a decimal takes a point, as in 12.5"
)
MSG_DIGIT_STRING = (
    "{label}: “{text}” could be one number or several. Please write it in digits, for example 123"
)
MSG_NOT_FINITE = "{label}: {value} is not a figure"
MSG_TOO_PRECISE = "{label}: at most {places} decimal places, got {value}"
MSG_NOT_WHOLE = "{label}: must be a whole number, got {value}"
MSG_BELOW = "{label}: {value} is below the minimum of {min}"
MSG_NEGATIVE = "{label}: cannot be negative (got {value})"
MSG_ABOVE = "{label}: {value} is above the maximum of {max}"
MSG_TOO_LONG = "{label}: at most {max} characters, got {length}"
MSG_NOT_TEXT = "{label}: expected text, got {value}"
MSG_UNKNOWN_FIELD = "“{field}” is not a field of template {template}; it was ignored"


@dataclass(frozen=True)
class Finding:
    """Something wrong with the answers: an error blocks, a warning asks for confirmation."""

    severity: str
    message: str
    params: dict[str, str]
    fields: tuple[str, ...] = ()
    rule_id: str | None = None
    params_en: dict[str, str] = field(default_factory=dict)
    message_en: str | None = None  # a template's own message has its English beside it
    owners: tuple[str, ...] | None = None  # the fields whose writers must act (default: all of ``fields``)

    @property
    def blocking(self) -> bool:
        """Whether this finding stops a submission."""
        return self.severity == ERROR

    @property
    def subject(self) -> tuple[str, ...]:
        """The fields whose writers this finding is for."""
        return self.owners if self.owners is not None else self.fields

    def render(self, lang: str = "zh") -> str:
        """Return the message in ``lang``, naming the fields and numbers involved."""
        params = {**self.params, **self.params_en} if lang == "en" else self.params
        message = self.message_en if lang == "en" and self.message_en else self.message
        return t(lang, message, **params)

    def key(self) -> str:
        """What makes this finding this finding (a confirmation holds for as long as the key is the same)."""
        shown = "|".join(f"{k}={v}" for k, v in sorted(self.params.items()))
        return f"{self.rule_id}|{','.join(self.fields)}|{shown}"


def _problem(field_: Field, message: str, **params: Any) -> Finding:
    shown = {key: str(value) for key, value in params.items()}
    return Finding(ERROR, message, {"label": field_.label, **shown}, (field_.id,))


def clean_text(text: str) -> str:
    """Normalise line ends and drop control characters that no document can hold."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def coerce(field_: Field, raw: Any) -> tuple[Value | None, Finding | None]:
    """Turn a typed or stored answer into the field's value, or explain precisely why it can't be."""
    if field_.numeric:
        return _coerce_number(field_, raw)
    if not isinstance(raw, str):
        if isinstance(raw, bool) or raw is None or isinstance(raw, dict | list):
            return None, _problem(field_, MSG_NOT_TEXT, value=repr(raw))
        raw = str(raw)
    text = clean_text(raw)
    if not text:
        return None, _problem(field_, MSG_EMPTY)
    if field_.max_length and len(text) > field_.max_length and field_.type != NARRATIVE:
        return None, _problem(field_, MSG_TOO_LONG, max=field_.max_length, length=len(text))
    return text, None


def _coerce_number(field_: Field, raw: Any) -> tuple[Value | None, Finding | None]:
    if isinstance(raw, bool) or raw is None:
        return None, _problem(field_, MSG_EMPTY)
    if isinstance(raw, int):
        number: Decimal | NumberProblem = Decimal(raw)
    elif isinstance(raw, float | Decimal):
        number = Decimal(str(raw))
    elif isinstance(raw, str):
        number = parse_number(raw, field_.unit)
    else:  # a list or a mapping where a figure belongs (an answers file)
        return None, _problem(field_, MSG_NOT_FINITE, value=_short(raw))
    if isinstance(number, NumberProblem):
        return None, _number_problem(field_, number, raw)
    if not number.is_finite():
        return None, _problem(field_, MSG_NOT_FINITE, value=_short(raw))
    if field_.type == INTEGER and number != number.to_integral_value():
        return None, _problem(field_, MSG_NOT_WHOLE, value=format_number(number))
    places = max(0, -number.normalize().as_tuple().exponent) if number else 0
    if field_.type == DECIMAL and field_.decimals is not None and places > field_.decimals:
        return None, _problem(field_, MSG_TOO_PRECISE, places=field_.decimals, value=format_number(number))
    if field_.min is not None and number < Decimal(str(field_.min)):
        message = MSG_NEGATIVE if field_.min == 0 else MSG_BELOW
        return None, _problem(field_, message, value=format_number(number), min=format_number(field_.min))
    ceiling = field_.max if field_.max is not None else HARD_LIMIT  # no figure in any report is larger
    if number > Decimal(str(ceiling)):
        shown, limit = _short(format_number(number)), format_number(ceiling)
        return None, _problem(field_, MSG_ABOVE, value=shown, max=limit)
    if field_.type == DECIMAL:
        return number.normalize() if number else Decimal(0), None
    return int(number), None


def _short(raw: Any) -> str:
    text = repr(raw) if not isinstance(raw, str) else raw
    return text if len(text) <= 24 else text[:20] + "…"


def _number_problem(field_: Field, problem: NumberProblem, raw: Any) -> Finding:
    text = problem.params.get("text", str(raw).strip())
    if problem.code == "number.empty":
        return _problem(field_, MSG_EMPTY)
    if problem.code == "number.several":
        return _problem(field_, MSG_SEVERAL, text=text, count=problem.params["count"])
    if problem.code == "number.separator":
        return _problem(field_, MSG_SEPARATOR, text=text)
    if problem.code == "number.digit_string":
        return _problem(field_, MSG_DIGIT_STRING, text=text)
    return _problem(field_, MSG_UNREADABLE, text=text, unit=field_.unit or "条")


def to_stored(value: Value) -> int | str:
    """Return a JSON-safe form of a value (decimals as text, so 12.5 stays exactly 12.5).

    Plain notation always: a normalised round decimal is ``Decimal('1E+1')``, whose ``str`` no reader of
    the stored text (the number parser, a person opening the export) takes for ten."""
    return format(value, "f") if isinstance(value, Decimal) else value


def unknown_field(field_id: str, template_id: str) -> Finding:
    """A warning for an answer whose id the template does not know."""
    return Finding(WARNING, MSG_UNKNOWN_FIELD, {"field": field_id, "template": template_id}, (field_id,))
