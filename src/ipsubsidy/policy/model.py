"""Loaded policies: documents and their items, conditions parsed and typed, ready to evaluate."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ipsubsidy.errors import UnknownItemError, suggest
from ipsubsidy.lazy import computed_once
from ipsubsidy.policy.conditions import TRUE, Condition, leaves
from ipsubsidy.policy.schema import BenefitClass, DocumentMeta, ItemSpec, NotEncoded, Text, TotalCap
from ipsubsidy.policy.source import SourceText, sentence_of

__all__ = ["Document", "Item", "PolicySet"]


@dataclass(frozen=True, eq=False)
class Item:
    """One support measure: who, what benefit, under which conditions, citing which sentence."""

    spec: ItemSpec
    document: Document = field(repr=False)
    qualifies: Condition = TRUE               # over the profile
    unit_model: type[BaseModel] | None = None  # the model of the counted units, if the item counts
    unit_condition: Condition = TRUE          # over one unit: `where` and the date window
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    tiers: tuple[Condition, ...] = ()         # each tier's `when`, over a unit (or the profile), in order
    closes_early: dt.date | None = None       # the day before a newer document supersedes this one

    @computed_once  # read many times in every evaluation, of a frozen spec
    def id(self) -> str:
        return self.spec.id

    @property
    def title(self) -> Text:
        return self.spec.title

    @computed_once
    def collection(self) -> str | None:
        return self.spec.counts.collection if self.spec.counts else None

    @computed_once
    def tested_facts(self) -> tuple[str, ...]:
        """The profile fields its condition compares, each once, in tree order."""
        return tuple(dict.fromkeys(name for leaf in leaves(self.qualifies) for name in leaf.facts))

    @computed_once
    def tested_dates(self) -> tuple[str, ...]:
        """The profile dates its condition compares (a date after ``as_of`` has not happened yet)."""
        return tuple(dict.fromkeys(leaf.fact for leaf in leaves(self.qualifies)
                                   if leaf.type.kind == "date" and not leaf.count))

    @computed_once
    def fact_free(self) -> bool:
        """No fact decides it but city, district and entity type (a service, an encouragement...): every
        profile alike in those has the same outcome."""
        return (self.collection is None and not self.tested_facts and self.spec.benefit.amount.tiers is None)

    @computed_once
    def tiered(self) -> bool:
        """Its amount is valued by tiers (by level or ranking), not stated once."""
        return self.spec.benefit.amount.tiers is not None

    @property
    def per_unit(self) -> Decimal | None:
        return self.spec.benefit.amount.per_unit

    @computed_once
    def stated_amount(self) -> Decimal | None:
        """Yuan per unit (per_unit) or per claim (fixed); None when the source states no single amount
        (none at all, or tiers)."""
        amount = self.spec.benefit.amount
        return amount.per_unit if amount.per_unit is not None else amount.fixed

    @property
    def least_amount(self) -> Decimal | None:
        """The smallest amount the item can pay per unit or claim: the stated one, or the lowest tier."""
        tiers = self.spec.benefit.amount.tiers
        return min(t.amount for t in tiers) if tiers else self.stated_amount

    @computed_once
    def per_unit_paid(self) -> bool:
        """Whether each qualifying unit is paid (per_unit, or tiers on an item that counts units)."""
        amount = self.spec.benefit.amount
        return amount.per_unit is not None or (amount.tiers is not None and self.spec.counts is not None)

    @computed_once
    def unit_date_field(self) -> str | None:
        """The field that dates a counted unit (``counts.date``), or None."""
        counts = self.spec.counts
        return None if counts is None else counts.date

    def unit_date(self, entry: Any) -> dt.date | None:
        """When a counted unit happened: its ``counts.date`` value, a per-year row's year read as its first day;
        None when the item dates no units or the entry has no such date."""
        name = self.unit_date_field
        if name is None:
            return None
        value = getattr(entry, name, None)
        if isinstance(value, int):
            return dt.date(value, 1, 1)
        return value if isinstance(value, dt.date) else None

    @computed_once
    def sentence(self) -> str:
        """The whole source sentence the quote lies in, as printed (the quote may be one clause of it)."""
        quote = self.spec.citation.quote
        paragraphs = self.document.source.paragraphs_quoting(quote)
        return sentence_of(paragraphs[0], quote) if len(paragraphs) == 1 else quote

    @computed_once
    def benefit_class(self) -> BenefitClass:
        return self.spec.benefit.class_

    @computed_once
    def claim_until(self) -> dt.date | None:
        """The last day a claim can be made; None for a national rule the plan only restates. A document
        superseded by a newer one closes the day before the newer one takes over."""
        if self.spec.restates is not None:
            return None
        until = self.spec.claim_until or self.document.meta.period.end
        return min(until, self.closes_early) if self.closes_early is not None else until

    @computed_once
    def opens(self) -> dt.date:
        """Claims open when the document is issued, even where its period (and the facts' window) starts
        earlier: nothing can be claimed under a plan that does not exist yet."""
        meta = self.document.meta
        return max(meta.period.start, meta.date)

    def open_at(self, as_of: dt.date) -> bool:
        until = self.claim_until
        return self.opens <= as_of and (until is None or as_of <= until)

    @computed_once
    def memo(self) -> dict[Any, Any]:
        """Per-item storage for what is built once from it (a result's fixed parts, its amounts), dropped with
        the item. Values stored are immutable; two threads building the same entry build equal values."""
        return {}


@dataclass(frozen=True, eq=False)
class Document:
    meta: DocumentMeta
    file: Path
    source: SourceText = field(repr=False)
    items: tuple[Item, ...] = ()
    not_encoded: tuple[NotEncoded, ...] = ()
    caps: tuple[TotalCap, ...] = ()           # 合计最高不超过 over several items

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def city(self) -> str:
        return self.meta.city


def _superseded(documents: list[Document]) -> list[Document]:
    """The documents with every superseded one's items closing the day before its successor takes over.

    Copies, never changes, a superseded document: the shipped set stays as it is when a package replaces
    one of its documents."""
    closing: dict[str, dt.date] = {}
    for doc in documents:
        for rule in doc.meta.supersedes:
            day = rule.since - dt.timedelta(days=1)
            closing[rule.document] = min(day, closing.get(rule.document, day))
    out = []
    for doc in documents:
        last = closing.get(doc.id)
        if last is None:
            out.append(doc)
            continue
        copy = replace(doc)
        object.__setattr__(copy, "items", tuple(replace(item, document=copy, closes_early=last) for item in doc.items))
        out.append(copy)
    return out


class PolicySet:
    """Every loaded document and item, looked up by id or alias. Immutable once built."""

    def __init__(self, documents: list[Document]) -> None:
        documents = _superseded(documents)
        self.documents: tuple[Document, ...] = tuple(documents)
        self.items: tuple[Item, ...] = tuple(item for doc in documents for item in doc.items)
        self.caps: tuple[tuple[Document, TotalCap], ...] = tuple((doc, cap) for doc in documents for cap in doc.caps)
        self._by_city: dict[str, tuple[Item, ...]] = {}
        for doc in documents:
            self._by_city[doc.city] = self._by_city.get(doc.city, ()) + doc.items
        self._by_id: dict[str, Item] = {}
        for item in self.items:
            self._by_id[item.id] = item
            for alias in item.spec.aliases:
                self._by_id[alias] = item

    def items_in(self, city: str | None) -> tuple[Item, ...]:
        """The items of one city's documents; every item when the city is unknown."""
        return self.items if city is None else self._by_city.get(city, ())

    def item(self, item_id: str) -> Item:
        """The item with this id or alias (e.g. ``jinzhong-2020.fengming`` for the 凤凰 plan)."""
        key = item_id.strip().lower()
        if key in self._by_id:
            return self._by_id[key]
        raise UnknownItemError(item_id, suggest(key, self._by_id))

    def document(self, document_id: str) -> Document:
        for doc in self.documents:
            if doc.id == document_id:
                return doc
        raise UnknownItemError(document_id, suggest(document_id, [d.id for d in self.documents]))

    @computed_once
    def fingerprint(self) -> str:
        """A digest of every loaded file: two sets with the same fingerprint hold the same rules."""
        digest = hashlib.sha256()
        for doc in self.documents:
            digest.update(doc.file.read_bytes())
        return digest.hexdigest()[:16]

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        return f"PolicySet({len(self.documents)} documents, {len(self.items)} items)"

    @computed_once
    def memo(self) -> dict[str, Any]:
        """Per-set storage for what is built once from it (the items that apply per place and type), dropped
        with the set."""
        return {}

    @computed_once
    def stacks(self) -> bool:
        """Whether any item yields to another (不重复享受)."""
        return any(item.spec.stacking for item in self.items)
