"""The units a policy can count: patents, registrations, listings, fiscal years, loans, ...

Each is a list on the profile; ``patents: []`` says "none", a missing list says "unknown".
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from ipsubsidy.identifiers import IdentifierError, canonical_text, read_patent_number
from ipsubsidy.profile import forms
from ipsubsidy.profile.kinds import (
    BRAND_PLAN_ALIASES,
    BrandPlan,
    Date,
    EntityTypeForm,
    FiscalYearNumber,
    Flag,
    LevelForm,
    ListHolder,
    ListingKind,
    PatentKind,
    PatentKindForm,
    ProfileModel,
    Yuan,
    label,
)

__all__ = [
    "BrandPlanSelection",
    "Certification",
    "FiscalYear",
    "GeographicalIndication",
    "IcLayoutDesign",
    "IpDispute",
    "IpInsurance",
    "IpPledgeLoan",
    "IpTransaction",
    "Listing",
    "MadridRegistration",
    "Patent",
    "PatentAward",
    "PctApplication",
    "RightsProtectionCentre",
]


class Patent(ProfileModel):
    number: str = Field(min_length=1, json_schema_extra=label("专利号", "patent number"))
    office: str | None = Field(
        default=None, pattern=r"^[A-Z]{2}$",
        json_schema_extra=label("授权机构", "granting office (ISO 3166 code, EP, ...)"))
    kind: PatentKindForm = Field(default=None, json_schema_extra=label("专利类型", "patent kind"))
    via_pct: Flag = Field(default=None, json_schema_extra=label("是否经PCT途径", "filed via PCT"))
    filing_date: Date | None = Field(default=None, json_schema_extra=label("申请日", "filing date"))
    grant_date: Date | None = Field(default=None, json_schema_extra=label("授权日", "grant date"))
    title: str | None = Field(default=None, json_schema_extra=label("名称", "title"))
    publication: str | None = Field(
        default=None, json_schema_extra=label(
            "公开(公告)号", "publication number with its kind code (CN114347616B; A is an application publication)"))
    major: Flag = Field(
        default=None, json_schema_extra=label("是否被认定为重大发明专利", "recognised as a major invention patent"))
    implemented: Flag = Field(
        default=None, json_schema_extra=label("是否已实施(自行实施或许可实施)",
                                      "put into practice (worked by the owner or a licensee)"))

    @field_validator("office", mode="before")
    @classmethod
    def _office_text(cls, value: Any) -> Any:
        return canonical_text(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check_number(self) -> Patent:
        """Normalise the number first, then infer the office from it; check a CN number's digit and kind."""
        try:
            read = read_patent_number(self.number, self.office)
        except IdentifierError as exc:
            field = "office" if self.office is not None and "contradicts" in str(exc) else "number"
            if field == "number" and _is_publication(self.number):
                raise ValueError(
                    f"number: {self.number!r} is a publication (announcement) number; give the application number "
                    "(e.g. ZL202110123456.7) as number and this one as publication") from None
            raise ValueError(f"{field}: {exc}") from None
        if read.publication_only and self.grant_date is not None:
            raise ValueError(
                f"number: {read.canonical} is an application publication (kind code A), not a grant, yet a "
                "grant_date is given; give the granted number (kind code B) or leave grant_date out")
        updates: dict[str, Any] = {"number": read.canonical, "office": read.office}
        if self.publication is not None:
            self._check_publication(read.office, updates)
        parsed = read.cn
        if parsed is None:
            self.__dict__.update(updates)  # set in place (frozen): an after-validator must return self
            return self
        if "kind" in updates and updates["kind"] != parsed.kind:
            raise ValueError(
                f"publication: {updates['publication']} is a {updates['kind'].value} publication, yet the number "
                f"{parsed.canonical} has type digit {parsed.type_digit}, which means {parsed.kind!r}")
        if self.kind is None:
            updates["kind"] = _KINDS[parsed.kind]
        elif self.kind != parsed.kind:
            raise ValueError(
                f"kind: {self.kind.value!r} contradicts the number {parsed.canonical}, whose type digit "
                f"{parsed.type_digit} means {parsed.kind!r}")
        if self.via_pct is None and parsed.via_pct:
            updates["via_pct"] = True
        self.__dict__.update(updates)  # set in place (frozen): an after-validator must return self
        return self

    def _check_publication(self, office: str, updates: dict[str, Any]) -> None:
        """The publication number's kind code: A is not a grant; B/C invention, U/Y utility model, S design."""
        assert self.publication is not None
        try:
            pub = forms.to_publication(self.publication)
        except ValueError as exc:
            raise ValueError(f"publication: {exc}") from None
        if office != "CN":
            raise ValueError(f"publication: {pub.number} is a CN publication, yet the patent is a {office} number")
        if not pub.granted and self.grant_date is not None:
            raise ValueError(
                f"publication: {pub.number} is an application publication (kind code A), not a grant, yet a "
                "grant_date is given; give the grant's publication number (kind code B) or leave grant_date out")
        if self.kind is not None and self.kind != pub.kind:
            raise ValueError(f"kind: {self.kind.value!r} contradicts the publication {pub.number}, "
                             f"which is a {pub.kind!r} publication")
        updates["publication"] = pub.number
        if self.kind is None:
            updates["kind"] = _KINDS[pub.kind]

    @property
    def key(self) -> str:
        """The duplicate key: office and number without kind code (US11223344B1 == US 11223344 B2)."""
        if self.office == "CN" and self.number.startswith("ZL"):  # canonical already: ZL + digits + . + check
            return f"CN:{self.number[2:].partition('.')[0]}"
        return read_patent_number(self.number, self.office).key


_KINDS = {kind.value: kind for kind in PatentKind}


def _is_publication(text: str) -> bool:
    try:
        forms.to_publication(text)
    except ValueError:
        return False
    return True


class MadridRegistration(ListHolder):
    number: str | None = Field(default=None, json_schema_extra=label("国际注册号", "international registration number"))
    filing_date: Date | None = Field(default=None, json_schema_extra=label("申请日", "filing date"))
    designated_countries: list[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] | None = Field(
        default=None, json_schema_extra=label("指定(延伸)国家", "designated countries"))

    @field_validator("designated_countries")
    @classmethod
    def _unique_countries(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("a country is designated twice")
        return value


class GeographicalIndication(ProfileModel):
    name: str = Field(min_length=1, json_schema_extra=label("名称", "name"))
    form: str | None = Field(
        default=None, pattern="^(product|trademark)$",
        json_schema_extra=label("形式(保护产品或商标)", "form: protected product or GI trademark"))
    approval_date: Date | None = Field(default=None, json_schema_extra=label("核准日", "approval date"))


class Listing(ProfileModel):
    kind: ListingKind = Field(json_schema_extra=label("入选类别", "listing kind"))
    level: LevelForm = Field(default=None, json_schema_extra=label("级别", "level"))
    date: Date | None = Field(default=None, json_schema_extra=label("列入日期", "date listed"))


class Certification(ProfileModel):
    standard: str = Field(default="GB/T 29490", pattern=r"^GB/T 29490$",
                          json_schema_extra=label("标准", "standard"))
    via: str | None = Field(default=None, pattern="^(certification|performance_evaluation)$",
                            json_schema_extra=label("认证或绩效评价", "certification or performance evaluation"))
    date: Date | None = Field(default=None, json_schema_extra=label("通过日期", "date passed"))


class BrandPlanSelection(ProfileModel):
    plan: BrandPlan = Field(json_schema_extra=label("品牌计划", "brand plan"))
    date: Date | None = Field(default=None, json_schema_extra=label("入选日期", "date selected"))

    @field_validator("plan", mode="before")
    @classmethod
    def _alias(cls, value: Any) -> Any:
        return BRAND_PLAN_ALIASES.get(str(value).strip().lower(), value) if isinstance(value, str) else value


class RightsProtectionCentre(ProfileModel):
    level: LevelForm = Field(default=None, json_schema_extra=label("级别", "level"))
    date: Date | None = Field(default=None, json_schema_extra=label("设立日期", "date set up"))


class FiscalYear(ProfileModel):
    year: FiscalYearNumber = Field(ge=1980, le=2100, json_schema_extra=label("年度", "fiscal year"))
    sales_revenue: Yuan | None = Field(default=None, json_schema_extra=label("销售收入", "sales revenue", unit="yuan"))
    main_business_revenue: Yuan | None = Field(
        default=None, json_schema_extra=label("主营业务收入", "main-business revenue", unit="yuan"))
    rd_expense: Yuan | None = Field(default=None, json_schema_extra=label("研发投入", "R&D expense", unit="yuan"))
    commercialised_revenue: Yuan | None = Field(
        default=None, json_schema_extra=label("科技成果产业化产品或服务收入",
                                      "revenue from commercialised S&T results", unit="yuan"))


IP_RIGHT = "^(patent|trademark|copyright|ic_layout_design|plant_variety|other)$"


class IpPledgeLoan(ProfileModel):
    right: str | None = Field(default=None, pattern=IP_RIGHT, json_schema_extra=label(
        "质押的知识产权类型(patent/trademark/copyright/…)", "kind of IP pledged (patent, trademark, ...)"))
    amount: Yuan | None = Field(default=None, json_schema_extra=label("融资金额", "amount financed", unit="yuan"))
    date: Date | None = Field(
        default=None, json_schema_extra=label("融资(质押登记)日期", "date financed (pledge registered)"))


class IpInsurance(ProfileModel):
    right: str | None = Field(default=None, pattern=IP_RIGHT, json_schema_extra=label(
        "投保的知识产权类型(patent/trademark/…)", "kind of IP insured (patent, trademark, ...)"))
    overseas: Flag = Field(
        default=None, json_schema_extra=label("是否为海外侵权保险", "overseas infringement cover"))
    date: Date | None = Field(default=None, json_schema_extra=label("投保日期", "date insured"))


class IpTransaction(ProfileModel):
    kind: str | None = Field(default=None, pattern="^(licence|transfer|capital_contribution)$", json_schema_extra=label(
        "方式(licence许可/transfer转让/capital_contribution作价入股)",
        "licence, transfer or capital_contribution (作价入股)"))
    direction: str | None = Field(default=None, pattern="^(out|in)$", json_schema_extra=label(
        "方向(out本主体许可、转让、作价出资给他人;in本主体获许可或受让)",
        "out: this claimant licensed, assigned or contributed its IP; in: it took a licence or assignment"))
    right: str | None = Field(default=None, pattern=IP_RIGHT, json_schema_extra=label("知识产权类型", "kind of IP"))
    counterparty_type: EntityTypeForm = Field(
        default=None, json_schema_extra=label("对方主体类型", "the other party's type"))
    date: Date | None = Field(default=None, json_schema_extra=label("合同生效(备案)日期", "date in force (recorded)"))


class IcLayoutDesign(ProfileModel):
    number: str | None = Field(default=None, json_schema_extra=label("布图设计登记号", "registration number"))
    filing_date: Date | None = Field(default=None, json_schema_extra=label("登记申请日", "application date"))
    registration_date: Date | None = Field(default=None, json_schema_extra=label("登记公告日", "registration date"))


class PctApplication(ProfileModel):
    number: str | None = Field(default=None, pattern=r"^PCT/[A-Z]{2}\d{4}/\d{6}$",
                               json_schema_extra=label("国际申请号", "international application number"))
    filing_date: Date | None = Field(default=None, json_schema_extra=label("国际申请日", "international filing date"))


class IpDispute(ProfileModel):
    right: str | None = Field(
        default=None, pattern=IP_RIGHT, json_schema_extra=label("涉及的知识产权类型", "kind of IP"))
    foreign_related: Flag = Field(default=None, json_schema_extra=label("是否涉外", "foreign-related"))
    date: Date | None = Field(
        default=None, json_schema_extra=label("纠纷发生(立案)日期", "date the dispute arose (filed)"))


class PatentAward(ProfileModel):
    name: str | None = Field(default=None, json_schema_extra=label("奖项名称", "award"))
    level: LevelForm = Field(default=None, json_schema_extra=label("级别", "level"))
    date: Date | None = Field(default=None, json_schema_extra=label("获奖日期", "date awarded"))
