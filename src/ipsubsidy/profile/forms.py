"""Values as Chinese forms and spreadsheets write them → profile values: 是/否, 万元, 小微, dates, publication numbers.

One implementation for every way in: the profile's fields read these forms (a profile file given to
``ipsubsidy evaluate``, ``evaluate(dict)``, a body POSTed to the service), and ``ipsubsidy screen`` reads
workbook cells with the same functions (``ipsubsidy.intake.values``). Each ``to_*`` raises ValueError saying
what was expected; the profile passes a value none of them recognises on to its own field check, so an
unknown value gets the same message it always did.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from dateutil import parser as date_parser

__all__ = [
    "SMALL_OR_MICRO",
    "NotACalendarDateError",
    "Publication",
    "to_bool",
    "to_date",
    "to_entity_type",
    "to_level",
    "to_month",
    "to_patent_kind",
    "to_publication",
    "to_size",
    "to_year",
    "to_yuan",
]

SMALL_OR_MICRO = "small_or_micro"
"""小微: the size is small or micro, and which one is not known; never guessed."""


def _text(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in {"是", "有", "y", "yes", "true", "1", "√", "✓"}:
        return True
    if text in {"否", "无", "没有", "n", "no", "false", "0", "×"}:
        return False
    raise ValueError("expected 是 or 否 (yes/no)")


_ENTITY = {
    "企业": "enterprise", "公司": "enterprise", "高校": "university", "高等院校": "university", "大学": "university",
    "学校": "school", "中小学": "school", "中小学校": "school", "科研院所": "research_institute",
    "科研机构": "research_institute", "研究院": "research_institute", "个人": "individual",
    "知识产权服务机构": "ip_service_agency", "服务机构": "ip_service_agency", "社会团体": "association",
    "协会": "association", "其他": "other",
}


def to_entity_type(value: Any) -> str:
    text = _text(value)
    if text in _ENTITY:
        return _ENTITY[text]
    if text.lower().replace(" ", "_") in set(_ENTITY.values()):
        return text.lower().replace(" ", "_")
    raise ValueError("expected 企业, 高校, 学校, 科研院所, 个人 or 知识产权服务机构")


_SIZE = {"大型": "large", "大": "large", "中型": "medium", "中": "medium", "小型": "small", "小": "small",
         "微型": "micro", "微": "micro", "小微": SMALL_OR_MICRO, "小微型": SMALL_OR_MICRO,
         "小微企业": SMALL_OR_MICRO, "大型企业": "large", "中型企业": "medium", "小型企业": "small",
         "微型企业": "micro"}


def to_size(value: Any) -> str:
    """大型/中型/小型/微型 → the size; 小微 → SMALL_OR_MICRO (the uncertainty kept)."""
    text = _text(value)
    if text in _SIZE:
        return _SIZE[text]
    if text.lower() in {"large", "medium", "small", "micro", SMALL_OR_MICRO}:
        return text.lower()
    raise ValueError("expected 大型, 中型, 小型, 微型 or 小微")


_MONEY = re.compile(r"^(?P<num>[+-]?\d+(?:\.\d+)?)\s*(?P<unit>亿元|亿|万元|万|元)?$")
_SCALE = {"亿元": Decimal(100_000_000), "亿": Decimal(100_000_000), "万元": Decimal(10_000), "万": Decimal(10_000),
          "元": Decimal(1), None: Decimal(1)}


def to_yuan(value: Any, header_unit: str | None = None) -> Decimal:
    """Exact yuan from 123.4万, 1.2亿元, 1,234,567 or a number; ``header_unit`` (万元 from 研发投入(万元))
    scales a bare number. Floats from a workbook are read through their shortest repr, never binary."""
    if isinstance(value, bool):
        raise ValueError("expected an amount of money, e.g. 123.4万元")
    if isinstance(value, Decimal | int):
        number, unit = Decimal(value), header_unit
    else:
        text = _text(value).replace(",", "").replace("，", "").replace("¥", "").replace("￥", "").replace(" ", "")
        match = _MONEY.match(text)
        if not match:
            raise ValueError("expected an amount of money, e.g. 123.4万元 or 1,234,567")
        number, unit = Decimal(match["num"]), match["unit"] or header_unit
    try:
        yuan = (number * _SCALE[unit]).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError("expected an amount of money within 18 digits") from None
    if yuan < 0:
        raise ValueError("expected an amount of money, not a negative number")
    return yuan


class NotACalendarDateError(ValueError):
    """A year-first date whose day does not exist (2021-02-30)."""


_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_YM = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")


_DATE_TIME = re.compile(r"^(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)(?:\s+|T)\d")
CHINA = dt.timezone(dt.timedelta(hours=8), "CST")  # 中国标准时间, no daylight saving since 1991


def _day_of(text: str, date_part: str) -> dt.date:
    """The day of a year-first date-time text: its own date, or with an offset (Z, +00:00) the date in China.

    dateutil reads the time and offset forms exports write (8:30, 08:30:00.000, T, Z, +0800); the date part is
    read year first by our own pattern first, so dateutil never guesses an order."""
    day = to_date(date_part)  # a bad calendar day is refused here, with our message
    normal = re.sub(r"\s*[年月/.]\s*", "-", date_part).removesuffix("日")
    try:
        stamp = date_parser.parse(normal + text[len(date_part):], yearfirst=True, dayfirst=False)
    except (ValueError, OverflowError):
        raise ValueError("expected a date written year first, e.g. 2021-03-01 or 2021-03-01 08:30") from None
    return day if stamp.tzinfo is None else stamp.astimezone(CHINA).date()


def to_date(value: Any) -> dt.date:
    """A date from an Excel date/datetime, an ISO or year-first Chinese form (2021年3月1日), or 20210301."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    head = _DATE_TIME.match(text)
    if head:  # 2021-03-01 00:00:00, 2021/3/1 8:30, 2021-03-01T08:30:00+08:00: the day it is in China
        return _day_of(text, head[1])
    match = _YMD.match(text) or (re.match(r"^(\d{4})(\d{2})(\d{2})$", text) if text.isdigit() else None)
    if not match:
        raise ValueError("expected a date written year first, e.g. 2021-03-01 or 2021年3月1日")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise NotACalendarDateError("is not a calendar date") from None


def to_month(value: Any) -> dt.date:
    """A month where a month is enough (2021年3月 → 2021-03-01); a full date is read as itself."""
    text = _text(value) if not isinstance(value, dt.date) else ""
    match = _YM.match(text) if text else None
    if match:
        month = int(match[2])
        if not 1 <= month <= 12:
            raise ValueError("is not a calendar month")
        return dt.date(int(match[1]), month, 1)
    return to_date(value)


_YEAR = re.compile(r"^(\d{4})\s*(?:年度?)?$")


def to_year(value: Any) -> int:
    """A fiscal year: 2021, "2021", 2021年, 2021年度, or a month or date within it (2021年3月)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, dt.date):
        return value.year
    match = _YEAR.match(_text(value))
    return int(match[1]) if match else to_month(value).year


_LEVEL = {"国家级": "national", "国家": "national", "省级": "provincial", "省": "provincial", "市级": "municipal",
          "市": "municipal", "县级": "county", "区级": "county", "县(区)级": "county", "县": "county"}


def to_level(value: Any) -> str:
    """国家级/省级/市级/县级 (区级) → the level."""
    text = _text(value)
    if text in _LEVEL:
        return _LEVEL[text]
    if text.lower() in {"national", "provincial", "municipal", "county"}:
        return text.lower()
    raise ValueError("expected 国家级, 省级, 市级 or 县级")


_KIND = {"发明": "invention", "发明专利": "invention", "发明授权": "invention", "发明申请": "invention",
         "实用新型": "utility_model", "实用新型专利": "utility_model", "外观设计": "design", "外观设计专利": "design",
         "外观": "design"}


def to_patent_kind(value: Any) -> str:
    text = _text(value)
    if text in _KIND:
        return _KIND[text]
    if text.lower() in {"invention", "utility_model", "design"}:
        return text.lower()
    raise ValueError("expected 发明, 实用新型 or 外观设计")


@dataclass(frozen=True)
class Publication:
    """A CN publication number's meaning: ``granted`` False for an application publication (A)."""

    number: str
    kind: str
    granted: bool


_PUB = re.compile(r"^CN\s*(\d{6,9})\s*([ABCUYS])\s*\d?$")
_PUB_KIND = {"A": ("invention", False), "B": ("invention", True), "C": ("invention", True),
              "U": ("utility_model", True), "Y": ("utility_model", True), "S": ("design", True)}


def to_publication(value: Any) -> Publication:
    """CN114347616B → an invention grant; CN…A → an application publication (not a grant); U utility model;
    S design (Y and the old C are the pre-2010 grant codes)."""
    text = _text(value).upper().replace(" ", "")
    match = _PUB.match(text)
    if not match:
        raise ValueError("expected a CN publication number with its kind code, e.g. CN114347616B or CN212345678U")
    kind, granted = _PUB_KIND[match[2]]
    return Publication(text, kind, granted)
