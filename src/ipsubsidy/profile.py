"""The profile of a claimant: a company, school, institute or person, and the facts policies test.

Absent means unknown, everywhere: a field left out (or ``null``) is a fact nobody has told us, which
is never the same as 0, ``false`` or an empty list. ``patents: []`` says "no patents";
no ``patents`` key says "we do not know".

Every field carries a zh and en label (``json_schema_extra``) that explanations and questions use.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ipsubsidy.errors import ProfileError
from ipsubsidy.identifiers import IdentifierError, parse_cn_patent_number, validate_credit_code
from ipsubsidy.places import UnknownCityError, normalise_city, normalise_district

__all__ = [
    "BrandPlan",
    "BrandPlanSelection",
    "Certification",
    "Company",
    "EntityType",
    "FiscalYear",
    "GeographicalIndication",
    "Level",
    "Listing",
    "ListingKind",
    "MadridRegistration",
    "Patent",
    "PatentKind",
    "RightsProtectionCentre",
    "Size",
    "parse_profile",
]


def label(zh: str, en: str, **extra: Any) -> dict[str, Any]:
    """Field metadata: the labels read out in explanations and questions."""
    return {"zh": zh, "en": en, **extra}


Yuan = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class EntityType(StrEnum):
    enterprise = "enterprise"
    university = "university"
    school = "school"
    research_institute = "research_institute"
    ip_service_agency = "ip_service_agency"
    association = "association"
    individual = "individual"
    other = "other"


class Size(StrEnum):
    large = "large"
    medium = "medium"
    small = "small"
    micro = "micro"


class Level(StrEnum):
    national = "national"
    provincial = "provincial"
    municipal = "municipal"
    county = "county"


class PatentKind(StrEnum):
    invention = "invention"
    utility_model = "utility_model"
    design = "design"


class ListingKind(StrEnum):
    ip_demonstration_enterprise = "ip_demonstration_enterprise"
    ip_advantage_enterprise = "ip_advantage_enterprise"
    ip_education_demonstration_school = "ip_education_demonstration_school"


class BrandPlan(StrEnum):
    """Jinzhong's brand plans (三(四)8). The product brief said "Fengming"; the source says 凤凰."""

    fenghuang = "fenghuang"
    kongque = "kongque"


BRAND_PLAN_ALIASES = {"fengming": "fenghuang", "凤凰": "fenghuang", "凤凰计划": "fenghuang",
                      "孔雀": "kongque", "孔雀计划": "kongque"}


class Patent(_Model):
    number: str = Field(min_length=1, json_schema_extra=label("专利号", "patent number"))
    office: str | None = Field(
        None, pattern=r"^[A-Z]{2}$",
        json_schema_extra=label("授权机构", "granting office (ISO 3166 code, EP, ...)"))
    kind: PatentKind | None = Field(None, json_schema_extra=label("专利类型", "patent kind"))
    via_pct: bool | None = Field(None, json_schema_extra=label("是否经PCT途径", "filed via PCT"))
    filing_date: dt.date | None = Field(None, json_schema_extra=label("申请日", "filing date"))
    grant_date: dt.date | None = Field(None, json_schema_extra=label("授权日", "grant date"))
    title: str | None = Field(None, json_schema_extra=label("名称", "title"))

    @model_validator(mode="after")
    def _check_number(self) -> Patent:
        """Infer the office from the number's prefix; check a CN number's digit and its kind."""
        compact = self.number.replace(" ", "").upper()
        office = self.office
        if office is None:
            if compact.startswith(("ZL", "CN")) or compact[:1].isdigit():
                office = "CN"
            elif len(compact) > 2 and compact[:2].isalpha() and compact[2].isdigit():
                office = compact[:2]
        if office != "CN":
            return self if office == self.office else self.model_copy(update={"office": office})
        try:
            parsed = parse_cn_patent_number(self.number)
        except IdentifierError as exc:
            raise ValueError(f"number: {exc}") from None
        updates: dict[str, Any] = {"number": parsed.canonical, "office": "CN"}
        if self.kind is None:
            updates["kind"] = PatentKind(parsed.kind)
        elif self.kind != parsed.kind:
            raise ValueError(
                f"kind: {self.kind.value!r} contradicts the number {parsed.canonical}, whose type digit "
                f"{parsed.type_digit} means {parsed.kind!r}")
        if self.via_pct is None and parsed.via_pct:
            updates["via_pct"] = True
        return self.model_copy(update=updates)

    @property
    def key(self) -> str:
        return f"{self.office or '??'}:{self.number}"


class MadridRegistration(_Model):
    number: str | None = Field(None, json_schema_extra=label("国际注册号", "international registration number"))
    filing_date: dt.date | None = Field(None, json_schema_extra=label("申请日", "filing date"))
    designated_countries: list[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] | None = Field(
        None, json_schema_extra=label("指定(延伸)国家", "designated countries"))

    @field_validator("designated_countries")
    @classmethod
    def _unique_countries(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("a country is designated twice")
        return value


class GeographicalIndication(_Model):
    name: str = Field(min_length=1, json_schema_extra=label("名称", "name"))
    form: str | None = Field(
        None, pattern="^(product|trademark)$",
        json_schema_extra=label("形式(保护产品或商标)", "form: protected product or GI trademark"))
    approval_date: dt.date | None = Field(None, json_schema_extra=label("核准日", "approval date"))


class Listing(_Model):
    kind: ListingKind = Field(json_schema_extra=label("入选类别", "listing kind"))
    level: Level | None = Field(None, json_schema_extra=label("级别", "level"))
    date: dt.date | None = Field(None, json_schema_extra=label("列入日期", "date listed"))


class Certification(_Model):
    standard: str = Field("GB/T 29490", pattern=r"^GB/T 29490$",
                          json_schema_extra=label("标准", "standard"))
    via: str | None = Field(None, pattern="^(certification|performance_evaluation)$",
                            json_schema_extra=label("认证或绩效评价", "certification or performance evaluation"))
    date: dt.date | None = Field(None, json_schema_extra=label("通过日期", "date passed"))


class BrandPlanSelection(_Model):
    plan: BrandPlan = Field(json_schema_extra=label("品牌计划", "brand plan"))
    date: dt.date | None = Field(None, json_schema_extra=label("入选日期", "date selected"))

    @field_validator("plan", mode="before")
    @classmethod
    def _alias(cls, value: Any) -> Any:
        return BRAND_PLAN_ALIASES.get(str(value).strip().lower(), value) if isinstance(value, str) else value


class RightsProtectionCentre(_Model):
    level: Level | None = Field(None, json_schema_extra=label("级别", "level"))
    date: dt.date | None = Field(None, json_schema_extra=label("设立日期", "date set up"))


class FiscalYear(_Model):
    year: int = Field(ge=1980, le=2100, json_schema_extra=label("年度", "fiscal year"))
    sales_revenue: Yuan | None = Field(None, json_schema_extra=label("销售收入", "sales revenue", unit="yuan"))
    main_business_revenue: Yuan | None = Field(
        None, json_schema_extra=label("主营业务收入", "main-business revenue", unit="yuan"))
    rd_expense: Yuan | None = Field(None, json_schema_extra=label("研发投入", "R&D expense", unit="yuan"))
    commercialised_revenue: Yuan | None = Field(
        None, json_schema_extra=label("科技成果产业化产品或服务收入",
                                      "revenue from commercialised S&T results", unit="yuan"))


def _unique(items: list[Any] | None, key: Any, what: str) -> None:
    if not items:
        return
    seen: dict[Any, int] = {}
    for index, item in enumerate(items):
        k = key(item)
        if k is None:
            continue
        if k in seen:
            raise ValueError(f"{what} {k} is listed twice (entries {seen[k]} and {index}); "
                             "each must appear once")
        seen[k] = index


class Company(_Model):
    """A claimant. Only what is known need be given; every field may be absent."""

    name: str | None = Field(None, json_schema_extra=label("名称", "name"))
    credit_code: str | None = Field(None, json_schema_extra=label("统一社会信用代码", "unified social credit code"))
    city: str | None = Field(None, json_schema_extra=label("所在城市", "city"))
    district: str | None = Field(None, json_schema_extra=label("所在区县", "district"))
    entity_type: EntityType | None = Field(None, json_schema_extra=label("主体类型", "entity type"))
    size: Size | None = Field(None, json_schema_extra=label("企业规模", "enterprise size"))
    industry: str | None = Field(None, json_schema_extra=label("所属行业", "industry"))
    ip_professional: bool | None = Field(
        None, json_schema_extra=label("是否为本市知识产权工作需要引进的专业人才",
                                      "an IP professional the city recruits for its IP work"))
    finances: list[FiscalYear] | None = Field(None, json_schema_extra=label("年度财务数据", "finances per year"))
    patents: list[Patent] | None = Field(None, json_schema_extra=label("专利", "patents"))
    madrid_registrations: list[MadridRegistration] | None = Field(
        None, json_schema_extra=label("马德里商标国际注册", "Madrid international registrations"))
    geographical_indications: list[GeographicalIndication] | None = Field(
        None, json_schema_extra=label("地理标志", "geographical indications owned"))
    listings: list[Listing] | None = Field(
        None, json_schema_extra=label("入选名单(示范、优势企业、示范学校)", "listings (demonstration, advantage)"))
    certifications: list[Certification] | None = Field(
        None, json_schema_extra=label("《企业知识产权管理规范》贯标", "GB/T 29490 certification"))
    brand_plan_selections: list[BrandPlanSelection] | None = Field(
        None, json_schema_extra=label("品牌计划入选", "brand-plan selections"))
    rights_protection_centres: list[RightsProtectionCentre] | None = Field(
        None, json_schema_extra=label("设立的维权援助中心", "rights-protection assistance centres set up"))

    @field_validator("credit_code")
    @classmethod
    def _credit_code(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return validate_credit_code(value)
        except IdentifierError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("city")
    @classmethod
    def _city(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return normalise_city(value).id
        except UnknownCityError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("district")
    @classmethod
    def _district(cls, value: str | None) -> str | None:
        return None if value is None else normalise_district(value)

    @model_validator(mode="after")
    def _no_duplicates(self) -> Company:
        _unique(self.patents, lambda p: p.key, "patent")
        _unique(self.finances, lambda f: f.year, "fiscal year")
        _unique(self.madrid_registrations, lambda m: m.number, "Madrid registration")
        _unique(self.geographical_indications, lambda g: g.name, "geographical indication")
        return self


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith(("function-", "value_error")):
            continue
        else:
            out += f".{part}" if out else part
    return out


def profile_error(exc: ValidationError, source: str | None = None) -> ProfileError:
    """A pydantic ValidationError as a ProfileError: one ``(field path, expectation)`` per problem."""
    problems: list[tuple[str, str]] = []
    for err in exc.errors(include_url=False):
        path = _path(tuple(err["loc"]))
        message = err["msg"].removeprefix("Value error, ")
        if ": " in message and message.split(": ", 1)[0].isidentifier():
            sub, message = message.split(": ", 1)  # a model validator naming its own field
            path = f"{path}.{sub}" if path else sub
        if err["type"] == "extra_forbidden":
            message = "is not a profile field"
        elif "input" in err and err["type"] not in ("missing",):
            message = f"{message} (got {err['input']!r})"
        problems.append((path or "(profile)", message))
    return ProfileError(problems, source)


def parse_profile(data: Any, source: str | None = None) -> Company:
    """Validate a profile from plain data (a dict from JSON or YAML); raise ProfileError."""
    if isinstance(data, Company):
        return data
    if not isinstance(data, dict):
        raise ProfileError([("(profile)", f"expected a mapping of fields, got {type(data).__name__}")], source)
    try:
        return Company.model_validate(data)
    except ValidationError as exc:
        raise profile_error(exc, source) from None
