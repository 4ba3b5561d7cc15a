"""A host's typed code sees the profile's fields without the pydantic plugin (mypy --strict, and pyright).

``tests/typing/embed_company.py`` builds Company, Patent, FiscalYear and Listing directly and reads them back;
two calls there are wrong on purpose and carry ``type: ignore``: with unused ignores reported, the checker
passes only when it sees every field's type (a field it could not see would make a wrong call look right).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TYPED = Path(__file__).parent / "typing" / "embed_company.py"
SRC = Path(__file__).parent.parent / "src"
NO_PLUGIN = "[mypy]\nstrict = True\nwarn_unused_ignores = True\n"


def test_mypy_without_the_pydantic_plugin_accepts_company_calls(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    config = tmp_path / "mypy.ini"
    config.write_text(NO_PLUGIN, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(config), "--no-incremental",
                          "--cache-dir", str(tmp_path / "cache"), str(TYPED)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Success" in run.stdout


def test_mypy_without_the_plugin_catches_a_wrong_field_type(tmp_path: Path) -> None:
    """The check can fail: the same file with a wrong value and no ignore is an error naming the argument."""
    pytest.importorskip("mypy")
    config = tmp_path / "mypy.ini"
    config.write_text(NO_PLUGIN, encoding="utf-8")
    bad = tmp_path / "bad.py"
    bad.write_text("from ipsubsidy import Company\nCompany(startup=1.5, city=3)\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(config), "--no-incremental",
                          "--cache-dir", str(tmp_path / "cache"), str(bad)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 1
    assert '"startup"' in run.stdout and '"city"' in run.stdout


def test_pyright_strict_accepts_company_calls(tmp_path: Path) -> None:
    pyright = shutil.which("pyright")
    if pyright is None:
        pytest.skip("pyright is not installed (npm install pyright, or pip install pyright)")
    config = tmp_path / "pyrightconfig.json"
    config.write_text(json.dumps({"typeCheckingMode": "strict", "reportUnnecessaryTypeIgnoreComment": "error",
                                  "pythonPath": sys.executable, "extraPaths": [str(SRC)]}), encoding="utf-8")
    run = subprocess.run([pyright, "-p", str(config), str(TYPED)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
