"""The two rule backends as pytest parameters, in one place: durable-rules is skipped where it cannot import."""

from __future__ import annotations

import pytest

from ipsubsidy.engine import durable

needs_durable = pytest.mark.skipif(not durable.available(), reason="durable-rules not importable")

BACKENDS = [
    pytest.param("python", id="python"),
    pytest.param("durable-rules", id="durable-rules", marks=[pytest.mark.durable, needs_durable]),
]
