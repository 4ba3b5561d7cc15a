"""Reading YAML as data: safe (no tags that build objects), duplicate keys refused, decimals exact.

Policy files and profiles are data; nothing in them is ever executed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

__all__ = ["DuplicateKeyError", "load_yaml"]


class DuplicateKeyError(yaml.constructor.ConstructorError):
    """A mapping gives the same key twice; ``key`` and ``line`` (1-based) say which and where."""

    def __init__(self, key: Any, mark: yaml.Mark) -> None:
        self.key = key
        self.line = mark.line + 1
        super().__init__(None, None, f"duplicate key {key!r}", mark)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of keeping the last one."""


class _DecimalLoader(_StrictLoader):
    """... and reads numbers with a fraction as exact Decimal (money in profiles), never float."""


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    keys: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in keys:
            raise DuplicateKeyError(key, key_node.start_mark)
        keys.add(key)
    return loader.construct_mapping(node, deep=deep)


def _decimal(loader: _StrictLoader, node: yaml.ScalarNode) -> Decimal | float:
    text = str(loader.construct_scalar(node)).replace("_", "")
    if text.lower().lstrip("+-") in (".inf", ".nan"):
        return float(loader.construct_yaml_float(node))
    return Decimal(text)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def load_yaml(text: str, *, exact_numbers: bool = False) -> Any:
    """Parse YAML safely; raise yaml.YAMLError on a duplicate key. ``exact_numbers``: 12.5 → Decimal('12.5')."""
    return yaml.load(text, Loader=_DecimalLoader if exact_numbers else _StrictLoader)  # a SafeLoader subclass
