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
    ip_pilot_enterprise = "ip_pilot_enterprise"                  # 知识产权试点企业(单位)
    innovation_advantage_unit = "innovation_advantage_unit"      # 科技创新优势单位 (Harbin's 百强 pool)
    ip_pilot_university = "ip_pilot_university"                  # 知识产权试点高校
    ip_demonstration_university = "ip_demonstration_university"  # 知识产权示范高校
    ip_management_standard_pilot = "ip_management_standard_pilot"  # 推行(贯彻)知识产权管理标准的培育企业
    ip_trusteeship_pilot = "ip_trusteeship_pilot"                # 知识产权托管服务试点企业
    patent_brand_product = "patent_brand_product"                # 优秀专利品牌产品(培育)
    ip_service_brand_agency = "ip_service_brand_agency"          # 知识产权服务品牌机构


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
    major: bool | None = Field(
        None, json_schema_extra=label("是否被认定为重大发明专利", "recognised as a major invention patent"))
    implemented: bool | None = Field(
        None, json_schema_extra=label("是否已实施(自行实施或许可实施)",
                                      "put into practice (worked by the owner or a licensee)"))

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


IP_RIGHT = "^(patent|trademark|copyright|ic_layout_design|plant_variety|other)$"


class IpPledgeLoan(_Model):
    right: str | None = Field(None, pattern=IP_RIGHT, json_schema_extra=label(
        "质押的知识产权类型(patent/trademark/copyright/…)", "kind of IP pledged (patent, trademark, ...)"))
    amount: Yuan | None = Field(None, json_schema_extra=label("融资金额", "amount financed", unit="yuan"))
    date: dt.date | None = Field(
        None, json_schema_extra=label("融资(质押登记)日期", "date financed (pledge registered)"))


class IpInsurance(_Model):
    right: str | None = Field(None, pattern=IP_RIGHT, json_schema_extra=label(
        "投保的知识产权类型(patent/trademark/…)", "kind of IP insured (patent, trademark, ...)"))
    overseas: bool | None = Field(None, json_schema_extra=label("是否为海外侵权保险", "overseas infringement cover"))
    date: dt.date | None = Field(None, json_schema_extra=label("投保日期", "date insured"))


class IpTransaction(_Model):
    kind: str | None = Field(None, pattern="^(licence|transfer|capital_contribution)$", json_schema_extra=label(
        "方式(licence许可/transfer转让/capital_contribution作价入股)",
        "licence, transfer or capital_contribution (作价入股)"))
    direction: str | None = Field(None, pattern="^(out|in)$", json_schema_extra=label(
        "方向(out本主体许可、转让、作价出资给他人;in本主体获许可或受让)",
        "out: this claimant licensed, assigned or contributed its IP; in: it took a licence or assignment"))
    right: str | None = Field(None, pattern=IP_RIGHT, json_schema_extra=label("知识产权类型", "kind of IP"))
    counterparty_type: EntityType | None = Field(
        None, json_schema_extra=label("对方主体类型", "the other party's type"))
    date: dt.date | None = Field(None, json_schema_extra=label("合同生效(备案)日期", "date in force (recorded)"))


class IcLayoutDesign(_Model):
    number: str | None = Field(None, json_schema_extra=label("布图设计登记号", "registration number"))
    filing_date: dt.date | None = Field(None, json_schema_extra=label("登记申请日", "application date"))
    registration_date: dt.date | None = Field(None, json_schema_extra=label("登记公告日", "registration date"))


class PctApplication(_Model):
    number: str | None = Field(None, pattern=r"^PCT/[A-Z]{2}\d{4}/\d{6}$",
                               json_schema_extra=label("国际申请号", "international application number"))
    filing_date: dt.date | None = Field(None, json_schema_extra=label("国际申请日", "international filing date"))


class IpDispute(_Model):
    right: str | None = Field(None, pattern=IP_RIGHT, json_schema_extra=label("涉及的知识产权类型", "kind of IP"))
    foreign_related: bool | None = Field(None, json_schema_extra=label("是否涉外", "foreign-related"))
    date: dt.date | None = Field(None, json_schema_extra=label("纠纷发生(立案)日期", "date the dispute arose (filed)"))


class PatentAward(_Model):
    name: str | None = Field(None, json_schema_extra=label("奖项名称", "award"))
    level: Level | None = Field(None, json_schema_extra=label("级别", "level"))
    date: dt.date | None = Field(None, json_schema_extra=label("获奖日期", "date awarded"))


def _unique(field: str, items: list[Any] | None, key: Any, what: str) -> None:
    if not items:
        return
    seen: dict[Any, int] = {}
    for index, item in enumerate(items):
        k = key(item)
        if k is None:
            continue
        if k in seen:
            raise ValueError(f"{field}: {what} {k} is listed twice ({field}[{seen[k]}] and {field}[{index}]); "
                             "each must appear once, so it is never counted twice")
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
    startup: bool | None = Field(None, json_schema_extra=label("是否为初创型企业", "a start-up enterprise"))
    has_own_ip: bool | None = Field(
        None, json_schema_extra=label("是否拥有自主知识产权(专利、商标、著作权等)",
                                      "owns its own IP (patents, trademarks, copyright, ...)"))
    leading_enterprise: bool | None = Field(
        None, json_schema_extra=label("是否为本市龙头(骨干、重点)企业", "a leading (backbone) enterprise of the city"))
    enterprise_head: bool | None = Field(
        None, json_schema_extra=label("是否为企业负责人", "the head of an enterprise (a person)"))
    outstanding_innovation: bool | None = Field(
        None, json_schema_extra=label("在企业自主创新(含自主知识产权)方面取得突出成绩、作出重大贡献",
                                      "outstanding achievements in an enterprise's own innovation (incl. own IP)"))
    ip_work_contribution: bool | None = Field(
        None, json_schema_extra=label("在本市知识产权工作(如示范城市创建)中作出突出贡献",
                                      "an outstanding contribution to the city's IP work (e.g. a demonstration drive)"))
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
    first_invention_patent_date: dt.date | None = Field(
        None, json_schema_extra=label("首件发明专利授权日(有史以来第一件)",
                                      "grant date of the first invention patent the claimant ever obtained"))
    ip_pledge_loans: list[IpPledgeLoan] | None = Field(
        None, json_schema_extra=label("知识产权质押融资", "IP-pledge financing obtained"))
    ip_insurance_policies: list[IpInsurance] | None = Field(
        None, json_schema_extra=label("知识产权(专利)保险投保", "IP (patent) insurance taken out"))
    ip_transactions: list[IpTransaction] | None = Field(
        None, json_schema_extra=label("知识产权许可、转让、作价入股", "IP licences, transfers, capital contributions"))
    ic_layout_designs: list[IcLayoutDesign] | None = Field(
        None, json_schema_extra=label("集成电路布图设计登记", "IC layout-design registrations"))
    pct_applications: list[PctApplication] | None = Field(
        None, json_schema_extra=label("PCT国际专利申请", "PCT international applications"))
    ip_disputes: list[IpDispute] | None = Field(
        None, json_schema_extra=label("知识产权纠纷", "IP disputes the claimant is a party to"))
    patent_awards: list[PatentAward] | None = Field(
        None, json_schema_extra=label("获得的专利奖", "patent awards won"))

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
        _unique("patents", self.patents, lambda p: p.key, "patent")
        _unique("finances", self.finances, lambda f: f.year, "fiscal year")
        _unique("madrid_registrations", self.madrid_registrations, lambda m: m.number, "Madrid registration")
        _unique("geographical_indications", self.geographical_indications, lambda g: g.name, "geographical indication")
        _unique("pct_applications", self.pct_applications, lambda a: a.number, "PCT application")
        return self

    @model_validator(mode="after")
    def _first_invention(self) -> Company:
        """``first_invention_patent_date`` from the patent list when the list settles it (see _earliest_invention).

        A listed invention granted before the given date proves the first one earlier: the earlier date wins
        (so a profile dumped and re-validated with a patent added stays consistent)."""
        earliest = _earliest_invention(self.patents)
        given = self.first_invention_patent_date
        if earliest is not None and (given is None or earliest < given):
            # set in place: an after-validator must return self when called via __init__
            object.__setattr__(self, "first_invention_patent_date", earliest)
        return self


def _earliest_invention(patents: list[Patent] | None) -> dt.date | None:
    """The earliest grant date of an invention patent in a patent list, when the list settles it: every
    patent's kind is known and every invention patent's grant date is known (an undated one may have
    been granted earlier). None otherwise, and when the list holds no invention patent."""
    if not patents or any(p.kind is None for p in patents):
        return None
    inventions = [p for p in patents if p.kind == PatentKind.invention]
    if not inventions or any(p.grant_date is None for p in inventions):
        return None
    return min(p.grant_date for p in inventions if p.grant_date is not None)


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
        elif not isinstance(err.get("input"), dict | list) and repr(err.get("input")) not in message:
            message = f"{message} (got {err.get('input')!r})"
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
