"""The next question to ask: facts still worth asking, most money first, each ready to read out.

A fact is asked only when its answer can still change an outcome of an item whose money can still be claimed:

- items already ``not_eligible`` (a false fact settles them) and ``expired`` items are never asked about;
- nor is an item whose claim period is over at ``as_of`` even when facts are missing (``needs_info``): the
  answer could only turn it into ``expired``, and the hotline wants money that can still be claimed. Items
  not yet in force are asked about (their money can be claimed later);
- an eligible item is asked about only for units still undecided and only when it pays per unit (each
  unit adds money); a fixed or unstated amount already won does not change;
- within a condition, an unknown comparison is asked only when some values of the other unknown
  comparisons make its answer decide the condition (three-valued logic, checked exhaustively for up to
  12 unknown comparisons per condition; beyond that every unknown counts). Two comparisons of the same
  fact are treated as separate unknowns, which can only ask more, never less.

Money a question could unlock, summed over the items it decides: a fixed amount whole; a per-unit amount
× the units still open (one for a question about one unit; for a list not given yet, the fewest units the
item counts, ``at_least``). Items without a stated amount count 0 yuan but still count as items decided.
Ranking: money, then number of items, then the order of the policies.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from pydantic import BaseModel

from ipsubsidy.engine.logic import TV, ItemDecision, all3, any3, not3
from ipsubsidy.engine.python import LeafTrace, trace_condition
from ipsubsidy.explain import field_label
from ipsubsidy.policy.conditions import All, Compare, Condition, FieldType, Not, field_type, leaves
from ipsubsidy.policy.model import Item, PolicySet
from ipsubsidy.profile import Company, EntityType
from ipsubsidy.profile.kinds import value_label
from ipsubsidy.result import ItemResult, Question, Status, yuan

__all__ = ["MAX_EXHAUSTIVE", "ask", "relevant_leaves"]

MAX_EXHAUSTIVE = 12



# --- which unknown comparisons matter --------------------------------------------------------------------

def _value(cond: Condition, known: dict[Compare, TV]) -> TV:
    if isinstance(cond, Compare):
        return known.get(cond)
    if isinstance(cond, Not):
        return not3(_value(cond.child, known))
    values = [_value(child, known) for child in cond.children]
    return all3(values) if isinstance(cond, All) else any3(values)


def relevant_leaves(cond: Condition, outcomes: dict[Compare, TV]) -> list[Compare]:
    """The unknown comparisons of ``cond`` whose answer can decide it for some answers to the others."""
    unknown = list(dict.fromkeys(leaf for leaf in leaves(cond) if outcomes.get(leaf) is None))
    if len(unknown) > MAX_EXHAUSTIVE:
        return unknown
    out = []
    base = {k: v for k, v in outcomes.items() if v is not None}
    for leaf in unknown:
        others = [o for o in unknown if o != leaf]
        for combo in itertools.product((True, False), repeat=len(others)):
            known = {**base, **dict(zip(others, combo, strict=True))}
            if _value(cond, {**known, leaf: True}) != _value(cond, {**known, leaf: False}):
                out.append(leaf)
                break
    return out


def _asked_facts(cond: Condition, obj: BaseModel) -> list[tuple[LeafTrace, str]]:
    trace: list[LeafTrace] = []
    trace_condition(cond, obj, trace)
    outcomes = {t.leaf: t.outcome for t in trace}
    wanted = set(relevant_leaves(cond, outcomes))
    return [(t, name) for t in trace if t.leaf in wanted and t.outcome is None for name in t.missing]


# --- collecting candidate facts ----------------------------------------------------------------------------

@dataclass
class _Ask:
    path: str
    model: type[BaseModel]
    name: str                           # the field (or, for a year row, the list) asked for
    index: int | None = None            # the unit's position, for a unit field
    year: int | None = None             # for a missing year row of a per-year list
    items: list[Item] = field(default_factory=list)
    money: Decimal = Decimal(0)


def _stake(item: Item, entries: list[BaseModel] | None, decision: ItemDecision) -> Decimal:
    """Stated yuan the item as a whole could still pay."""
    amount = item.spec.benefit.amount
    if amount.fixed is not None:
        return amount.fixed
    if amount.per_unit is None:
        return Decimal(0)
    least = item.spec.counts.at_least if item.spec.counts else 1
    if entries is None:
        return amount.per_unit * least
    open_units = sum(1 for v in decision.units if v is not False)
    return amount.per_unit * max(open_units, least)


def _claimable_later(item: Item, as_of: dt.date) -> bool:
    until = item.claim_until
    return until is None or as_of <= until


def _candidates(item: Item, result: ItemResult, decision: ItemDecision, company: Company,
                as_of: dt.date) -> Iterable[tuple[_Ask, Decimal]]:
    if result.status in (Status.not_eligible, Status.expired) or not _claimable_later(item, as_of):
        return
    stake = _stake(item, None if item.collection is None else getattr(company, item.collection), decision)
    for name in ("city", "district", "entity_type"):
        if name in result.missing and getattr(company, name) is None:
            yield _Ask(name, Company, name), stake
    if decision.profile is None:
        for _trace, name in _asked_facts(item.qualifies, company):
            yield _Ask(name, Company, name), stake
    collection, counts = item.collection, item.spec.counts
    if collection is None or counts is None or item.unit_model is None:
        return
    entries = getattr(company, collection)
    if entries is None:
        yield _Ask(collection, Company, collection), stake
        return
    per_unit = item.spec.benefit.amount.per_unit
    settled = sum(1 for v in decision.units if v is True) >= counts.at_least
    if settled and per_unit is None:
        return
    unit_money = per_unit if per_unit is not None else stake
    for i, entry in enumerate(entries):
        if i < len(decision.units) and decision.units[i] is None:
            for _trace, name in _asked_facts(item.unit_condition, entry):
                yield _Ask(f"{collection}[{i}].{name}", item.unit_model, name, index=i), unit_money
    if counts.per_year and counts.date and item.window_start and item.window_end:
        given = {getattr(e, counts.date) for e in entries}
        for year in range(item.window_start.year, item.window_end.year + 1):
            if year not in given:
                yield (_Ask(f"{collection}[{counts.date}={year}]", item.unit_model, collection, year=year),
                       unit_money)


def ask(policies: PolicySet, company: Company, decisions: dict[str, ItemDecision], results: list[ItemResult],
        as_of: dt.date) -> list[Question]:
    """The questions worth asking of ``company``, most money first (see the module's rules)."""
    by_id = {r.id: r for r in results}
    found: dict[str, _Ask] = {}
    for item in policies.items_in(company.city):  # the items evaluate() considered, in policy order
        result = by_id.get(item.id)
        if result is None:
            continue
        for candidate, money in _candidates(item, result, decisions[item.id], company, as_of):
            entry = found.setdefault(candidate.path, candidate)
            if item not in entry.items:
                entry.items.append(item)
                entry.money += money
    order = {path: n for n, path in enumerate(found)}
    ranked = sorted(found.values(), key=lambda a: (-a.money, -len(a.items), order[a.path]))
    return [_question(a, company) for a in ranked]


# --- wording -----------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1024)
def _plain(label: str) -> str:
    """A label without its parenthetical aside, for speech: 入选名单(示范、优势企业) → 入选名单."""
    return re.sub(r"[(（][^)）]*[)）]", "", label).strip()


def _choices(ftype: FieldType, lang: str) -> str:
    values = [value_label(c, lang) for c in ftype.choices]
    return ("、" if lang == "zh" else ", ").join(values)


def _unit_name(model: type[BaseModel], entry: BaseModel, index: int, collection: str) -> tuple[str, str]:
    kind_zh = _plain(field_label(Company, collection, "zh"))
    kind_en = _plain(field_label(Company, collection, "en"))
    for attr in ("number", "name"):
        value = getattr(entry, attr, None)
        if value is not None:
            return f"{kind_zh}{value}", str(value)
    return f"第{index + 1}项{kind_zh}", f"{kind_en} no. {index + 1}"


def _fields(model: type[BaseModel], items: list[Item], lang: str, without: str | None = None) -> str:
    return _fields_cached(model, tuple(items), lang, without)


@functools.lru_cache(maxsize=1024)
def _fields_cached(model: type[BaseModel], items: tuple[Item, ...], lang: str, without: str | None) -> str:
    """The unit fields the deciding items test (and required ones), in the model's order."""
    used: set[str] = set()
    for item in items:
        for leaf in leaves(item.unit_condition):
            used.update(leaf.facts)
        if item.spec.counts and item.spec.counts.date:
            used.add(item.spec.counts.date)
    names = [n for n, info in model.model_fields.items() if (n in used or info.is_required()) and n != without]
    return ("、" if lang == "zh" else ", ").join(_plain(field_label(model, n, lang)) for n in names)


def _ask_word(ftype: FieldType, label_en: str) -> tuple[str, str]:
    """How the zh question ends for this type, and the en question's opening."""
    kind = ftype.kind
    if kind == "money":
        return "是多少元？", f"What is the {label_en}, in yuan?"
    if kind == "date":
        return "是哪一天？", f"On what date: {label_en}?"
    if kind == "list":
        return "有哪些？", f"Which {label_en}?"
    if kind == "enum":
        return f"是什么({_choices(ftype, 'zh')})？", f"What is the {label_en} ({_choices(ftype, 'en')})?"
    return "是什么？", f"What is the {label_en}?"


def _question(a: _Ask, company: Company) -> Question:
    person = company.entity_type == EntityType.individual
    subj_zh, subj_en = ("您", "you") if person else ("贵单位", "your organisation")
    poss_en = "your" if person else "your organisation's"
    item_ids = [i.id for i in a.items]
    money = yuan(a.money)
    if a.year is not None:  # a missing year row
        key = next((i.spec.counts.date for i in a.items if i.spec.counts and i.spec.counts.date), None)
        fields_zh, fields_en = _fields(a.model, a.items, "zh", key), _fields(a.model, a.items, "en", key)
        return Question(path=a.path, type="entry", items=item_ids, money=money,
                        zh=f"{subj_zh}{a.year}年的{fields_zh}分别是多少？",
                        en=f"In {a.year}, what were {poss_en} {fields_en}?")
    ftype, label_zh, label_en = _describe(a.model, a.name)
    choices = list(ftype.choices)
    if a.index is None and ftype.kind == "list" and a.model is Company:
        unit_model = _unit_model(a.items, a.name)
        years = _year_span(a.items, a.name)
        if years is not None:
            key = next(i.spec.counts.date for i in a.items if i.spec.counts and i.spec.counts.per_year)
            fields_zh, fields_en = _fields(unit_model, a.items, "zh", key), _fields(unit_model, a.items, "en", key)
            return Question(path=a.path, type="list", items=item_ids, money=money,
                            zh=f"{subj_zh}{years[0]}年至{years[1]}年各年度的{fields_zh}分别是多少？",
                            en=f"For each year from {years[0]} to {years[1]}, what were {poss_en} {fields_en}?")
        fields_zh, fields_en = _fields(unit_model, a.items, "zh"), _fields(unit_model, a.items, "en")
        return Question(path=a.path, type="list", items=item_ids, money=money,
                        zh=f"{subj_zh}有哪些{label_zh}？请逐项说明{fields_zh}；没有请说没有。",
                        en=f"Which {label_en} {'do' if person else 'does'} {subj_en} have? "
                           f"For each, give {fields_en}; say none if none.")
    if a.index is None:
        zh, en = _scalar_question(ftype, label_zh, label_en, subj_zh, subj_en, poss_en, person)
        return Question(path=a.path, type=ftype.kind, choices=choices, items=item_ids, money=money, zh=zh, en=en)
    collection = a.path.split("[", 1)[0]
    entry = getattr(company, collection)[a.index]
    year = getattr(entry, "year", None)
    if year is not None:  # a fiscal-year row: 贵单位2021年研发投入是多少元？
        end_zh, _ = _ask_word(ftype, label_en)
        return Question(path=a.path, type=ftype.kind, choices=choices, items=item_ids, money=money,
                        zh=f"{subj_zh}{year}年{label_zh}{end_zh}",
                        en=f"What was {poss_en} {label_en} in {year}"
                           f"{', in yuan' if ftype.kind == 'money' else ''}?")
    name_zh, name_en = _unit_name(a.model, entry, a.index, collection)
    if ftype.kind == "bool":
        zh = f"{name_zh}{label_zh if label_zh.startswith('是否') else '是否' + label_zh}？"
        return Question(path=a.path, type="bool", items=item_ids, money=money, zh=zh,
                        en=f"For {name_en}, yes or no: {label_en}?")
    end_zh, _ = _ask_word(ftype, label_en)
    hint = {"money": ", in yuan", "date": " (a date)",
            "enum": f" ({_choices(ftype, 'en')})"}.get(ftype.kind, "")
    return Question(path=a.path, type=ftype.kind, choices=choices, items=item_ids, money=money,
                    zh=f"{name_zh}的{label_zh}{end_zh}", en=f"What is the {label_en} of {name_en}{hint}?")


def _year_span(items: list[Item], collection: str) -> tuple[int, int] | None:
    """The window's first and last year when an item counts this list one row per year."""
    for item in items:
        counts = item.spec.counts
        if item.collection == collection and counts and counts.per_year and item.window_start and item.window_end:
            return item.window_start.year, item.window_end.year
    return None


@functools.lru_cache(maxsize=1024)
def _describe(model: type[BaseModel], name: str) -> tuple[FieldType, str, str]:
    """A field's comparison type and its spoken zh and en labels."""
    ftype = field_type(model, name)
    assert ftype is not None
    return ftype, _plain(field_label(model, name, "zh")), _plain(field_label(model, name, "en"))


def _unit_model(items: list[Item], collection: str) -> type[BaseModel]:
    for item in items:
        if item.collection == collection and item.unit_model is not None:
            return item.unit_model
    return Company


def _scalar_question(ftype: FieldType, label_zh: str, label_en: str, subj_zh: str, subj_en: str,
                     poss_en: str, person: bool) -> tuple[str, str]:
    be = "are" if person else "is"
    if ftype.kind == "bool":
        zh = f"{subj_zh}{label_zh if label_zh.startswith('是否') else '是否' + label_zh}？"
        if label_en.startswith(("a ", "an ", "the ")):
            return zh, f"{be.capitalize()} {subj_en} {label_en}? (yes or no)"
        return zh, f"Yes or no: {label_en}?"
    end_zh, en = _ask_word(ftype, label_en)
    if label_zh == "所在城市":
        return f"{subj_zh}在哪个城市？", f"Which city {be} {subj_en} in?"
    return f"{subj_zh}的{label_zh}{end_zh}", en.replace("the ", f"{poss_en} ", 1)
