"""The one error tree of ipsubsidy.

    IpSubsidyError                 root: catch this to catch everything the library raises on purpose
    ├── ProfileError               a profile is invalid: field path, the value seen, what was expected
    ├── PolicyError                a policy file is invalid: file, item, field, what is wrong
    │   └── CoverageError          a source paragraph promises support and no item or exclusion covers it
    ├── ArgumentError              a library call got an argument it cannot use (as_of=0): names the argument
    ├── UnknownItemError           an item id (or alias) that no loaded policy defines, with a suggestion
    └── BackendUnavailableError    a rule backend was asked for that cannot run here (durable-rules on 3.13+)

Every error carries structured attributes; ``str(error)`` is one line that says what was wrong,
where, and what would be right.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "ArgumentError",
    "BackendUnavailableError",
    "CoverageError",
    "IpSubsidyError",
    "PolicyError",
    "ProfileError",
    "UnknownItemError",
    "field_path",
    "suggest",
]


def field_path(loc: Iterable[int | str]) -> str:
    """A pydantic error location as a field path: ``("patents", 2, "number")`` → ``patents[2].number``.

    pydantic's names for its own validators (``function-after[...]``, ``value_error``) are left out; an
    empty location gives ``""`` and the caller says what it stands for ("(profile)", "(file)", ...).
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith(("function-", "value_error")):
            out += f".{part}" if out else str(part)
    return out


def suggest(name: str, choices: Iterable[str]) -> str | None:
    """The closest of ``choices`` to a misspelt ``name``, or None when nothing is close."""
    found = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


class IpSubsidyError(Exception):
    """Root of every error ipsubsidy raises on purpose."""


class ProfileError(IpSubsidyError):
    """A profile (company, school, person) does not validate.

    ``problems`` holds one ``(field_path, message)`` pair per problem; the message names what was
    expected. ``str()`` shows them all, ``; ``-separated.
    """

    def __init__(self, problems: list[tuple[str, str]], source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        where = f"{source}: " if source else ""
        text = "; ".join(f"{path}: {message}" if path else message for path, message in problems)
        super().__init__(f"{where}invalid profile: {text}")

    @property
    def fields(self) -> list[str]:
        return [path for path, _ in self.problems]


class PolicyError(IpSubsidyError):
    """A policy file does not load: which file, which item, which field, and what is wrong."""

    def __init__(self, message: str, *, file: str, item: str | None = None, field: str | None = None) -> None:
        self.file = file
        self.item = item
        self.field = field
        self.message = message
        where = file
        if item:
            where += f": item {item}"
        if field:
            where += f": {field}"
        super().__init__(f"{where}: {message}")


class CoverageError(PolicyError):
    """A paragraph with support language is neither cited by an item nor listed as not encoded."""


class ArgumentError(IpSubsidyError, ValueError):
    """A library call was given an argument it cannot use; ``argument`` names it."""

    def __init__(self, argument: str, message: str) -> None:
        self.argument = argument
        self.message = message
        super().__init__(f"{argument}: {message}")


class UnknownItemError(IpSubsidyError, KeyError):
    """No loaded policy defines this item id or alias."""

    def __init__(self, item_id: str, suggestion: str | None) -> None:
        self.item_id = item_id
        self.suggestion = suggestion
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        super().__init__(f"unknown item {item_id!r}{hint}")

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class BackendUnavailableError(IpSubsidyError):
    """The requested rule backend cannot run in this interpreter."""
