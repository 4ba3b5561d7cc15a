"""A stored source text: its checksum, the document body inside the web capture, its paragraphs and
the section path (三(二)3) each paragraph falls under, and verbatim quote look-up.

Quotes are compared whitespace-normalised: NFKC (so full- and half-width punctuation agree) with all
white space removed, since Chinese text has none that carries meaning.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ipsubsidy.lazy import computed_once

__all__ = ["Paragraph", "SourceText", "normalise"]

_SPACE = re.compile(r"\s+")
_NUM = "一二三四五六七八九十"
_HEADINGS: tuple[tuple[int, re.Pattern[str], str], ...] = (
    (1, re.compile(rf"^([{_NUM}]+)、"), "{}"),
    (1, re.compile(rf"^(第[{_NUM}百零]+条)"), "{}"),  # the articles of a 办法 or 细则: 第十二条
    (2, re.compile(rf"^\(([{_NUM}]+)\)"), "({})"),
    (3, re.compile(r"^(\d{1,2})[.、](?!\d)"), "{}"),
    (4, re.compile(r"^\((\d{1,2})\)"), "({})"),
)
_BOX = re.compile(r"^(专栏\d+)")
# A box (专栏) runs over the paragraphs after its title until the next heading or box, or until a paragraph
# closing with the departments in charge ("…按职责分工负责)"): boxes carry none, the main text does.
_BOX_END = re.compile(r"负责\)$")


def normalise(text: str) -> str:
    """The form quotes are compared in: NFKC, no white space."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


@dataclass(frozen=True)
class Paragraph:
    """One non-empty line of the body, with the section path it falls under."""

    number: int   # 1-based among the body's paragraphs
    line: int     # 1-based line in the stored file
    section: str  # e.g. 三(二)3, or '' before the first heading
    text: str

    @computed_once
    def normalised(self) -> str:
        return normalise(self.text)


class SourceText:
    """A source file, checked against its sha256, with the document body cut out of the capture."""

    def __init__(self, path: Path, body_start: str, body_end: str, exclude: tuple[str, ...] = ()) -> None:
        self.path = path
        self.raw = path.read_text(encoding="utf-8")
        self.sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        start = self.raw.find(body_start)
        if start < 0:
            raise ValueError(f"body_start {body_start!r} is not in {path.name}")
        end = self.raw.find(body_end, start)
        if end < 0:
            raise ValueError(f"body_end {body_end!r} is not in {path.name} after body_start")
        body = self.raw[start : end + len(body_end)]
        for furniture in exclude:
            if furniture not in body:
                raise ValueError(f"exclude {furniture!r} is not in the body of {path.name}")
            body = body.replace(furniture, "")
        self.body = body
        self._first_line = self.raw.count("\n", 0, start) + 1

    @computed_once
    def normalised_body(self) -> str:
        return normalise(self.body)

    def contains(self, quote: str) -> bool:
        return normalise(quote) in self.normalised_body

    @computed_once
    def paragraphs(self) -> tuple[Paragraph, ...]:
        path: dict[int, str] = {}
        out: list[Paragraph] = []
        box = ""
        for offset, line in enumerate(self.body.split("\n")):
            text = unicodedata.normalize("NFKC", line).strip()
            if not text:
                continue
            for level, pattern, fmt in _HEADINGS:
                match = pattern.match(text)
                if match and (level == 1 or path):  # sub-headings only once a section has begun
                    path = {k: v for k, v in path.items() if k < level}
                    path[level] = fmt.format(match.group(1))
                    box = ""
                    break
            box_title = _BOX.match(text)
            if box_title:
                box = box_title.group(1)
            elif box and _BOX_END.search(text):
                box = ""
            section = "".join(path[k] for k in sorted(path)) + box
            out.append(Paragraph(len(out) + 1, self._first_line + offset, section, line.strip()))
        return tuple(out)

    def paragraphs_quoting(self, quote: str) -> list[Paragraph]:
        """The paragraphs a quote lies in (a quote may span several adjoining ones)."""
        target = normalise(quote)
        hits = [p for p in self.paragraphs if target in p.normalised]
        if hits:
            return hits
        return [p for p in self.paragraphs if p.normalised and p.normalised in target]


_SENTENCE_END = "。！？!?"
_CLAUSE_SPLIT = re.compile(r"[,，。；;:：!！?？]")


def clause_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each clause of a normalised text: the stretches between ，。；： and the like."""
    spans, start = [], 0
    for match in _CLAUSE_SPLIT.finditer(text):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def sentence_of(paragraph: Paragraph, quote: str) -> str:
    """The whole sentence (or sentences) of ``paragraph`` in which ``quote`` lies, as the source prints it."""
    raw = paragraph.text
    index: list[int] = []  # normalised position -> raw position
    normal: list[str] = []
    for position, char in enumerate(raw):
        for out in _SPACE.sub("", unicodedata.normalize("NFKC", char)):
            normal.append(out)
            index.append(position)
    at = "".join(normal).find(normalise(quote))
    if at < 0:
        return quote
    start = index[at]
    end = index[at + len(normalise(quote)) - 1] + 1
    while start > 0 and raw[start - 1] not in _SENTENCE_END:
        start -= 1
    while end < len(raw) and raw[end - 1] not in _SENTENCE_END:
        end += 1
    return raw[start:end].strip()
