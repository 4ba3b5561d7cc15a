"""The README's example output is the real output of its command (so the README cannot drift)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from ipsubsidy.cli import main

README = Path(__file__).parent.parent / "README.md"


def _example() -> tuple[list[str], str]:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^\$ ipsubsidy (evaluate [^\n]+)\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    assert match, "README has no '$ ipsubsidy evaluate ...' example"
    return shlex.split(match.group(1)), match.group(2)


def _without_backend(text: str) -> str:
    return re.sub(r"\((?:durable-rules|python)\)", "(backend)", text, count=1)


def test_readme_example_output_is_what_the_command_prints(capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    argv, shown = _example()
    monkeypatch.chdir(README.parent)
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert _without_backend(shown) == _without_backend(printed)
