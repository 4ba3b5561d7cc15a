"""Reading YAML as data: safe (no tags that build objects), duplicate keys refused, decimals exact.

Policy files and profiles are data; nothing in them is ever executed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

__all__ = ["DuplicateKeyError", "YamlInputError", "load_yaml"]

MAX_DEPTH = 32  # as for JSON: a profile nests 3 levels, a policy file about 8


class DuplicateKeyError(yaml.constructor.ConstructorError):
    """A mapping gives the same key twice; ``key`` and ``line`` (1-based) say which and where."""

    def __init__(self, key: Any, mark: yaml.Mark) -> None:
        self.key = key
        self.line = mark.line + 1
        super().__init__(None, None, f"duplicate key {key!r}", mark)


class YamlInputError(yaml.YAMLError):
    """Well-formed YAML whose values cannot be data: an impossible date, an unhashable key, a huge integer."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of keeping the last one."""


class _DecimalLoader(_StrictLoader):
    """... and reads numbers with a fraction as exact Decimal (money in profiles), never float."""


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    keys: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise YamlInputError(f"line {key_node.start_mark.line + 1}: a key must be a plain value, "
                                 f"not a {type(key).__name__}") from None
        if key in keys:
            raise DuplicateKeyError(key, key_node.start_mark)
        keys.add(key)
    return loader.construct_mapping(node, deep=deep)


def _decimal(loader: _StrictLoader, node: yaml.ScalarNode) -> Decimal | float:
    text = str(loader.construct_scalar(node)).replace("_", "")
    if text.lower().lstrip("+-") in (".inf", ".nan"):
        return float(loader.construct_yaml_float(node))
    return Decimal(text)


def _checked(construct: Any, what: str) -> Any:
    """A scalar constructor whose ValueError (2021-02-30, 0000-01-01, 5,000 digits) names the line and value."""

    def build(loader: _StrictLoader, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, OverflowError) as exc:
            value = str(node.value)
            shown = value if len(value) <= 30 else f"{value[:30]}… ({len(value)} characters)"
            raise YamlInputError(f"line {node.start_mark.line + 1}: {shown} is not a valid {what} "
                                 f"({str(exc).split(';')[0].split(' for integer')[0]})") from None

    return build


def _with_constructors(loader: type[yaml.SafeLoader], exact_numbers: bool) -> type[yaml.SafeLoader]:
    """``loader`` refusing duplicate keys and naming bad dates and integers (and reading decimals exactly)."""
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    loader.add_constructor("tag:yaml.org,2002:timestamp", _checked(yaml.SafeLoader.construct_yaml_timestamp, "date"))
    loader.add_constructor("tag:yaml.org,2002:int", _checked(yaml.SafeLoader.construct_yaml_int, "integer"))
    if exact_numbers:
        loader.add_constructor("tag:yaml.org,2002:float", _checked(_decimal, "number"))
    return loader


_PURE = {False: _with_constructors(_StrictLoader, False), True: _with_constructors(_DecimalLoader, True)}
# libyaml's parser where PyYAML was built with it (its wheels are), with the same safe constructors: loading the
# five shipped policy files takes about half the time. Text it refuses is read again by the pure-Python parser,
# so a bad file is named exactly as before (libyaml stops at its own nesting limit before ours, and its marks
# quote no line).
_CSafe: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)
_FAST = {} if _CSafe is None else {
    exact: _with_constructors(type(f"_C{_PURE[exact].__name__.lstrip('_')}", (_CSafe,), {}), exact)
    for exact in (False, True)}


def load_yaml(text: str, *, exact_numbers: bool = False) -> Any:
    """Parse YAML safely; raise yaml.YAMLError on a duplicate key. ``exact_numbers``: 12.5 → Decimal('12.5')."""
    fast = _FAST.get(exact_numbers)
    if fast is not None:
        try:
            _depth_ok(text, fast)
            return yaml.load(text, Loader=fast)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError):
            pass  # read again below, for the message (and mark) the pure-Python parser gives
    _depth_ok(text, yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=_PURE[exact_numbers])  # a SafeLoader subclass
    except yaml.YAMLError:
        raise
    except RecursionError:
        raise YamlInputError(f"nested deeper than {MAX_DEPTH} levels") from None
    except (ValueError, TypeError, OverflowError) as exc:  # 2021-02-30, 0000-01-01, int beyond 4,300 digits
        raise YamlInputError(f"a value cannot be read: {str(exc).split(';')[0]}") from None


def _depth_ok(text: str, loader: type[yaml.SafeLoader]) -> None:
    """Refuse nesting deeper than MAX_DEPTH (flow brackets or block indentation) before composing."""
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else "?"
                raise YamlInputError(f"line {line}: nested deeper than {MAX_DEPTH} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
