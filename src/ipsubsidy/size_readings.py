"""小微: a size known only as "small or micro", evaluated as each and merged without guessing.

A profile may say ``size: small_or_micro`` (小微). The size is then never guessed: the profile is evaluated
once as small and once as micro, and the two results are merged item by item:

- an item on which both readings agree (same status, same amount) keeps that result;
- an item eligible under both readings but paid differently stays eligible at the smaller amount (never
  over-promise), with ``size`` among its missing facts and a reason giving the other reading's amount;
- any other disagreement (eligible as one size, not as the other, ...) becomes ``needs_info`` with ``size``
  missing and no subtotal; a reason says what each size would give.

The merged total is the sum of the merged subtotals, so it never exceeds either reading's total. When an
item is left open by the size, a question about ``size`` (small or micro) is ranked among the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from ipsubsidy.profile import Company, Size
from ipsubsidy.profile.kinds import value_label
from ipsubsidy.result import STATUS_LABELS, ItemResult, Question, Reason, Result, Status, yuan

__all__ = ["READINGS", "merge_readings", "size_readings"]

READINGS: dict[Size, tuple[Size, ...]] = {Size.small_or_micro: (Size.small, Size.micro)}
"""Each uncertain size and the exact sizes it may be."""


def size_readings(company: Company) -> tuple[Size, ...] | None:
    """The exact sizes to evaluate for an uncertain size (小微 → small, micro); None when the size is exact."""
    return None if company.size is None else READINGS.get(company.size)


def _money(item: ItemResult) -> Decimal:
    return Decimal(item.amount.subtotal) if item.amount.subtotal is not None else Decimal(0)


def _said(item: ItemResult | None, size: str) -> tuple[str, str]:
    if item is None:
        return f"按{value_label(size, 'zh')}企业：不适用", f"as a {size} enterprise: not applicable"
    zh, en = STATUS_LABELS[item.status]
    paid = f" {item.amount.subtotal} 元" if item.amount.subtotal is not None else ""
    paid_en = f" {item.amount.subtotal} yuan" if item.amount.subtotal is not None else ""
    return f"按{value_label(size, 'zh')}企业：{zh}{paid}", f"as a {size} enterprise: {en}{paid_en}"


def _merge_item(twins: Sequence[ItemResult | None], sizes: Sequence[str]) -> ItemResult:
    """One item from its result under each size (None where it does not apply under that size)."""
    first = next(t for t in twins if t is not None)
    found = [t for t in twins if t is not None]
    if len(found) == len(twins) and all(t.status == first.status and t.amount == first.amount for t in found):
        return first
    said = [_said(t, s) for t, s in zip(twins, sizes, strict=True)]
    reason = Reason(zh="企业规模为小微(小型或微型)，结果因规模而异：" + "；".join(zh for zh, _ in said),
                    en="the size is small or micro, and the outcome depends on which: "
                       + "; ".join(en for _, en in said),
                    field="size", value=Size.small_or_micro.value)
    if len(found) == len(twins) and all(t.status == Status.eligible for t in found):
        low = min(found, key=_money)  # eligible either way: the smaller reading is the one promised
        return low.model_copy(update={"missing": _with_size(low.missing), "reasons": [*low.reasons, reason]})
    amount = first.amount.model_copy(update={"subtotal": None})
    return first.model_copy(update={"status": Status.needs_info, "missing": _with_size(first.missing),
                                    "amount": amount, "units": [], "reasons": [*first.reasons, reason]})


def _with_size(missing: list[str]) -> list[str]:
    return missing if "size" in missing else [*missing, "size"]


def _merge_list(lists: Sequence[list[ItemResult]], sizes: Sequence[str]) -> tuple[list[ItemResult], Decimal]:
    """Merged items (in the order of the first reading, then any only the others have) and the yuan an answer
    about the size could still add to them."""
    by_id = [{i.id: i for i in items} for items in lists]
    order = list(dict.fromkeys(i.id for items in lists for i in items))
    out: list[ItemResult] = []
    unlock = Decimal(0)
    for item_id in order:
        twins = [reading.get(item_id) for reading in by_id]
        merged = _merge_item(twins, sizes)
        out.append(merged)
        unlock += max(_money(t) for t in twins if t is not None) - _money(merged)
    return out, unlock


def _size_question(items: list[ItemResult], unlock: Decimal) -> Question:
    return Question(path="size", type="enum", choices=[Size.small.value, Size.micro.value],
                    items=[i.id for i in items], money=yuan(unlock),
                    zh="企业规模是小型还是微型？", en="Is the enterprise small or micro?")


def merge_readings(results: Sequence[Result], sizes: Sequence[str] = ("small", "micro")) -> Result:
    """One result from the results of each exact size (in ``sizes`` order): see the module docstring."""
    first = results[0]
    names = list(sizes) if len(sizes) == len(results) else [f"reading {n + 1}" for n in range(len(results))]
    items, unlock = _merge_list([r.items for r in results], names)
    other, _ = _merge_list([r.other for r in results], names)
    total = sum((_money(i) for i in items if i.status == Status.eligible), Decimal(0))
    open_items = [i for i in (*items, *other) if "size" in i.missing]
    asked: dict[str, Question] = {}
    for result in results:  # the first reading's questions, then any only another reading asks
        for q in result.questions:
            if q.path != "size":
                asked.setdefault(q.path, q)
    questions = sorted(asked.values(), key=lambda q: (-Decimal(q.money), -len(q.items)))  # stable
    if open_items:
        size_question = _size_question(open_items, unlock)
        at = next((n for n, q in enumerate(questions) if Decimal(q.money) < unlock), len(questions))
        questions.insert(at, size_question)
    return first.model_copy(update={
        "items": items, "other": other, "total": yuan(total), "questions": questions,
        "not_stated": [i.id for i in items if i.status == Status.eligible and i.amount.not_stated is not None]})
