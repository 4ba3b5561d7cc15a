"""Reading JSON as data: numbers exact (Decimal, never float), duplicate keys refused, nesting bounded."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from ipsubsidy.textfile import decode_utf8

__all__ = ["MAX_DEPTH", "JsonInputError", "load_json"]

_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')  # strings are matched whole and skipped
MAX_DEPTH = 32  # a profile nests 3 levels (profile → list → entry); 32 leaves room and stops hostile depth


class JsonInputError(ValueError):
    """The text is not acceptable JSON; ``field`` names the key when one is to blame."""

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise JsonInputError("is given twice; give each field once", field=key)
        out[key] = value
    return out


def _constant(name: str) -> Any:
    raise JsonInputError(f"{name} is not a number JSON allows; give a finite number")


def _depth_ok(text: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH before parsing (brackets in strings are skipped)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth = 0
    for match in _BRACKET.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise JsonInputError(f"is nested deeper than {MAX_DEPTH} levels; a profile nests 3")
        elif char in "]}":
            depth -= 1


def load_json(text: str | bytes) -> Any:
    """Parse JSON: 12.5 → Decimal('12.5'), a duplicate key, NaN, an over-long integer or deep nesting → error."""
    if isinstance(text, bytes | bytearray):
        text = decode_utf8(bytes(text))
    _depth_ok(text)
    try:
        return json.loads(text, parse_float=Decimal, object_pairs_hook=_pairs, parse_constant=_constant)
    except JsonInputError:
        raise
    except json.JSONDecodeError as exc:
        raise JsonInputError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except ValueError as exc:  # int() beyond sys.get_int_max_str_digits()
        raise JsonInputError(f"a number is too long: {str(exc).split(';')[0]}") from None
    except RecursionError:
        raise JsonInputError(f"is nested deeper than {MAX_DEPTH} levels") from None
