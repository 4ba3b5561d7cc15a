"""``ipsubsidy policies new``: a captured source text → a draft policy file for a person to finish.

The draft carries the document's metadata (checksum, body bounds, the issue date given), and one ``drafts``
entry per sentence with support, service, selection or promised-policy language: its section as the source
numbers it, the sentence verbatim, the words found, the yuan figures proposed as amounts and the class the
words suggest. Every section and quote passes the checker's verbatim and heading tests; the file as a whole
fails ``policies check`` until a person has turned each draft into an item or a reasoned not_encoded entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

from ipsubsidy.places import normalise_city
from ipsubsidy.policy.check import quoted_amounts, support_language
from ipsubsidy.policy.source import SourceText, normalise

__all__ = ["class_hint", "draft_policy"]

_SENTENCE = re.compile(r"[^。；;！？!?]+[。；;！？!?]?")
_TITLE = re.compile(r"(方案|办法|规划|意见|计划|细则|规定|措施|政策)")
_HINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("not_yet_made", ("探索", "研究制定", "争取", "制定")),
    ("encouraged", ("鼓励", "引导", "支持")),
    ("service", ("服务", "培训", "援助", "平台", "预审", "托管", "咨询")),
    ("selection", ("评定", "推介", "培育", "遴选", "认定", "示范", "试点")),
)


_CLAIM_WORDS = ("给予", "奖励", "补助", "补贴", "资助", "奖补", "贴息", "减免", "扶持")


def class_hint(text: str, amounts: list[Any]) -> str | None:
    """The class the words of a sentence suggest: a stated amount or award words suggest a claimable benefit;
    None when the words suggest nothing (a heading such as 加大资金投入): a person decides."""
    if amounts:
        return "claimable"
    for name, words in _HINTS:
        if any(word in text for word in words):
            return name
    return "claimable" if any(word in text for word in _CLAIM_WORDS) else None


def _bound(raw: str, line: str, at_end: bool) -> str:
    """The shortest stretch of ``line`` (its start or end) that occurs once in ``raw``: a body bound."""
    line = line.strip()
    for size in range(6, len(line) + 1):
        piece = line[-size:] if at_end else line[:size]
        if raw.count(piece) == 1:
            return piece
    return line


_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}[〔\[［(（]\s*(?:19|20)\d\d\s*[〕\]］)）]\s*\d{1,4}\s*号")
_NOTICE = ("关于印发", "的通知", "通知")


def _number(raw: str) -> str | None:
    """The document number (文号, 哈政办发[2007]11号) when the capture states exactly one."""
    found = sorted(set(_NUMBER.findall(raw)))
    return found[0] if len(found) == 1 else None


def _title(paragraphs: list[str], fallback: str) -> str:
    """The document's own title: a short title-like paragraph, not the covering notice's 关于印发…的通知."""
    titles = [t for t in paragraphs if _TITLE.search(t) and len(t) < 80 and not t.endswith("。")]
    own = [t for t in titles if not any(word in t for word in _NOTICE)]
    return (own or titles or [fallback])[0]


def draft_policy(source: Path, city: str, issued: dt.date, doc_id: str | None = None,
                 body_start: str | None = None, body_end: str | None = None) -> dict[str, Any]:
    """The draft policy file for ``source`` as plain data (dump it with ``dump``). ``body_start`` and
    ``body_end`` bound the body when the capture carries furniture around it (default: the first and last
    lines); passages outside the body are not drafted."""
    raw = source.read_text(encoding="utf-8")
    lines = [line for line in raw.splitlines() if len(line.strip()) >= 4]
    if not lines:
        raise ValueError(f"{source.name} has no text")
    start = body_start or _bound(raw, lines[0], False)
    end = body_end or _bound(raw, lines[-1], True)
    text = SourceText(source, start, end)
    title = _title([p.text.strip() for p in text.paragraphs], lines[0].strip())
    city = normalise_city(city).id  # 哈尔滨, Harbin, harbin → harbin: the id the document keeps
    doc_id = doc_id or f"{city}-{issued.year}"
    drafts = []
    for paragraph in text.paragraphs:
        for sentence in (m.group(0).strip() for m in _SENTENCE.finditer(paragraph.text)):
            words = support_language(normalise(sentence))
            if len(normalise(sentence)) < 4 or not words:
                continue
            amounts = quoted_amounts(sentence)
            entry: dict[str, Any] = {
                "section": paragraph.section, "quote": sentence, "words": list(dict.fromkeys(words)),
                "amounts": [int(a) if a == a.to_integral_value() else str(a) for a in amounts],
            }
            hint = class_hint(sentence, amounts)
            if hint is not None:
                entry["class_hint"] = hint
            drafts.append(entry)
    return {
        "document": {
            "id": doc_id,
            "city": city,
            "title": {"zh": title, "en": "TODO: the English title"},
            "issuer": "TODO: the issuing office, as printed",
            "number": _number(raw),
            "date": issued,
            "period": {"start": issued, "end": issued,
                       "basis": {"zh": "TODO: 期限依据(原文)", "en": "TODO: what the period rests on"}},
            "source": {
                "file": source.name,
                "sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
                "body_start": start,
                "body_end": end,
                "furniture": "TODO: what the capture carries besides the document (ads, banners), cut by "
                             "body_start, body_end and exclude",
            },
        },
        "items": [],
        "not_encoded": [],
        "drafts": drafts,
    }


class _Dumper(yaml.SafeDumper):
    """Writes every value in full: no &anchors/*aliases for the dates an author edits one by one."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(data: dict[str, Any]) -> str:
    header = ("# A DRAFT made by `ipsubsidy policies new`. Decide every entry of `drafts`: move it to `items`\n"
              "# (class, class_reason, beneficiaries, amount, conditions, departments, notes) or to `not_encoded`\n"
              "# (with its reason), then delete it from drafts. Fix the TODOs and body bounds; then run\n"
              "# `ipsubsidy policies check` until it passes. See docs/adding-a-city.md. If the capture carries\n"
              "# furniture before or after the document, draft again with --body-start/--body-end.\n")
    return header + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)
