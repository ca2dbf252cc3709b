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
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# English source strings of the messages below; zh_CN translations live in the gettext catalog.
MSG_EMPTY = "{label}: please enter a value"
MSG_UNREADABLE = (
    "{label}: “{text}” is not a number. Type digits such as 163, 1,482 or 12.5 "
    "(a unit such as {unit} may follow; Chinese numerals like 一百六十三 also work)"
)
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

    @property
    def blocking(self) -> bool:
        """Whether this finding stops a submission."""
        return self.severity == ERROR

    def render(self, lang: str = "zh") -> str:
        """Return the message in ``lang``, naming the fields and numbers involved."""
        params = {**self.params, **self.params_en} if lang == "en" else self.params
        return t(lang, self.message, **params)


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
    else:
        number = parse_number(str(raw), field_.unit)
    if isinstance(number, NumberProblem):
        if number.code == "number.empty":
            return None, _problem(field_, MSG_EMPTY)
        return None, _problem(field_, MSG_UNREADABLE, text=str(raw).strip(), unit=field_.unit or "条")
    if field_.type == INTEGER and number != number.to_integral_value():
        return None, _problem(field_, MSG_NOT_WHOLE, value=format_number(number))
    if field_.min is not None and number < Decimal(str(field_.min)):
        message = MSG_NEGATIVE if field_.min == 0 else MSG_BELOW
        return None, _problem(field_, message, value=format_number(number), min=format_number(field_.min))
    if field_.max is not None and number > Decimal(str(field_.max)):
        return None, _problem(field_, MSG_ABOVE, value=format_number(number), max=format_number(field_.max))
    if field_.type == DECIMAL:
        return number.normalize() if number else Decimal(0), None
    return int(number), None


def to_stored(value: Value) -> int | str:
    """Return a JSON-safe form of a value (decimals as text, so 12.5 stays exactly 12.5)."""
    return str(value) if isinstance(value, Decimal) else value


def unknown_field(field_id: str, template_id: str) -> Finding:
    """A warning for an answer whose id the template does not know."""
    return Finding(WARNING, MSG_UNKNOWN_FIELD, {"field": field_id, "template": template_id}, (field_id,))
