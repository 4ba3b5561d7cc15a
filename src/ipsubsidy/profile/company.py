"""The claimant: a company, school, institute or person, with every fact a policy may test."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field, field_validator, model_validator

from ipsubsidy.identifiers import IdentifierError, validate_credit_code
from ipsubsidy.places import UnknownCityError, normalise_district
from ipsubsidy.profile.city import city_id
from ipsubsidy.profile.kinds import Date, EntityTypeForm, Flag, ListHolder, PatentKind, SizeForm, label
from ipsubsidy.profile.units import (
    BrandPlanSelection,
    Certification,
    FiscalYear,
    GeographicalIndication,
    IcLayoutDesign,
    IpDispute,
    IpInsurance,
    IpPledgeLoan,
    IpTransaction,
    Listing,
    MadridRegistration,
    Patent,
    PatentAward,
    PctApplication,
    RightsProtectionCentre,
)

__all__ = ["Company"]


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


class Company(ListHolder):
    """A claimant. Only what is known need be given; every field may be absent."""

    name: str | None = Field(default=None, json_schema_extra=label("名称", "name"))
    credit_code: str | None = Field(
        default=None, json_schema_extra=label("统一社会信用代码", "unified social credit code"))
    city: str | None = Field(default=None, json_schema_extra=label("所在城市", "city"))
    district: str | None = Field(default=None, json_schema_extra=label("所在区县", "district"))
    entity_type: EntityTypeForm = Field(default=None, json_schema_extra=label("主体类型", "entity type"))
    size: SizeForm = Field(default=None, json_schema_extra=label("企业规模", "enterprise size"))
    industry: str | None = Field(default=None, json_schema_extra=label("所属行业", "industry"))
    ip_professional: Flag = Field(
        default=None, json_schema_extra=label("是否为本市知识产权工作需要引进的专业人才",
                                      "an IP professional the city recruits for its IP work"))
    startup: Flag = Field(default=None, json_schema_extra=label("是否为初创型企业", "a start-up enterprise"))
    has_own_ip: Flag = Field(
        default=None, json_schema_extra=label("是否拥有自主知识产权(专利、商标、著作权等)",
                                      "owns its own IP (patents, trademarks, copyright, ...)"))
    leading_enterprise: Flag = Field(
        default=None, json_schema_extra=label(
            "是否为本市龙头(骨干、重点)企业", "a leading (backbone) enterprise of the city"))
    key_industry: Flag = Field(
        default=None, json_schema_extra=label(
            "是否属于本市传统主导产业或战略性新兴产业",
            "in one of the city's traditional leading or strategic emerging industries"))
    enterprise_head: Flag = Field(
        default=None, json_schema_extra=label("是否为企业负责人", "the head of an enterprise (a person)"))
    outstanding_innovation: Flag = Field(
        default=None, json_schema_extra=label("在企业自主创新(含自主知识产权)方面取得突出成绩、作出重大贡献",
                                      "outstanding achievements in an enterprise's own innovation (incl. own IP)"))
    ip_work_contribution: Flag = Field(
        default=None, json_schema_extra=label("在本市知识产权工作(如示范城市创建)中作出突出贡献",
                                      "an outstanding contribution to the city's IP work (e.g. a demonstration drive)"))
    ic_enterprise: Flag = Field(
        default=None, json_schema_extra=label("是否为集成电路企业", "an integrated-circuit enterprise"))
    specialised_sme: Flag = Field(
        default=None, json_schema_extra=label(
            "是否为专精特新企业(含专精特新“小巨人”)",
            "a specialised, refined, distinctive and innovative (专精特新) enterprise, little giants included"))
    sci_tech_listing: Flag = Field(
        default=None, json_schema_extra=label(
            "是否为科创型上市公司或拟上市公司",
            "a sci-tech company listed or preparing to list (e.g. on the STAR Market)"))
    first_of_kind_product: Flag = Field(
        default=None, json_schema_extra=label(
            "是否有首台套、首批次或首版次创新产品",
            "has a first-of-its-kind product (first set of equipment, first batch of material, "
            "first software version)"))
    industry_body: Flag = Field(
        default=None, json_schema_extra=label(
            "是否为行业协会、产业联盟等行业组织",
            "an industry association, industry alliance or other industry body"))
    high_end_talent: Flag = Field(
        default=None, json_schema_extra=label(
            "是否为院士等高端人才", "an academician or other high-end talent (a person)"))
    finances: list[FiscalYear] | None = Field(
        default=None, json_schema_extra=label("年度财务数据", "finances per year"))
    patents: list[Patent] | None = Field(default=None, json_schema_extra=label("专利", "patents"))
    madrid_registrations: list[MadridRegistration] | None = Field(
        default=None, json_schema_extra=label("马德里商标国际注册", "Madrid international registrations"))
    geographical_indications: list[GeographicalIndication] | None = Field(
        default=None, json_schema_extra=label("地理标志", "geographical indications owned"))
    listings: list[Listing] | None = Field(
        default=None, json_schema_extra=label(
            "入选名单(示范、优势企业、示范学校)", "listings (demonstration, advantage)"))
    certifications: list[Certification] | None = Field(
        default=None, json_schema_extra=label("《企业知识产权管理规范》贯标", "GB/T 29490 certification"))
    brand_plan_selections: list[BrandPlanSelection] | None = Field(
        default=None, json_schema_extra=label("品牌计划入选", "brand-plan selections"))
    rights_protection_centres: list[RightsProtectionCentre] | None = Field(
        default=None, json_schema_extra=label("设立的维权援助中心", "rights-protection assistance centres set up"))
    first_invention_patent_date: Date | None = Field(
        default=None, json_schema_extra=label("首件发明专利授权日(有史以来第一件)",
                                      "grant date of the first invention patent the claimant ever obtained"))
    ip_pledge_loans: list[IpPledgeLoan] | None = Field(
        default=None, json_schema_extra=label("知识产权质押融资", "IP-pledge financing obtained"))
    ip_insurance_policies: list[IpInsurance] | None = Field(
        default=None, json_schema_extra=label("知识产权(专利)保险投保", "IP (patent) insurance taken out"))
    ip_transactions: list[IpTransaction] | None = Field(
        default=None, json_schema_extra=label(
            "知识产权许可、转让、作价入股", "IP licences, transfers, capital contributions"))
    ic_layout_designs: list[IcLayoutDesign] | None = Field(
        default=None, json_schema_extra=label("集成电路布图设计登记", "IC layout-design registrations"))
    pct_applications: list[PctApplication] | None = Field(
        default=None, json_schema_extra=label("PCT国际专利申请", "PCT international applications"))
    ip_disputes: list[IpDispute] | None = Field(
        default=None, json_schema_extra=label("知识产权纠纷", "IP disputes the claimant is a party to"))
    patent_awards: list[PatentAward] | None = Field(
        default=None, json_schema_extra=label("获得的专利奖", "patent awards won"))

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
            return city_id(value)
        except UnknownCityError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("district")
    @classmethod
    def _district(cls, value: str | None) -> str | None:
        return None if value is None else normalise_district(value)

    @model_validator(mode="after")
    def _no_duplicates(self) -> Company:
        """No unit listed twice; then the first invention date from the patent list (one validator, one call)."""
        _unique("patents", self.patents, lambda p: p.key, "patent")
        _unique("finances", self.finances, lambda f: f.year, "fiscal year")
        _unique("madrid_registrations", self.madrid_registrations, lambda m: m.number, "Madrid registration")
        _unique("geographical_indications", self.geographical_indications, lambda g: g.name, "geographical indication")
        _unique("pct_applications", self.pct_applications, lambda a: a.number, "PCT application")
        return self._first_invention()

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
