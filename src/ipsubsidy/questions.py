"""Questions as read out: each fact worth asking (asking.py) worded in Chinese and English for its type.

asking.py decides which facts are worth asking and ranks them by money at stake; this module only words them:
a scalar fact, a field of one unit (贵单位2021年研发投入是多少元？), a list not given yet, or a missing year row.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from pydantic import BaseModel

from ipsubsidy.asking import Ask, rank
from ipsubsidy.engine.decision import ItemDecision
from ipsubsidy.labels import field_label, yuan
from ipsubsidy.policy.conditions import FieldType, field_type, leaves
from ipsubsidy.policy.model import Item, PolicySet
from ipsubsidy.profile import Company, EntityType
from ipsubsidy.profile.kinds import value_label
from ipsubsidy.result import ItemResult, Question, trusted

__all__ = ["ask"]


def ask(policies: PolicySet, company: Company, decisions: dict[str, ItemDecision], results: list[ItemResult],
        as_of: dt.date) -> list[Question]:
    """The questions worth asking of ``company``, most money first (asking.py), each ready to read out."""
    return [_question(a, company) for a in rank(policies, company, decisions, results, as_of)]


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


def _question(a: Ask, company: Company) -> Question:
    person = company.entity_type == EntityType.individual
    subj_zh, subj_en = ("您", "you") if person else ("贵单位", "your organisation")
    poss_en = "your" if person else "your organisation's"
    item_ids = [i.id for i in a.items]
    money = yuan(a.money)
    if a.year is not None:  # a missing year row
        key = next((i.spec.counts.date for i in a.items if i.spec.counts and i.spec.counts.date), None)
        fields_zh, fields_en = _fields(a.model, a.items, "zh", key), _fields(a.model, a.items, "en", key)
        return trusted(Question, path=a.path, type="entry", items=item_ids, money=money,
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
            return trusted(Question, path=a.path, type="list", items=item_ids, money=money,
                            zh=f"{subj_zh}{years[0]}年至{years[1]}年各年度的{fields_zh}分别是多少？",
                            en=f"For each year from {years[0]} to {years[1]}, what were {poss_en} {fields_en}?")
        fields_zh, fields_en = _fields(unit_model, a.items, "zh"), _fields(unit_model, a.items, "en")
        return trusted(Question, path=a.path, type="list", items=item_ids, money=money,
                        zh=f"{subj_zh}有哪些{label_zh}？请逐项说明{fields_zh}；没有请说没有。",
                        en=f"Which {label_en} {'do' if person else 'does'} {subj_en} have? "
                           f"For each, give {fields_en}; say none if none.")
    if a.index is None:
        zh, en = _scalar_question(ftype, label_zh, label_en, subj_zh, subj_en, poss_en, person)
        return trusted(Question, path=a.path, type=ftype.kind, choices=choices, items=item_ids, money=money,
                       zh=zh, en=en)
    collection = a.path.split("[", 1)[0]
    entry = getattr(company, collection)[a.index]
    year = getattr(entry, "year", None)
    if year is not None:  # a fiscal-year row: 贵单位2021年研发投入是多少元？
        end_zh, _ = _ask_word(ftype, label_en)
        return trusted(Question, path=a.path, type=ftype.kind, choices=choices, items=item_ids, money=money,
                        zh=f"{subj_zh}{year}年{label_zh}{end_zh}",
                        en=f"What was {poss_en} {label_en} in {year}"
                           f"{', in yuan' if ftype.kind == 'money' else ''}?")
    name_zh, name_en = _unit_name(a.model, entry, a.index, collection)
    if ftype.kind == "bool":
        zh = f"{name_zh}{label_zh if label_zh.startswith('是否') else '是否' + label_zh}？"
        return trusted(Question, path=a.path, type="bool", items=item_ids, money=money, zh=zh,
                        en=f"For {name_en}, yes or no: {label_en}?")
    end_zh, _ = _ask_word(ftype, label_en)
    hint = {"money": ", in yuan", "date": " (a date)",
            "enum": f" ({_choices(ftype, 'en')})"}.get(ftype.kind, "")
    return trusted(Question, path=a.path, type=ftype.kind, choices=choices, items=item_ids, money=money,
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
