"""Every file problem is one line on stderr and exit 2 (corpus ``files.json``), in-process and in a subprocess;
the library's JSON reader gives the same field-naming error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.reliability.corpus import cli, corpus

from ipsubsidy import ProfileError, load_profile_json
from ipsubsidy.cli import main

CASES = [pytest.param(c, id=c["name"]) for c in corpus("files.json")["cases"]]
OK_PROFILE = "city: jinzhong\nentity_type: enterprise\n"


def _content(case: dict[str, Any]) -> bytes:
    if "bytes_hex" in case:
        return bytes.fromhex(case["bytes_hex"])
    if "repeat" in case:
        rep, n = case["repeat"], case["repeat"]["times"]
        if "block" in rep:
            return "".join("  " * i + rep["block"] + "\n" for i in range(n)).encode()
        if "digit" in rep:
            return (rep["prefix"] + rep["digit"] * n + rep["suffix"]).encode()
        return (rep["open"] * n + rep["close"] * n).encode()
    return str(case["text"]).encode(case.get("encoding", "utf-8"))


def _write(case: dict[str, Any], folder: Path) -> Path:
    path = folder / case["file"]
    path.write_bytes(_content(case))
    return path


@pytest.mark.parametrize("case", CASES)
def test_cli_one_line_exit_2(case: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(_write(case, tmp_path))]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and case["says"] in err, err


@pytest.mark.parametrize("case", [c for c in CASES if c.values[0]["file"].endswith(".json")])
def test_library_json_reader_agrees(case: dict[str, Any]) -> None:
    with pytest.raises(ProfileError) as info:
        load_profile_json(_content(case))
    assert case["says"] in str(info.value)


@pytest.mark.parametrize("case", CASES[:4])
def test_subprocess_no_traceback(case: dict[str, Any], tmp_path: Path) -> None:
    done = cli("evaluate", str(_write(case, tmp_path)))
    assert done.returncode == 2 and b"Traceback" not in done.stderr and done.stderr.count(b"\n") == 1


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_special_file_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "/dev/zero"]) == 2
    assert "not a regular file" in capsys.readouterr().err


def test_folder_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(tmp_path)]) == 2
    assert "folder" in capsys.readouterr().err


def test_oversize_file_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.write(OK_PROFILE.encode())
        handle.write(b"#" * (17 * 1024 * 1024))
    assert main(["evaluate", str(path)]) == 2
    assert "larger than 16 MiB" in capsys.readouterr().err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_full_output_device(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(OK_PROFILE, encoding="utf-8")
    with open("/dev/full", "wb") as full:
        run = subprocess.run([sys.executable, "-m", "ipsubsidy.cli", "evaluate", str(tmp_path / "p.yaml")],
                             stdout=full, stderr=subprocess.PIPE, timeout=120, check=False)
    assert run.returncode == 2 and b"No space left" in run.stderr and b"Traceback" not in run.stderr


@pytest.mark.parametrize("port", ["99999", "0", "-1", "http"])
def test_bad_port(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["serve", "--port", port])
    assert info.value.code == 2 and "--port" in capsys.readouterr().err


def test_policy_source_confined(tmp_path: Path) -> None:
    from ipsubsidy.policy.check import check_policies

    valid = (Path(__file__).parents[1] / "bad_input" / "_valid_policy.yaml").read_text(encoding="utf-8")
    escaped = "\n".join(
        line.split("file:")[0] + "file: ../../../../etc/passwd" if line.strip().startswith("file:") else line
        for line in valid.splitlines())
    (tmp_path / "sources").mkdir()
    (tmp_path / "p.yaml").write_text(escaped, encoding="utf-8")
    report = check_policies([tmp_path / "p.yaml"])
    assert not report.ok
    assert any(e.field == "document.source.file" and "outside" in e.message for e in report.errors)


def test_empty_policy_folder_fails(tmp_path: Path) -> None:
    from ipsubsidy.policy.check import check_policies

    report = check_policies([tmp_path])
    assert not report.ok and "no policy files" in report.text()
