"""Loading the hostile-input corpus files of this folder, and the paths every case is driven through."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["HERE", "cli", "corpus"]

HERE = Path(__file__).parent


def corpus(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((HERE / name).read_text(encoding="utf-8"))
    return data


def cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run the command in a fresh interpreter, as a user would."""
    return subprocess.run([sys.executable, "-m", "ipsubsidy.cli", *args], input=stdin,
                          capture_output=True, timeout=120, check=False)
