"""The schema of a policy file: one YAML document per source document, pure data.

See docs/policy-format.md for the format with a worked example. Unknown keys are errors.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ipsubsidy.profile import EntityType

__all__ = [
    "Alternative",
    "Amount",
    "Benefit",
    "BenefitClass",
    "BenefitKind",
    "Cap",
    "Citation",
    "Counts",
    "DocumentMeta",
    "Draft",
    "ItemSpec",
    "NotEncoded",
    "Period",
    "PolicyFile",
    "Source",
    "Stacking",
    "Supersedes",
    "Text",
    "Tier",
    "TotalCap",
]

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)?$"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Spec):
    """A text in Chinese (first: the sources are Chinese) and English."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


class BenefitKind(StrEnum):
    cash_award = "cash_award"                # 奖励
    subsidy = "subsidy"                      # 补助 / 资助 / 资金扶持
    fee_subsidy = "fee_subsidy"              # 费用补贴
    loan_support = "loan_support"            # 贴息, 质押融资支持
    insurance_subsidy = "insurance_subsidy"  # 保险补贴
    tax_treatment = "tax_treatment"          # 税收优惠, 加计扣除
    service = "service"                      # 托管, 快速预审, 维权援助
    programme_place = "programme_place"      # 示范, 试点, 培育
    policy_support = "policy_support"        # 政策支持, no stated form
    encouragement = "encouragement"          # 鼓励 with no stated benefit


def _refuse_float(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError("write amounts as integers or strings of yuan, never floats")
    return value


class BenefitClass(StrEnum):
    """What the text promises a claimant, read from the item's own sentence. Only ``claimable`` can be eligible."""

    claimable = "claimable"        # a benefit the claimant applies for and gets when the conditions hold
    selection = "selection"        # the authority selects or recommends units (评定, 推介, 培育一批, 重点支持一批)
    service = "service"            # an open public service or training: nothing to claim (援助服务, 热线, 培训)
    encouraged = "encouraged"      # the text only encourages (鼓励…), no benefit attached
    not_yet_made = "not_yet_made"  # the city promises to make or explore a policy (制定…政策, 探索…, 争取安排…)


class Tier(_Spec):
    """One step of a tiered amount (by level, by ranking): the first tier whose ``when`` holds pays."""

    when: dict[str, Any]              # a condition over the unit (items with counts) or the profile
    amount: Decimal = Field(gt=0, decimal_places=2)
    label: Text | None = None

    @field_validator("amount", mode="before")
    @classmethod
    def _no_float(cls, value: Any) -> Any:
        return _refuse_float(value)


class Amount(_Spec):
    """Exactly one of: ``per_unit`` (yuan for each qualifying unit), ``fixed`` (yuan once per claim),
    ``tiers`` (yuan by the first tier that holds: per unit with ``counts``, once per claim without),
    ``not_stated`` (why the source gives no figure)."""

    per_unit: Decimal | None = Field(None, gt=0, decimal_places=2)
    fixed: Decimal | None = Field(None, gt=0, decimal_places=2)
    tiers: list[Tier] | None = Field(None, min_length=2)
    not_stated: Text | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Amount:
        given = [k for k in ("per_unit", "fixed", "tiers", "not_stated") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of per_unit, fixed, tiers, not_stated "
                             f"(got {', '.join(given) or 'none'})")
        return self

    @field_validator("per_unit", "fixed", mode="before")
    @classmethod
    def _no_float(cls, value: Any) -> Any:
        return _refuse_float(value)


class Cap(_Spec):
    """单个企业(年度)最高不超过: the most an item pays one claimant, in all or in each calendar year of the
    units' dates."""

    amount: Decimal = Field(gt=0, decimal_places=2)
    per: Literal["claimant", "year"] = "claimant"

    @field_validator("amount", mode="before")
    @classmethod
    def _no_float(cls, value: Any) -> Any:
        return _refuse_float(value)


class TotalCap(_Spec):
    """合计最高不超过 over several items: the most they pay one claimant together, in all or in each calendar
    year of their units' dates. Applied after each item's own amount, cap and 不重复享受; the allowance is
    filled in the order ``items`` lists them, so the item listed last is reduced first."""

    items: list[str] = Field(min_length=2)       # item ids, of this or any other loaded document
    amount: Decimal = Field(gt=0, decimal_places=2)
    per: Literal["claimant", "year"] = "claimant"
    section: str                                 # where the cap is stated, as the document numbers it
    quote: str = Field(min_length=4)             # the cap's words, verbatim; the amount must be a figure of it

    @field_validator("amount", mode="before")
    @classmethod
    def _no_float(cls, value: Any) -> Any:
        return _refuse_float(value)

    @field_validator("items")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("an item is listed twice")
        return value


class Stacking(_Spec):
    """不重复享受: a unit (or, for items counting none, the claim) that both this item and an excluded one
    would pay is paid once — by the larger amount, or by this item when ``keep: this``."""

    excludes: list[str] = Field(min_length=1)   # item ids, in this or any other loaded document
    keep: Literal["larger", "this"] = "larger"
    quote: str | None = None                     # the 不重复享受 words, verbatim, when they stand apart


class Supersedes(_Spec):
    """A newer document replaces an older one from a date: the older one's claims close the day before."""

    document: str
    since: dt.date = Field(alias="from")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)



class Alternative(_Spec):
    """Another reading the text allows, with its own amount; shown beside the item, never totalled.

    ``every``: one amount per this many qualifying units (Madrid: one award per 2 registrations)."""

    reading: Text
    per_unit: Decimal | None = Field(None, gt=0, decimal_places=2)
    every: int = Field(1, ge=1)

    @field_validator("per_unit", mode="before")
    @classmethod
    def _no_float(cls, value: Any) -> Any:
        return _refuse_float(value)


class Benefit(_Spec):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    kind: BenefitKind
    class_: BenefitClass = Field(alias="class")
    class_reason: Text                # why this class, in the words of the item's sentence
    amount: Amount
    one_time: bool | None = None  # None: the source does not say
    alternative: Alternative | None = None

    @model_validator(mode="after")
    def _money_only_when_claimable(self) -> Benefit:
        stated = self.amount.not_stated is None
        if stated and self.class_ != BenefitClass.claimable:
            raise ValueError(f"a stated amount belongs to a claimable benefit, not to class {self.class_.value}")
        return self


class Citation(_Spec):
    section: str = Field(min_length=1)   # as the document numbers it, e.g. 三(二)3
    quote: str = Field(min_length=4)     # verbatim (whitespace-normalised) from the source body


class Period(_Spec):
    start: dt.date
    end: dt.date
    basis: Text

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class Window(_Spec):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class Counts(_Spec):
    """The units an item counts: entries of a profile list that satisfy ``where`` and whose ``date``
    falls in the item's window. ``at_least`` of them make the item hold."""

    collection: str
    where: dict[str, Any] | None = None
    date: str | None = None           # the unit field that must fall inside the window
    at_least: int = Field(1, ge=1)
    per_year: bool = False            # the list is keyed by year: a year not given is unknown, not absent


class Source(_Spec):
    file: str                         # under policies/sources/
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    body_start: str = Field(min_length=4)  # the document begins at the first occurrence of this text
    body_end: str = Field(min_length=4)    # ... and ends with the first occurrence after it of this text
    exclude: list[str] = Field(default_factory=list)  # verbatim furniture inside the body, cut out
    furniture: str | None = None      # what lies outside the body (banners, ads) and why it is left out


class DocumentMeta(_Spec):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    city: str
    title: Text
    issuer: str
    number: str | None = None         # 文号, when the document has one
    date: dt.date
    date_note: Text | None = None
    period: Period
    source: Source
    district: str | None = None       # a district's own document: it applies to claimants of that district only
    supersedes: list[Supersedes] = Field(default_factory=list)
    notes: list[Text] = Field(default_factory=list)


class ItemSpec(_Spec):
    id: str = Field(pattern=ID_PATTERN)
    aliases: list[str] = Field(default_factory=list)
    title: Text
    beneficiaries: list[EntityType] = Field(min_length=1)
    benefit: Benefit
    qualifies: dict[str, Any] | None = None  # a condition over the profile
    counts: Counts | None = None
    window: Window | None = None       # where the units' dates must fall; default: the document period
    claim_until: dt.date | None = None  # last day a claim can be made; default: the period's end
    restates: Text | None = None      # the national rule the plan only restates: it does not close with the plan
    stacking: Stacking | None = None  # 不重复享受 with other items
    cap: Cap | None = None            # the most one claimant is paid
    citation: Citation
    departments: list[str] = Field(default_factory=list)
    notes: list[Text] = Field(default_factory=list)


class NotEncoded(_Spec):
    """A source paragraph with support language that is deliberately not an item, and why."""

    section: str
    quote: str = Field(min_length=4)
    reason: Text
    whole_paragraph: bool = False  # the whole paragraph the quote lies in is no item (e.g. targets, principles)


class Draft(_Spec):
    """A passage ``policies new`` found support language in, still to be decided by a person: an item
    (moved to ``items`` with its class, beneficiaries and conditions) or a reasoned ``not_encoded`` entry.
    A file with drafts never loads."""

    section: str
    quote: str = Field(min_length=4)
    words: list[str] = Field(default_factory=list)        # the support language found
    amounts: list[Decimal] = Field(default_factory=list)  # yuan figures of the quote, proposed as amounts
    class_hint: BenefitClass | None = None                # what the words suggest; a person decides


class PolicyFile(_Spec):
    document: DocumentMeta
    items: list[ItemSpec] = Field(default_factory=list)
    not_encoded: list[NotEncoded] = Field(default_factory=list)
    caps: list[TotalCap] = Field(default_factory=list)    # 合计最高不超过 over several items
    drafts: list[Draft] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some_items(self) -> PolicyFile:
        if not self.items and not self.drafts:
            raise ValueError("a policy file has at least one item")
        return self
