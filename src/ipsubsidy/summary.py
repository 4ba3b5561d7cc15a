"""A result as a few plain sentences to read aloud on a hotline: no tables, ids or codes.

    可以申请的有2项，合计25000元：国内授权发明专利一次性补助1项，5000元；…。受理部门：市市场监管局。
    另有5项还要再确认，最多可再争取520000元。请先回答：贵单位有哪些品牌计划入选？…

Sentences: what is claimable now and how much (with the departments); what is claimable but has no stated
amount; what is pending, the money at stake and the question that decides the most; what is not eligible
(with the smallest change that would qualify, where there is one); which policy documents were used.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

from ipsubsidy.labels import yuan
from ipsubsidy.status import Status, label

__all__ = ["Summarised", "summarise", "summarise_short"]


# What the sentences read of a result, as protocols: ``Result.summary`` calls this module, so it cannot import
# ``result`` back (not even for the type checker); mypy holds ``Result`` to these where it passes itself.
class _Text(Protocol):
    @property
    def zh(self) -> str: ...
    @property
    def en(self) -> str: ...
    def __call__(self, lang: str) -> str: ...


class _Amount(Protocol):
    @property
    def per_unit(self) -> str | None: ...
    @property
    def quantity(self) -> int | None: ...
    @property
    def subtotal(self) -> str | None: ...


class _Reason(Protocol):
    @property
    def shortfall(self) -> _Text | None: ...


class _Citation(Protocol):
    @property
    def document(self) -> str: ...


class _Item(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> _Text: ...
    @property
    def status(self) -> Status: ...
    @property
    def amount(self) -> _Amount: ...
    @property
    def departments(self) -> Sequence[str]: ...
    @property
    def reasons(self) -> Sequence[_Reason]: ...
    @property
    def citation(self) -> _Citation: ...


class _Question(Protocol):
    @property
    def zh(self) -> str: ...
    @property
    def en(self) -> str: ...
    @property
    def items(self) -> Sequence[str]: ...


class Summarised(Protocol):
    """A result as the summary reads it (``ipsubsidy.result.Result``)."""

    @property
    def notices(self) -> Sequence[_Text]: ...
    @property
    def items(self) -> Sequence[_Item]: ...
    @property
    def other(self) -> Sequence[_Item]: ...
    @property
    def total(self) -> str: ...
    @property
    def questions(self) -> Sequence[_Question]: ...
    def all_items(self) -> Sequence[_Item]: ...
    def by_status(self, status: Status | str) -> Sequence[_Item]: ...


def _join(parts: list[str], lang: str) -> str:
    if lang == "zh":
        return "；".join(parts)
    return "; ".join(parts)


def _departments(items: Sequence[_Item], lang: str) -> str:
    names = list(dict.fromkeys(d for item in items for d in item.departments))
    return ("、" if lang == "zh" else ", ").join(names)


def _money(amount: str, lang: str) -> str:
    return f"{amount}元" if lang == "zh" else f"{amount} yuan"


def _claimable(result: Summarised, lang: str) -> list[str]:
    eligible = result.by_status(Status.eligible)
    stated = [i for i in eligible if i.amount.subtotal is not None]
    unstated = [i for i in eligible if i.amount.subtotal is None]
    out: list[str] = []
    if not eligible:
        return ["目前还没有可以确认申请的项目。" if lang == "zh" else "Nothing can be confirmed as claimable yet."]
    if stated:
        parts = []
        for item in stated:
            qty = item.amount.quantity or 1
            if lang == "zh":
                parts.append(f"{item.title.zh}{qty}项，{_money(item.amount.subtotal or '0', lang)}")
            else:
                parts.append(f"{item.title.en}, {qty} of them, {_money(item.amount.subtotal or '0', lang)}")
        if lang == "zh":
            out.append(f"现在可以申请的有{len(stated)}项，合计{_money(result.total, lang)}：{_join(parts, lang)}。")
        else:
            out.append(f"You can claim {len(stated)} award{'s' if len(stated) > 1 else ''} now, "
                       f"{_money(result.total, lang)} in all: {_join(parts, lang)}.")
    if unstated:
        titles = _join([i.title(lang) for i in unstated], lang)
        if lang == "zh":
            out.append(f"另外可以申请{len(unstated)}项，但政策没有写明金额：{titles}。")
        else:
            out.append(f"You can also apply for {len(unstated)} more with no amount stated in the policy: {titles}.")
    departments = _departments(eligible, lang)
    if departments:
        out.append(f"受理部门：{departments}。" if lang == "zh" else f"Apply to: {departments}.")
    return out


def _notices(result: Summarised, lang: str) -> list[str]:
    return [notice(lang) for notice in result.notices]


def _other(result: Summarised, lang: str) -> list[str]:
    """Support that holds but is nothing to claim: said apart, never as 可申请."""
    holding = [i for i in result.other if i.status in
               (Status.candidate, Status.service_available, Status.encouraged, Status.policy_pending)]
    if not holding:
        return []
    groups: dict[Status, list[_Item]] = {}
    for item in holding:
        groups.setdefault(item.status, []).append(item)
    if lang == "zh":
        parts = [f"{label(status, lang)}{len(items)}项(" + "、".join(i.title.zh for i in items) + ")"
                 for status, items in groups.items()]
        return [f"另有{len(holding)}项不能直接申请领取：{_join(parts, lang)}。"]
    parts = [f"{label(status, lang)}: " + ", ".join(i.title.en for i in items) for status, items in groups.items()]
    return [f"{len(holding)} more are not claims you can make ({_join(parts, lang)})."]


def _pending(result: Summarised, lang: str) -> list[str]:
    pending = [i for i in result.items if i.status == Status.needs_info]
    if not pending and not result.questions:
        return []
    out: list[str] = []
    if pending:
        asked = {i for q in result.questions for i in q.items}
        stake = sum((Decimal(i.amount.per_unit) for i in pending if i.amount.per_unit is not None and i.id in asked),
                    Decimal(0))
        figure = yuan(stake)
        if lang == "zh":
            more = f"，涉及的明确金额至少{_money(figure, lang)}" if stake else ""
            out.append(f"还有{len(pending)}项需要补充信息才能确定{more}。")
        else:
            more = f", worth at least {_money(figure, lang)} in stated amounts" if stake else ""
            out.append(f"{len(pending)} more need information before they can be decided{more}.")
    if result.questions:
        first = result.questions[0]
        if lang == "zh":
            out.append(f"请先回答：{first.zh}")
        else:
            out.append(f"First question: {first.en}")
    return out


def _not_eligible(result: Summarised, lang: str) -> list[str]:
    items = [i for i in result.items if i.status == Status.not_eligible]
    if not items:
        return []
    parts = []
    for item in items:
        gaps = [r.shortfall(lang) for r in item.reasons if r.shortfall is not None][:2]
        if gaps:
            joiner = "，" if lang == "zh" else ", "
            parts.append(f"{item.title(lang)}({joiner.join(gaps)})" if lang == "zh"
                         else f"{item.title(lang)} ({joiner.join(gaps)})")
        else:
            parts.append(item.title(lang))
    if lang == "zh":
        return [f"不符合条件的有{len(items)}项：{_join(parts, lang)}。"]
    return [f"{len(items)} do not qualify: {_join(parts, lang)}."]


def _expired(result: Summarised, lang: str) -> list[str]:
    items = [i for i in result.items if i.status == Status.expired]
    if not items or result.notices:  # a notice has already said the document is closed
        return []
    if lang == "zh":
        return [f"有{len(items)}项条件符合但申请期已过。"]
    return [f"{len(items)} would qualify but their claim period is over."]


def _policies(result: Summarised, lang: str) -> list[str]:
    titles = list(dict.fromkeys(i.citation.document for i in result.all_items()))
    if not titles:
        return ["没有适用于您所在城市和主体类型的政策。" if lang == "zh"
                else "No policy applies to this city and type of claimant."]
    names = "、".join(f"《{t}》" for t in titles)
    return [f"以上依据{names}。" if lang == "zh" else f"This is based on {len(titles)} policy "
            f"document{'s' if len(titles) > 1 else ''}: {names}."]


def summarise(result: Summarised, lang: str = "zh") -> str:
    """The plain sentences for ``result`` in ``lang`` (zh or en), one paragraph."""
    lang = "en" if lang == "en" else "zh"
    sentences = [*_notices(result, lang), *_claimable(result, lang), *_pending(result, lang),
                 *_other(result, lang), *_not_eligible(result, lang), *_expired(result, lang),
                 *_policies(result, lang)]
    return ("" if lang == "zh" else " ").join(sentences)


def summarise_short(result: Summarised, lang: str = "zh") -> str:
    """One or two sentences to say in under 20 seconds: the claimable count and total, then what is still open."""
    lang = "en" if lang == "en" else "zh"
    eligible = result.by_status(Status.eligible)
    pending = [i for i in result.items if i.status == Status.needs_info]
    if lang == "zh":
        first = (f"现在可申请{len(eligible)}项，合计{_money(result.total, lang)}。" if eligible
                 else "目前还没有可以确认申请的项目。")
        second = f"另有{len(pending)}项待补充信息。" if pending else ""
        return first + second
    first = (f"You can claim {len(eligible)} now, {_money(result.total, lang)} in all." if eligible
             else "Nothing can be confirmed as claimable yet.")
    second = f" {len(pending)} more need information." if pending else ""
    return first + second
