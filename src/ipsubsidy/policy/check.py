"""``ipsubsidy policies check``: load every policy file with all its checks, then prove coverage.

Coverage: every paragraph of a source body that holds support language (给予, 奖励, 补助, …) must hold
the quote of some item, or of a ``not_encoded`` entry that says why it is no item. A paragraph that is
neither fails the check, named by file, paragraph number, line and section.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ipsubsidy.errors import CoverageError, PolicyError
from ipsubsidy.policy.loader import default_policy_dir, load_policy_file
from ipsubsidy.policy.model import Document
from ipsubsidy.policy.source import Paragraph, normalise

__all__ = ["SUPPORT_WORDS", "CheckReport", "check_policies", "uncovered_paragraphs"]

SUPPORT_WORDS: tuple[str, ...] = (
    "给予", "奖励", "奖补", "补助", "补贴", "资助", "扶持", "支持", "鼓励", "优惠", "减免", "免费",
    "贴息", "资金", "经费", "专项", "加计扣除", "税收", "托管", "预审", "援助", "表彰", "激励",
)


def _support(paragraph: Paragraph) -> list[str]:
    return [w for w in SUPPORT_WORDS if w in paragraph.normalised]


def uncovered_paragraphs(doc: Document) -> list[tuple[Paragraph, list[str]]]:
    """Paragraphs with support language that no item and no not_encoded entry quotes."""
    quotes = [normalise(i.spec.citation.quote) for i in doc.items]
    quotes += [normalise(n.quote) for n in doc.not_encoded]
    out = []
    for paragraph in doc.source.paragraphs:
        words = _support(paragraph)
        if not words:
            continue
        text = paragraph.normalised
        if any(q in text or (text and text in q) for q in quotes):
            continue
        out.append((paragraph, words))
    return out


@dataclass
class CheckReport:
    documents: list[Document] = field(default_factory=list)
    errors: list[PolicyError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self) -> str:
        lines = []
        for doc in self.documents:
            support = sum(1 for p in doc.source.paragraphs if _support(p))
            lines.append(f"ok   {doc.file.name}: {len(doc.items)} items, {len(doc.not_encoded)} not encoded, "
                         f"{support} support paragraphs covered")
        lines += [f"FAIL {error}" for error in self.errors]
        lines.append(f"{len(self.documents)} files passed, {len(self.errors)} problems")
        return "\n".join(lines)


def check_policies(paths: Iterable[str | Path] | None = None) -> CheckReport:
    """Check policy files (default: the shipped ones); collect every problem instead of stopping."""
    files: list[Path] = []
    for entry in [default_policy_dir()] if paths is None else [Path(p) for p in paths]:
        files.extend(sorted(entry.glob("*.yaml")) if entry.is_dir() else [entry])
    report = CheckReport()
    ids: dict[str, str] = {}
    for path in files:
        try:
            doc = load_policy_file(path)
        except PolicyError as exc:
            report.errors.append(exc)
            continue
        problems: list[PolicyError] = []
        for item in doc.items:
            for name in (item.id, *item.spec.aliases):
                if name in ids and ids[name] != path.name:
                    problems.append(PolicyError(f"id or alias {name!r} is also used in {ids[name]}",
                                                file=path.name, item=item.id, field="id"))
                ids[name] = path.name
        for paragraph, words in uncovered_paragraphs(doc):
            excerpt = paragraph.text[:40] + ("…" if len(paragraph.text) > 40 else "")
            problems.append(CoverageError(
                f"paragraph {paragraph.number} (line {paragraph.line}, section {paragraph.section or 'preamble'}) "
                f"has support language ({'、'.join(words)}) but no item or not_encoded entry quotes it: "
                f"「{excerpt}」", file=path.name, field="coverage"))
        report.errors.extend(problems)
        if not problems:
            report.documents.append(doc)
    return report
