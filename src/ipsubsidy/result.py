"""The result of an evaluation: every applicable item once, with its status, amount, units and citation.

JSON-serialisable (``result.model_dump_json()``); money is a string of yuan, exact. The explanations (an item's
reasons and missing facts, the result's questions) are built from the trace when first read (construct.py).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from ipsubsidy.construct import Deferred, trusted
from ipsubsidy.errors import UnknownItemError, suggest
from ipsubsidy.labels import Bilingual, yuan
from ipsubsidy.status import CLASS_LABELS, HOLDS, STATUS_LABELS, BenefitClass, Status, label

__all__ = [
    "CLASS_LABELS",
    "HOLDS",
    "STATUS_LABELS",
    "AlternativeOut",
    "AmountOut",
    "BenefitClass",
    "CitationOut",
    "ItemResult",
    "Question",
    "Reason",
    "Result",
    "Shortfall",
    "Status",
    "UnitOut",
    "label",
    "trusted",
    "yuan",
]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Localized(Bilingual, _Out):
    zh: str
    en: str


class AmountOut(_Out):
    per_unit: str | None = Field(description="yuan per unit (or per claim); null when the source states none")
    quantity: int | None = Field(description="how many units (1 for a per-claim amount); null when not decided")
    subtotal: str | None = Field(description="per_unit × quantity for an eligible item with a stated amount")
    not_stated: Localized | None = Field(
        default=None, description="why there is no figure, when the source states none")
    cap: str | None = Field(default=None, description="the most one claimant is paid (per claimant or per year), yuan")


class AlternativeOut(Bilingual, _Out):
    """Another reading the text allows, with the amount it would give; never counted in ``total``."""

    zh: str
    en: str
    per_unit: str = Field(description="yuan per award under this reading")
    quantity: int | None = Field(description="awards under this reading; null when not decided")
    subtotal: str | None = Field(description="per_unit × quantity, for an eligible item")


class UnitOut(_Out):
    collection: str
    index: int
    label: str
    amount: str | None = Field(default=None, description="yuan this unit is paid (its tier, for a tiered amount)")


class CitationOut(_Out):
    document: str
    section: str = Field(description="the section as the document numbers it, e.g. 三(二)3")
    quote: str = Field(description="the exact words the item rests on, verbatim from the source")
    sentence: str = Field(description="the whole sentence of the source in which the quote lies")


class Shortfall(Bilingual, _Out):
    """The smallest change of one fact that would satisfy a failed numeric comparison, exact."""

    zh: str
    en: str
    field: str = Field(description="the field path to change")
    direction: str = Field(description="increase or decrease")
    change: str = Field(description="by how much: yuan (exact, to the fen), days, or a whole number")
    unit: str = Field(description="yuan, days, or count")
    target: str = Field(description="the value the field must reach")


class Reason(Bilingual, _Out):
    """Why an item has its status: the condition, the value seen and the threshold."""

    zh: str
    en: str
    field: str | None = None
    value: str | None = None
    threshold: str | None = None
    shortfall: Shortfall | None = Field(default=None, description="for a failed numeric threshold: what would qualify")


class ItemResult(Deferred, _Out):
    """One applicable item's outcome. Its ``reasons`` and ``missing`` are built from the trace when first read."""

    deferred_fields: ClassVar[tuple[str, ...]] = ("reasons", "missing")
    id: str
    document: str
    title: Localized
    status: Status
    benefit_class: BenefitClass = Field(description="what the text promises: only claimable items can be eligible")
    class_reason: Localized = Field(description="why the item has its class, from its sentence")
    benefit_kind: str
    one_time: bool | None
    amount: AmountOut
    alternative: AlternativeOut | None = Field(
        default=None, description="another reading of the text with its amount, shown beside the total, never in it")
    restates: Localized | None = Field(
        default=None, description="the national rule the document only restates: it does not close with the document")
    units: list[UnitOut] = Field(description="the qualifying units (patents, registrations, years...)")
    citation: CitationOut
    departments: list[str]
    reasons: list[Reason]
    missing: list[str] = Field(description="field paths whose values would decide or complete this item")
    notes: list[Localized] = Field(default_factory=list)


class Question(Bilingual, _Out):
    """A fact worth asking: it can still change an outcome of an item whose money can still be claimed."""

    path: str = Field(description="the field path, as in an item's missing list (patents[0].grant_date)")
    type: str = Field(description="money, date, bool, int, enum, str, list (a list field), entry (a year's row)")
    choices: list[str] = Field(default_factory=list, description="the allowed values of an enum field")
    items: list[str] = Field(description="ids of the items the answer decides or completes")
    money: str = Field(description="stated yuan the answer could still unlock (0 when no amount is stated)")
    zh: str
    en: str


class Result(Deferred, _Out):
    """One evaluation's outcome. Its ``questions`` are built from the trace when first read."""

    deferred_fields: ClassVar[tuple[str, ...]] = ("questions",)
    as_of: dt.date
    backend: str
    policies: str = Field(description="fingerprint of the loaded policy files")
    notices: list[Localized] = Field(
        default_factory=list, description="what to say first: no document in force for the city, or none encoded")
    items: list[ItemResult] = Field(description="claimable items: benefits a claimant applies for")
    other: list[ItemResult] = Field(
        default_factory=list, description="selections, services, encouragements and policies yet to be made")
    total: str = Field(description="sum of stated amounts of eligible items, yuan (the conservative reading)")
    not_stated: list[str] = Field(description="eligible items whose amount the source does not state")
    questions: list[Question] = Field(
        default_factory=list, description="facts still worth asking, most money first (see questions.py)")

    def all_items(self) -> list[ItemResult]:
        """Claimable items, then the others."""
        return [*self.items, *self.other]

    def by_status(self, status: Status | str) -> list[ItemResult]:
        return [item for item in self.all_items() if item.status == status]

    def summary(self, lang: str = "zh", short: bool = False) -> str:
        """A few plain sentences to read aloud: claimable now, pending and the question deciding it.

        ``short=True`` gives one or two sentences (count, total, what is open) for a hotline's read-aloud line.
        """
        from ipsubsidy.summary import summarise, summarise_short

        return summarise_short(self, lang) if short else summarise(self, lang)

    def item(self, item_id: str) -> ItemResult:
        """The item with this id, claimable or not; UnknownItemError (with a suggestion) when absent."""
        entries = self.all_items()
        for entry in entries:
            if entry.id == item_id:
                return entry
        raise UnknownItemError(item_id, suggest(item_id, [e.id for e in entries]))

