"""Reading an input file as UTF-8 text: regular files only, a size cap, and a hint for the wrong encoding."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

__all__ = ["MAX_FILE_BYTES", "TextFileError", "decode_utf8", "read_text_file"]

MAX_FILE_BYTES = 16 * 1024 * 1024  # a profile or policy file is a few kB; 16 MiB is far beyond any real one


class TextFileError(ValueError):
    """A file cannot be read as UTF-8 text; ``str()`` is one line saying why and what to do."""


def _encoding_hint(data: bytes) -> str:
    half = max(len(data) // 2, 1)
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (max(even, odd) > half * 0.3 and min(even, odd) < half * 0.02):
        return "it looks like UTF-16: save it as UTF-8"
    if b"\x00" in data:
        return "it looks like a binary file, not text"
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return "save it as UTF-8"
    if any("\u4e00" <= char <= "\u9fff" for char in text):
        return "GBK detected: convert to UTF-8 or use `ipsubsidy screen`"
    return "it looks like Latin-1 or another legacy encoding: save it as UTF-8"


def decode_utf8(data: bytes) -> str:
    """``data`` as text (a UTF-8 byte-order mark is dropped), or TextFileError with an encoding hint."""
    if b"\x00" in data:  # valid UTF-8 perhaps, but no text file holds NUL: UTF-16 or binary
        raise TextFileError(f"not UTF-8 text (byte {data.index(0)} is NUL): {_encoding_hint(data)}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TextFileError(f"not UTF-8 (byte {exc.start}): {_encoding_hint(data)}") from None


def read_text_file(path: str | Path, limit: int = MAX_FILE_BYTES) -> str:
    """Read a regular file (or ``-``: standard input) of at most ``limit`` bytes as UTF-8 text."""
    if str(path) == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text stream put in place of stdin (tests, embedding)
            text = sys.stdin.read(limit + 1)
            if len(text) > limit:
                raise TextFileError(f"is larger than {limit // (1024 * 1024)} MiB")
            return text
        data = stream.read(limit + 1)
    else:
        try:
            with open(path, "rb") as handle:
                mode = os.fstat(handle.fileno()).st_mode
                if not stat.S_ISREG(mode):
                    raise TextFileError("not a regular file (a device, a pipe or a folder); give a file")
                data = handle.read(limit + 1)
        except IsADirectoryError:
            raise TextFileError("is a folder; give a file") from None
        except OSError as exc:
            raise TextFileError(f"cannot read it: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise TextFileError(f"is larger than {limit // (1024 * 1024)} MiB; a profile or policy file is far smaller")
    return decode_utf8(data)
