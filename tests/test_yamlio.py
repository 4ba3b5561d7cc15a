"""libyaml's parser and the pure-Python one read the same data; what libyaml refuses is named as before."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ipsubsidy import yamlio
from ipsubsidy.yamlio import DuplicateKeyError, YamlInputError, load_yaml

pytestmark = pytest.mark.skipif(not yamlio._FAST, reason="PyYAML built without libyaml")

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20), st.text(max_size=20),
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**9, max_value=10**9))
data = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4), max_leaves=20)


def _plain(value: Any) -> Any:
    """Decimals as YAML floats (how a profile writes money), everything else as it is."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@settings(max_examples=200, deadline=None)
@given(data, st.booleans(), st.booleans())
def test_both_parsers_read_the_same_data(value: Any, exact: bool, flow: bool) -> None:
    text = yaml.safe_dump(_plain(value), allow_unicode=True, default_flow_style=flow)
    pure = yaml.load(text, Loader=yamlio._PURE[exact])
    fast = load_yaml(text, exact_numbers=exact)
    assert fast == pure and type(fast) is type(pure)
    assert repr(fast) == repr(pure)  # Decimal('1.50') stays 1.50, a float stays a float


@pytest.mark.parametrize(("text", "error", "says"), [
    ("a: 1\na: 2\n", DuplicateKeyError, "duplicate key 'a'"),
    ("day: 2021-02-30\n", YamlInputError, "2021-02-30 is not a valid date"),
    ("[" * 40 + "]" * 40, YamlInputError, "nested deeper than 32 levels"),
    ("[" * 1200, YamlInputError, "nested deeper than 32 levels"),  # libyaml stops at 1,000 levels of its own
    ("a: [1, 2\n", yaml.YAMLError, "while parsing a flow sequence"),
])
def test_refusals_read_as_the_pure_parser_names_them(text: str, error: type[Exception], says: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(error) as caught:
        load_yaml(text)
    assert says in str(caught.value)
    monkeypatch.setattr(yamlio, "_FAST", {})  # the pure-Python parser alone, as without libyaml
    with pytest.raises(error) as pure:
        load_yaml(text)
    assert str(pure.value) == str(caught.value)
