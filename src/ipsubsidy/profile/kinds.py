"""Building blocks of profiles: field labels, exact money, the base model, and the enumerations."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ipsubsidy.profile import forms

__all__ = [
    "BRAND_PLAN_ALIASES",
    "MAX_ENTRIES",
    "MAX_TEXT",
    "BrandPlan",
    "Date",
    "EntityType",
    "EntityTypeForm",
    "FiscalYearNumber",
    "Flag",
    "Level",
    "LevelForm",
    "ListHolder",
    "ListingKind",
    "PatentKind",
    "PatentKindForm",
    "ProfileModel",
    "Size",
    "SizeForm",
    "Yuan",
    "label",
    "value_label",
]


def label(zh: str, en: str, **extra: Any) -> dict[str, Any]:
    """Field metadata: the labels read out in explanations and questions."""
    return {"zh": zh, "en": en, **extra}


FLOAT_DIGITS = 15  # every decimal of at most 15 significant digits survives a round trip through a float


def _exact_money(value: Any) -> Any:
    """A float (``json.loads`` without ``parse_float=Decimal``) is read only when it cannot have lost digits.

    A float of at most 15 significant digits below 10^13 is the decimal that was written; anything else may
    already differ from the text (9007199254740993 becomes ...992), so it is refused rather than guessed.
    """
    if not isinstance(value, float) or value != value or value in (float("inf"), float("-inf")):
        return value
    exact = Decimal(repr(value))
    if abs(exact) >= 10**13 or len(exact.normalize().as_tuple().digits) > FLOAT_DIGITS:
        raise ValueError(
            f"{value!r} is a binary float that may not be the number written; give money as a string or "
            "read JSON with exact decimals (ipsubsidy.load_profile_json)")
    return exact


_MONEY_FORM = re.compile(r"[万亿元,，¥￥]")  # only these need reading; plain numbers go straight to Decimal


def _money(value: Any) -> Any:
    """Money as written: 123.4万, 1.2亿元, 1,234,567 (forms.to_yuan); a float only when exact."""
    if isinstance(value, str) and _MONEY_FORM.search(value):
        return forms.to_yuan(value)
    return _exact_money(value)


# The constraints come before the reader, so pydantic-core checks them natively on the decimal (after the
# reader, they would run as three Python validators per amount).
Yuan = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2), BeforeValidator(_money)]

def _iso_day(text: str) -> dt.date | None:
    """The day of a canonical ``YYYY-MM-DD`` (the fast path, in C), None for any other form or a bad day."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None  # the full reader says why
    return None


def _date(value: Any) -> Any:
    """Dates as people write them, year first: 2021-03-01, 2021/3/1, 2021.3.1, 2021年3月1日, 20210301, and
    Excel dates and datetimes (a datetime is read as its day).

    Day-first or month-first forms (03/01/2021) are refused: they are ambiguous, and a wrong guess would
    move a grant across a policy window.
    """
    if isinstance(value, str):
        day = _iso_day(value)
        if day is not None:
            return day
        try:
            return forms.to_date(value)
        except forms.NotACalendarDateError:
            raise ValueError(f"{value!r} is not a calendar date") from None
        except ValueError:
            raise ValueError(
                f"expected a date written year first, e.g. 2021-03-01 or 2021年3月1日, got {value!r}") from None
    if isinstance(value, dt.datetime):
        return value.date()
    return value


Date = Annotated[dt.date, BeforeValidator(_date)]
"""A date field of a profile: ISO, a year-first Chinese form, or an Excel date or datetime."""


def _reader(read: Any, canonical: frozenset[Any]) -> Any:
    """A before-validator: a canonical value as is; a form ``read`` knows as what it means; anything else on
    to the field's own check (and its usual message)."""

    def before(value: Any) -> Any:
        if not isinstance(value, str) or value in canonical:
            return value
        try:
            return read(value)
        except ValueError:
            return value

    return before


Flag = Annotated[bool | None, BeforeValidator(_reader(forms.to_bool, frozenset({True, False})))]
"""A yes/no fact, or unknown (None): true/false, or 是/否, 有/无, √/×. The reader annotates the whole optional
type, so the field's annotation stays ``bool | None``."""


MAX_TEXT = 1_000  # characters of one text value (a name, a title, a number); docs/limits.md
MAX_ENTRIES = 10_000  # entries of one list (patents, fiscal years, ...)


class ProfileModel(BaseModel):
    """Base of every profile model: unknown keys are errors, values are frozen, text is stripped and bounded
    (the limits hold on every path: library, CLI, service)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, str_max_length=MAX_TEXT)


_SEQUENCES = (list, tuple)


class ListHolder(ProfileModel):
    """Base of a profile model with list fields: each list is bounded (MAX_ENTRIES). Only models that hold
    lists pay for the check."""

    @model_validator(mode="before")
    @classmethod
    def _bounded_lists(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, value in data.items():
                if type(value) in _SEQUENCES and len(value) > MAX_ENTRIES:
                    raise ValueError(f"{key}: has {len(value):,} entries; at most {MAX_ENTRIES:,} are accepted")
        return data


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
    small_or_micro = "small_or_micro"  # 小微: small or micro, not known which; never guessed (size_readings.py)


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
    tisc = "tisc"                                                # 技术与创新支持中心 (WIPO TISC)
    university_ip_information_centre = "university_ip_information_centre"  # 高校国家知识产权信息服务中心


class BrandPlan(StrEnum):
    """Jinzhong's brand plans (三(四)8). The product brief said "Fengming"; the source says 凤凰."""

    fenghuang = "fenghuang"
    kongque = "kongque"


def _values(enum: type[StrEnum]) -> frozenset[Any]:
    return frozenset(member.value for member in enum)


EntityTypeForm = Annotated[EntityType | None, BeforeValidator(_reader(forms.to_entity_type, _values(EntityType)))]
"""An entity type: its value, or 企业, 高校, 科研院所, 个人, ..."""
SizeForm = Annotated[Size | None, BeforeValidator(_reader(forms.to_size, _values(Size)))]
"""A size: its value, or 大型, 中型, 小型, 微型, 小微 (small_or_micro)."""
LevelForm = Annotated[Level | None, BeforeValidator(_reader(forms.to_level, _values(Level)))]
"""A level: its value, or 国家级, 省级, 市级, 县级."""
PatentKindForm = Annotated[PatentKind | None, BeforeValidator(_reader(forms.to_patent_kind, _values(PatentKind)))]
"""A patent kind: its value, or 发明, 实用新型, 外观设计."""


def _year(value: Any) -> Any:
    if isinstance(value, str) and not value.strip().isdigit():
        try:
            return forms.to_year(value)
        except ValueError:
            return value
    return value


FiscalYearNumber = Annotated[int, BeforeValidator(_year)]
"""A fiscal year: 2021, or 2021年, 2021年度, 2021年3月 (a month is enough to name the year)."""


BRAND_PLAN_ALIASES = {"fengming": "fenghuang", "凤凰": "fenghuang", "凤凰计划": "fenghuang",
                      "孔雀": "kongque", "孔雀计划": "kongque"}


VALUE_LABELS_ZH: dict[str, str] = {
    # EntityType
    "enterprise": "企业", "university": "高等院校", "school": "中小学校", "research_institute": "科研院所",
    "ip_service_agency": "知识产权服务机构", "association": "社会团体", "individual": "个人", "other": "其他",
    # Size
    "large": "大型", "medium": "中型", "small": "小型", "micro": "微型", "small_or_micro": "小微(小型或微型)",
    # Level
    "national": "国家级", "provincial": "省级", "municipal": "市级", "county": "县级",
    # PatentKind
    "invention": "发明", "utility_model": "实用新型", "design": "外观设计",
    # ListingKind
    "ip_demonstration_enterprise": "知识产权示范企业", "ip_advantage_enterprise": "知识产权优势企业",
    "ip_education_demonstration_school": "知识产权教育示范学校", "ip_pilot_enterprise": "知识产权试点企业",
    "innovation_advantage_unit": "科技创新优势单位", "ip_pilot_university": "知识产权试点高校",
    "ip_demonstration_university": "知识产权示范高校", "ip_management_standard_pilot": "贯标培育企业",
    "ip_trusteeship_pilot": "知识产权托管试点企业", "patent_brand_product": "优秀专利品牌产品",
    "ip_service_brand_agency": "知识产权服务品牌机构", "tisc": "技术与创新支持中心(TISC)",
    "university_ip_information_centre": "高校国家知识产权信息服务中心",
    # BrandPlan
    "fenghuang": "凤凰计划", "kongque": "孔雀计划",
}
"""How an enumerated value is read out in Chinese (explanations, questions); English uses the value."""


def value_label(value: str, lang: str) -> str:
    return VALUE_LABELS_ZH.get(value, value) if lang == "zh" else value.replace("_", " ")
