"""``ipsubsidy policies check``: load every policy file with all its checks, then prove coverage and amounts.

Amounts: every stated amount must be a figure its own quote states (5000元, 2万元, 三十万元 all read exactly).

Coverage: every clause of a source body that holds support language (给予, 奖励, 补助, …, or a stated
amount such as 5000元) must lie, character by character, in the quotes of items, of caps or of ``not_encoded``
entries (saying why it is no item) of the same paragraph. A clause that is neither fails the check, named by
file, paragraph number, line and section.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import cn2an  # type: ignore[import-untyped]  # Chinese numerals (三十万, 两万): a maintained library, not ours

from ipsubsidy.errors import CoverageError, PolicyError
from ipsubsidy.policy.loader import (
    dangling_references,
    default_policy_folders,
    duplicate_ids,
    load_policy_file,
    package_dir,
    policy_files,
    shipped_policies,
)
from ipsubsidy.policy.model import Document
from ipsubsidy.policy.source import Paragraph, clause_spans, normalise

__all__ = ["SUPPORT_WORDS", "CheckReport", "amount_mismatches", "check_policies", "quoted_amounts",
           "uncovered_paragraphs"]

SUPPORT_WORDS: tuple[str, ...] = (
    # money and fees
    "给予", "奖励", "奖补", "补助", "补贴", "资助", "扶持", "支持", "鼓励", "优惠", "减免", "免费",
    "贴息", "资金", "经费", "激励", "表彰",
    # finance, insurance and tax treatment
    "质押", "保险", "加计扣除", "税收",
    # services, platforms and the bodies that offer them
    "托管", "预审", "快速", "援助", "预警", "培训", "服务", "平台", "工作站", "加速器", "证券化",
    "维权", "咨询", "联盟",
    # programmes and places that an authority selects
    "示范", "试点", "培育", "推介", "评选", "评定", "认定", "遴选",
    # policies promised, not yet made
    "探索", "争取",
)
_AMOUNT = re.compile(r"\d+(?:\.\d+)?万?元")
_PROMISE = re.compile(r"制定[^，。；：]{0,30}?(?:政策|办法|细则|规则|措施)")  # a policy the city is to make


def support_language(text: str) -> list[str]:
    """The support words, promised policies and stated amounts in a (normalised) text."""
    return [w for w in SUPPORT_WORDS if w in text] + _PROMISE.findall(text) + _AMOUNT.findall(text)


def _support(paragraph: Paragraph) -> list[str]:
    return support_language(paragraph.normalised)


_CONNECTIVES = re.compile(r"以及|等事宜|及|和|与|或|并|等|的|、|《|》|“|”")


def _significant(stretch: str) -> bool:
    """An uncovered stretch matters when it holds support language or four characters of content;
    connectives left between two quotes (和, 以及, 、, 等事宜) do not."""
    return bool(support_language(stretch)) or len(_CONNECTIVES.sub("", stretch)) >= 4


def _covered(text: str, quotes: list[str]) -> list[bool]:
    """Which characters of ``text`` lie inside some occurrence of some quote."""
    mask = [False] * len(text)
    for quote in quotes:
        if text in quote:
            return [True] * len(text)
        start = text.find(quote)
        while start >= 0:
            mask[start : start + len(quote)] = [True] * len(quote)
            start = text.find(quote, start + 1)
    return mask


def uncovered_paragraphs(doc: Document) -> list[tuple[Paragraph, list[str]]]:
    """Paragraphs with support language that the quotes of that paragraph do not cover.

    A paragraph splits into clauses (at ，。；：). Every character of a clause that holds a support word or
    a stated amount must lie inside a quote, of an item or a not_encoded entry, found in the same paragraph
    — or the paragraph is excluded whole (``whole_paragraph``). So two measures in one sentence need two
    items, deleting either leaves its words uncovered and fails the check, and a quote elsewhere in the
    document never covers this paragraph. Returns each failing paragraph with its uncovered stretches.
    """
    local: dict[int, list[str]] = {}
    quotes = [i.spec.citation.quote for i in doc.items] + [n.quote for n in doc.not_encoded]
    for quote in quotes + [c.quote for c in doc.caps]:
        for paragraph in doc.source.paragraphs_quoting(quote):
            local.setdefault(paragraph.number, []).append(normalise(quote))
    whole = {p.number for n in doc.not_encoded if n.whole_paragraph for p in doc.source.paragraphs_quoting(n.quote)}
    out = []
    for paragraph in doc.source.paragraphs:
        if paragraph.number in whole:
            continue
        text = paragraph.normalised
        mask = _covered(text, local.get(paragraph.number, []))
        missing: list[str] = []
        for start, end in clause_spans(text):
            if not support_language(text[start:end]):
                continue
            stretch = ""
            for i in range(start, end):
                if not mask[i]:
                    stretch += text[i]
                elif stretch:
                    missing.append(stretch)
                    stretch = ""
            if stretch:
                missing.append(stretch)
        missing = [m for m in missing if _significant(m)]
        if missing:
            out.append((paragraph, missing))
    return out


_FIGURE = re.compile(r"(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿]+)\s*(万|亿)?元")
_MULTIPLIER = {None: Decimal(1), "万": Decimal(10_000), "亿": Decimal(100_000_000)}


def quoted_amounts(quote: str) -> list[Decimal]:
    """Every yuan figure a quote states, exactly: 5000元, 2万元, 1.5万元, 三十万元, 两万元."""
    out = []
    for digits, unit in _FIGURE.findall(normalise(quote)):
        if digits[0].isdigit():
            number = Decimal(digits)
        else:  # Chinese numerals, read by cn2an (it returns an int, or a float for a fraction)
            try:
                number = Decimal(str(cn2an.cn2an(digits, "normal")))
            except ValueError:
                continue
        out.append(number * _MULTIPLIER[unit or None])
    return out


def amount_mismatches(doc: Document) -> list[PolicyError]:
    """Items whose stated amount (or tier, cap, other reading) is not a figure their own quote states
    (20000 beside 2万元 passes, 2000 fails), and caps over several items whose amount their quote does not state."""
    problems = []
    for item in doc.items:
        benefit = item.spec.benefit
        stated = {"benefit.amount": item.stated_amount}
        if benefit.alternative is not None and benefit.alternative.per_unit is not None:
            stated["benefit.alternative.per_unit"] = benefit.alternative.per_unit
        for index, tier in enumerate(benefit.amount.tiers or []):
            stated[f"benefit.amount.tiers[{index}].amount"] = tier.amount
        if item.spec.cap is not None:
            stated["cap.amount"] = item.spec.cap.amount
        figures = quoted_amounts(item.spec.citation.quote)
        for where, amount in stated.items():
            if amount is not None and amount not in figures:
                shown = "、".join(f"{f.normalize():f}元" for f in figures) or "no figure"
                problems.append(PolicyError(
                    f"states {amount.normalize():f} yuan but its quote states {shown}",
                    file=doc.file.name, item=item.id, field=where))
    for index, cap in enumerate(doc.caps):
        figures = quoted_amounts(cap.quote)
        if cap.amount not in figures:
            shown = "、".join(f"{f.normalize():f}元" for f in figures) or "no figure"
            problems.append(PolicyError(f"caps at {cap.amount.normalize():f} yuan but its quote states {shown}",
                                        file=doc.file.name, field=f"caps[{index}].amount"))
    return problems


def _whole_paragraph_clashes(doc: Document) -> list[str]:
    """Items quoting a paragraph that a not_encoded entry excludes whole: the exclusion would hide them."""
    whole = {p.number for n in doc.not_encoded if n.whole_paragraph for p in doc.source.paragraphs_quoting(n.quote)}
    return [item.id for item in doc.items
            if any(p.number in whole for p in doc.source.paragraphs_quoting(item.spec.citation.quote))]


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


def check_policies(paths: Iterable[str | Path] | None = None, packages: Iterable[str | Path] = ()) -> CheckReport:
    """Check policy files (default: the shipped ones and every installed package's) and those of policy
    packages; collect every problem instead of stopping. References to other documents (不重复享受,
    supersedes) may name shipped ones."""
    report = CheckReport()
    try:
        folders = default_policy_folders() if paths is None else [package_dir(p) for p in paths]
        folders += [package_dir(ref) for ref in packages]
        files = list(dict.fromkeys(f.resolve() for f in policy_files(folders)))
    except PolicyError as exc:
        report.errors.append(exc)
        return report
    if not files:
        report.errors.append(PolicyError("no policy files to check", file=", ".join(map(str, paths or ()))))
        return report
    loaded: list[Document] = []
    for path in files:
        try:
            doc = load_policy_file(path)
        except PolicyError as exc:
            report.errors.append(exc)
            continue
        problems = duplicate_ids([*loaded, doc])
        problems = [p for p in problems if p.file == path.name]
        loaded.append(doc)
        problems += amount_mismatches(doc)
        for item_id in _whole_paragraph_clashes(doc):
            problems.append(PolicyError("its quote lies in a paragraph a not_encoded entry excludes whole",
                                        file=path.name, item=item_id, field="citation.quote"))
        for paragraph, clauses in uncovered_paragraphs(doc):
            shown = "」「".join(clauses[:3]) + ("」…" if len(clauses) > 3 else "」")
            problems.append(CoverageError(
                f"paragraph {paragraph.number} (line {paragraph.line}, section {paragraph.section or 'preamble'}) "
                f"has support language that no item or not_encoded entry quotes: 「{shown}",
                file=path.name, field="coverage"))
        report.errors.extend(problems)
        if not problems:
            report.documents.append(doc)
    ids = {doc.id for doc in loaded}
    shipped = [] if paths is None else [d for d in shipped_policies().documents if d.id not in ids]
    report.errors += [e for e in dangling_references([*loaded, *shipped]) if any(e.file == d.file.name for d in loaded)]
    for doc in report.documents[:]:
        if any(e.file == doc.file.name for e in report.errors):
            report.documents.remove(doc)
    return report
