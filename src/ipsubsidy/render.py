"""Text and JSON renderings of results and policy listings, in Chinese (default) or English."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from ipsubsidy.policy.model import PolicySet
from ipsubsidy.result import STATUS_LABELS, ItemResult, Result, Status, label, yuan

__all__ = ["policies_json", "policies_table", "result_table"]

OTHER_HEADING = ("—— 其他支持(不能直接申请领取：评选、服务、鼓励或尚待制定的政策) ——",
                 "—— Other support (nothing to claim: selections, services, encouragements, policies to come) ——")


def _amount(item: ItemResult, lang: str) -> str:
    amount = item.amount
    unit = "元" if lang == "zh" else " yuan"
    cap = f"({'最高' if lang == 'zh' else 'at most '}{amount.cap}{unit})" if amount.cap else ""
    if amount.per_unit is None:
        if amount.not_stated is not None:
            return "金额未定" if lang == "zh" else "amount not stated"
        if amount.subtotal is None:  # tiers, not settled yet
            return ("按档次计" if lang == "zh" else "by tier") + cap
        paid = [Decimal(u.amount) for u in item.units if u.amount]
        parts = " + ".join(f"{u.amount}" for u in item.units if u.amount) or amount.subtotal
        return f"{parts} = {_capped(sum(paid, Decimal(0)) if paid else None, amount.subtotal, unit, lang)}{cap}"
    if amount.quantity is None:
        return f"{amount.per_unit}{unit}{cap}"
    shown = f"{amount.per_unit}{unit} × {amount.quantity}"
    full = Decimal(amount.per_unit) * amount.quantity
    return (f"{shown} = {_capped(full, amount.subtotal, unit, lang)}" if amount.subtotal is not None else shown) + cap


def _capped(full: Decimal | None, subtotal: str, unit: str, lang: str) -> str:
    """``subtotal`` yuan, with the uncapped sum first where a cap cut it (150000元，按114000元计)."""
    if full is None or full == Decimal(subtotal):
        return f"{subtotal}{unit}"
    if lang == "zh":
        return f"{yuan(full)}{unit}，按{subtotal}{unit}计"
    return f"{yuan(full)}{unit}, counted as {subtotal}{unit}"


def result_table(result: Result, lang: str = "zh") -> str:
    """Notices first; then the claimable items, eligible first; then, in a section of their own, the
    selections, services, encouragements and policies yet to be made; the total of stated amounts last."""
    zh = lang == "zh"
    lines = [f"{'评估日' if zh else 'As of'}: {result.as_of}   ({result.backend})", ""]
    if result.notices:
        lines += [f"{'注意' if zh else 'Note'}: {notice(lang)}" for notice in result.notices]
        lines.append("")
    lines += _blocks(result.items, lang)
    if result.other:
        lines += ["", OTHER_HEADING[0] if zh else OTHER_HEADING[1], ""]
        lines += _blocks(result.other, lang)
    lines.append("")
    if zh:
        lines.append(f"合计(可申请且金额明确): {result.total} 元")
        if result.not_stated:
            lines.append(f"另有金额未定的可申请项目: {', '.join(result.not_stated)}")
    else:
        lines.append(f"Total (eligible, stated amounts): {result.total} yuan")
        if result.not_stated:
            lines.append(f"Also eligible, amount not stated: {', '.join(result.not_stated)}")
    if result.questions:
        first = result.questions[0]
        label_ = "下一个问题" if zh else "Next question"
        lines.append(f"{label_} ({first.path}): {first(lang)}")
    return "\n".join(lines)


def _blocks(items: list[ItemResult], lang: str) -> list[str]:
    zh = lang == "zh"
    order = list(STATUS_LABELS)
    lines: list[str] = []
    for item in sorted(items, key=lambda i: order.index(i.status)):
        lines.append(f"[{label(item.status, lang)}] {item.title(lang)}  ({item.id})")
        if item.benefit_class.value != "claimable":
            kind = f"{label(item.benefit_class, lang)} — {item.class_reason(lang)}"
            lines.append(f"    {'性质' if zh else 'kind'}: {kind}")
        lines.append(f"    {'金额' if zh else 'amount'}: {_amount(item, lang)}")
        if item.amount.not_stated is not None:
            lines.append(f"    {'说明' if zh else 'why'}: {item.amount.not_stated(lang)}")
        if item.restates is not None:
            lines.append(f"    {'依据国家规定' if zh else 'restates national rule'}: {item.restates(lang)}")
        if item.alternative is not None:
            alt = item.alternative
            figure = alt.subtotal if alt.subtotal is not None else alt.per_unit
            lines.append(f"    {'另一读法' if zh else 'other reading'}: {alt(lang)} "
                         f"({figure}{'元' if zh else ' yuan'}{'，未计入合计' if zh else ', not in the total'})")
        if item.units:
            lines.append(f"    {'依据' if zh else 'units'}: {', '.join(u.label for u in item.units)}")
        lines.append(f"    {'出处' if zh else 'source'}: {item.citation.section} 「{item.citation.quote}」")
        if item.departments:
            lines.append(f"    {'责任单位' if zh else 'departments'}: {'、'.join(item.departments)}")
        heading = ("未计入", "not counted") if item.status == Status.eligible else ("原因", "reason")
        for reason in item.reasons:
            lines.append(f"    {heading[0] if zh else heading[1]}: {reason(lang)}")
        if item.missing:
            lines.append(f"    {'缺少' if zh else 'missing'}: {', '.join(item.missing)}")
    return lines


def _item_dict(item: Any) -> dict[str, Any]:
    spec = item.spec
    amount = spec.benefit.amount
    return {
        "id": spec.id,
        "aliases": spec.aliases,
        "title": spec.title.model_dump(),
        "beneficiaries": [b.value for b in spec.beneficiaries],
        "benefit": {
            "kind": spec.benefit.kind.value,
            "one_time": spec.benefit.one_time,
            "amount": {
                "per_unit": None if amount.per_unit is None else str(amount.per_unit),
                "fixed": None if amount.fixed is None else str(amount.fixed),
                "not_stated": amount.not_stated.model_dump() if amount.not_stated else None,
            },
        },
        "citation": {"document": item.document.meta.title.zh, "section": spec.citation.section,
                     "quote": spec.citation.quote, "sentence": item.sentence},
        "departments": spec.departments,
        "notes": [n.model_dump() for n in spec.notes],
    }


def policies_json(policies: PolicySet) -> str:
    docs = []
    for doc in policies.documents:
        meta = doc.meta
        docs.append({
            "id": meta.id, "city": meta.city, "title": meta.title.model_dump(), "issuer": meta.issuer,
            "number": meta.number, "date": meta.date.isoformat(),
            "date_note": meta.date_note.model_dump() if meta.date_note else None,
            "period": {"start": meta.period.start.isoformat(), "end": meta.period.end.isoformat(),
                       "basis": meta.period.basis.model_dump()},
            "source": {"file": meta.source.file, "sha256": meta.source.sha256},
            "items": [_item_dict(item) for item in doc.items],
        })
    return json.dumps({"documents": docs}, ensure_ascii=False, indent=2)


def policies_table(policies: PolicySet, lang: str = "zh") -> str:
    lines: list[str] = []
    for doc in policies.documents:
        meta = doc.meta
        lines.append(f"{meta.title(lang)}  [{meta.id}]  {meta.period.start} – {meta.period.end}")
        for item in doc.items:
            amount = item.spec.benefit.amount
            if amount.not_stated is not None:
                money = "金额未定" if lang == "zh" else "amount not stated"
            else:
                figure = amount.per_unit if amount.per_unit is not None else amount.fixed
                each = ("/件" if lang == "zh" else " each") if amount.per_unit is not None else ""
                money = f"{figure}{'元' if lang == 'zh' else ' yuan'}{each}"
            lines.append(f"  {item.spec.citation.section:<10} {item.id:<48} {money:<16} {item.title(lang)}")
        lines.append("")
    return "\n".join(lines).rstrip()
