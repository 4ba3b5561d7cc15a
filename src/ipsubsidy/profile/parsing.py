"""Plain data → a validated Company, and pydantic's errors → one ProfileError naming each field path."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ipsubsidy.errors import ProfileError, field_path
from ipsubsidy.jsonio import JsonInputError, load_json
from ipsubsidy.profile.company import Company
from ipsubsidy.textfile import TextFileError

__all__ = ["SHOWN", "load_profile_json", "parse_profile", "profile_error"]

SHOWN = 60  # characters of a bad value quoted back in an error (never the whole of a hostile input)


def profile_error(exc: ValidationError, source: str | None = None) -> ProfileError:
    """A pydantic ValidationError as a ProfileError: one ``(field path, expectation)`` per problem."""
    problems: list[tuple[str, str]] = []
    for err in exc.errors(include_url=False):
        path = field_path(err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        if ": " in message and message.split(": ", 1)[0].isidentifier():
            sub, message = message.split(": ", 1)  # a model validator naming its own field
            path = f"{path}.{sub}" if path else sub
        if err["type"] == "extra_forbidden":
            message = "is not a profile field"
        elif not isinstance(err.get("input"), dict | list) and repr(err.get("input")) not in message:
            shown = repr(err.get("input"))
            shown = shown if len(shown) <= SHOWN else f"{shown[:SHOWN]}… ({len(shown)} characters)"
            message = f"{message} (got {shown})"
        if len(path) > SHOWN:  # an unknown key can be any length: name it, never echo it whole
            path = f"{path[:SHOWN]}… ({len(path)} characters)"
        problems.append((path or "(profile)", message))
    return ProfileError(problems, source)


def parse_profile(data: Any, source: str | None = None) -> Company:
    """Validate a profile from plain data (a dict from JSON or YAML); raise ProfileError."""
    if isinstance(data, Company):
        return data
    if not isinstance(data, dict):
        raise ProfileError([("(profile)", f"expected a mapping of fields, got {type(data).__name__}")], source)
    try:
        return Company.model_validate(data)
    except ValidationError as exc:
        raise profile_error(exc, source) from None


def load_profile_json(text: str | bytes, source: str | None = None) -> Company:
    """Read a profile from JSON text as the CLI and the service do: exact decimals, duplicate keys refused."""
    try:
        data = load_json(text)
    except JsonInputError as exc:
        raise ProfileError([(exc.field or "(file)", str(exc))], source) from None
    except TextFileError as exc:
        raise ProfileError([("(file)", str(exc))], source) from None
    return parse_profile(data, source)
