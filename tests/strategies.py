"""Hypothesis strategies for profiles, in one place.

Profiles are Jinzhong-ish: mostly 晋中 enterprises, sometimes schools, individuals, other cities or an
unknown city or type. Every optional fact may be None (unknown) anywhere, lists may be unknown (None), empty
or filled, and dates cluster on the edges of Jinzhong's window (2020-01-01 .. 2022-12-31). Money is Decimal
at fen precision, including 0 and amounts whose ratios sit exactly on, just below and just above 5% and 30%.

Strategies build plain data (what a JSON file holds) and ``profiles()`` validates it into a Company. How
often a fact is unknown is drawn once per profile (``unknown``, in tenths: 0, 1, 3 or 6), so some profiles are
complete enough to be eligible for many items and others are mostly holes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from typing import Any

from hypothesis import strategies as st

from ipsubsidy import Company
from ipsubsidy.identifiers import patent_check_digit, read_patent_number
from ipsubsidy.profile import EntityType, Level, ListingKind

__all__ = [
    "EDGE_DATES",
    "as_of_dates",
    "brand_plan_selections",
    "cn_patent_numbers",
    "dates",
    "finances",
    "fiscal_years",
    "foreign_patents",
    "geographical_indications",
    "listings",
    "madrid_registrations",
    "maybe",
    "money",
    "patents",
    "profile_data",
    "profiles",
    "qualifying_domestic_patent",
]

WINDOW_START = dt.date(2020, 1, 1)
WINDOW_END = dt.date(2022, 12, 31)
ONE_DAY = dt.timedelta(days=1)
EDGE_DATES = (WINDOW_START - ONE_DAY, WINDOW_START, WINDOW_START + ONE_DAY,
              WINDOW_END - ONE_DAY, WINDOW_END, WINDOW_END + ONE_DAY)
FEN = Decimal("0.01")
# Latest year for a 12-digit CN number (the parser refuses a year after today).
_LAST_PATENT_YEAR = min(dt.date.today().year, 2024)


def maybe(strategy: st.SearchStrategy[Any], unknown: int = 5) -> st.SearchStrategy[Any]:
    """The value, or None (unknown) with probability ``unknown`` tenths."""
    if unknown <= 0:
        return strategy
    return _maybe(strategy, unknown)


_ROLL = st.integers(0, 9)  # strategies are built once: building one inside a draw costs a validation each time


@st.composite
def _maybe(draw: st.DrawFn, strategy: st.SearchStrategy[Any], unknown: int) -> Any:
    return None if draw(_ROLL) < unknown else draw(strategy)


def dates() -> st.SearchStrategy[dt.date]:
    """Dates on the window's edges, or anywhere from 2018 to 2024."""
    return st.one_of(st.sampled_from(EDGE_DATES),
                     st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2024, 12, 31)))


def as_of_dates() -> st.SearchStrategy[dt.date]:
    """Evaluation dates: the edges of the window, a day inside it, or any day from 2019 to 2027."""
    return st.one_of(st.sampled_from(EDGE_DATES), st.dates(min_value=WINDOW_START, max_value=WINDOW_END),
                     st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2027, 12, 31)))


def money(max_yuan: int = 10**9) -> st.SearchStrategy[Decimal]:
    """Exact yuan at fen precision, 0 included (and favoured a little)."""
    return st.one_of(
        st.just(Decimal("0.00")),
        st.integers(min_value=0, max_value=max_yuan * 100).map(lambda fen: Decimal(fen) * FEN),
    )


def _pair_at(percent: int) -> st.SearchStrategy[tuple[Decimal, Decimal]]:
    """(numerator, denominator) with a ratio exactly ``percent``%, or one fen below or above it."""
    # denominator a multiple of 100 fen / gcd so that numerator = denominator × percent / 100 is whole fen
    def build(units: int, offset: int) -> tuple[Decimal, Decimal]:
        denominator_fen = units * 100
        numerator_fen = max(0, units * percent + offset)
        return Decimal(numerator_fen) * FEN, Decimal(denominator_fen) * FEN

    return st.builds(build, st.integers(min_value=1, max_value=10**8), st.sampled_from((-1, 0, 0, 1)))


def fiscal_years(year: st.SearchStrategy[int] | None = None, unknown: int = 3) -> st.SearchStrategy[dict[str, Any]]:
    """One fiscal year: ratios random, on a boundary, or with a zero denominator; any value unknown."""
    year = year or st.integers(min_value=2018, max_value=2024)
    at_5 = st.one_of(_pair_at(5), st.tuples(money(), money()))
    at_30 = st.one_of(_pair_at(30), st.tuples(money(), money()))
    four_rolls = st.tuples(_ROLL, _ROLL, _ROLL, _ROLL)

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        rd, sales = draw(at_5)
        commercialised, main = draw(at_30)
        rolls = draw(four_rolls) if unknown > 0 else (9, 9, 9, 9)
        out: dict[str, Any] = {"year": draw(year)}
        values = (("rd_expense", rd), ("sales_revenue", sales),
                  ("commercialised_revenue", commercialised), ("main_business_revenue", main))
        for (name, value), roll in zip(values, rolls, strict=True):
            out[name] = None if roll < unknown else value
        return out

    return build()


def finances(unknown: int = 3) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(fiscal_years(unknown=unknown), max_size=3, unique_by=lambda f: f["year"])


def cn_patent_numbers(type_digits: tuple[int, ...] = (1, 2, 3, 8, 9)) -> st.SearchStrategy[str]:
    """Valid CN numbers (12-digit form, check digit computed), in one of the accepted spellings."""
    parts = st.tuples(st.integers(min_value=2003, max_value=_LAST_PATENT_YEAR), st.sampled_from(type_digits),
                      st.integers(0, 9_999_999), st.integers(0, 2))

    def build(drawn: tuple[int, int, int, int]) -> str:
        year, type_digit, serial, spelling = drawn
        digits = f"{year}{type_digit}{serial:07d}"
        check = patent_check_digit(digits)
        return (f"ZL{digits}.{check}", f"CN{digits}{check}", f"{digits}.{check}")[spelling]

    return parts.map(build)


_FOREIGN_OFFICES = ("US", "EP", "JP", "KR", "DE", "GB", "HK", "TW", "MO")


def foreign_patents(unknown: int = 3) -> st.SearchStrategy[dict[str, Any]]:
    """A patent granted by another office (Hong Kong, Macao and Taiwan included)."""
    def build(drawn: tuple[Any, ...]) -> dict[str, Any]:
        office, serial, suffix, explicit, kind, grant, filing, pct = drawn
        data: dict[str, Any] = {"number": f"{office}{serial}{suffix}", "kind": kind, "grant_date": grant,
                                "filing_date": filing, "via_pct": pct}
        if explicit:
            data["office"] = office
        return data

    return st.tuples(
        st.sampled_from(_FOREIGN_OFFICES), st.integers(1_000_000, 99_999_999), st.sampled_from(("", "B1", "B2")),
        st.booleans(), maybe(st.sampled_from(("invention", "invention", "utility_model", "design")), unknown),
        maybe(dates(), unknown), maybe(dates(), unknown), maybe(st.booleans(), unknown),
    ).map(build)


def _cn_patent(unknown: int = 3) -> st.SearchStrategy[dict[str, Any]]:
    def build(drawn: tuple[Any, ...]) -> dict[str, Any]:
        number, explicit, grant, filing = drawn
        data: dict[str, Any] = {"number": number, "grant_date": grant, "filing_date": filing}
        if explicit:
            data["office"] = "CN"
        return data

    return st.tuples(cn_patent_numbers(), st.booleans(), maybe(dates(), unknown), maybe(dates(), unknown)).map(build)


def _patent_key(data: dict[str, Any]) -> str:
    """The library's duplicate key: office and number without kind code (US1000000B1 is US1000000)."""
    return read_patent_number(str(data["number"])).key


def patents(unknown: int = 3) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(st.one_of(_cn_patent(unknown), foreign_patents(unknown)), max_size=4, unique_by=_patent_key)


def qualifying_domestic_patent(taken: set[str], latest: dt.date | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """A CN invention granted inside Jinzhong's window (and not after ``latest``: a grant after the evaluation
    date counts for nothing yet), with a number not in ``taken`` (patent keys)."""
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        number = draw(cn_patent_numbers((1, 8)).filter(lambda n: _patent_key({"number": n}) not in taken))
        grant = draw(st.dates(min_value=WINDOW_START, max_value=min(WINDOW_END, latest or WINDOW_END)))
        return {"number": number, "grant_date": grant}

    return build()


_COUNTRIES = ("US", "GB", "DE", "FR", "JP", "KR", "RU", "SG", "AU")


def madrid_registrations(unknown: int = 3) -> st.SearchStrategy[list[dict[str, Any]]]:
    registration = st.fixed_dictionaries({
        "number": maybe(st.integers(1_000_000, 1_999_999).map(str), unknown),
        "filing_date": maybe(dates(), unknown),
        "designated_countries": maybe(st.lists(st.sampled_from(_COUNTRIES), max_size=4, unique=True), unknown),
    })
    return st.lists(registration, max_size=3,
                    unique_by=lambda m: m["number"] if m["number"] is not None else object())


def geographical_indications(unknown: int = 3) -> st.SearchStrategy[list[dict[str, Any]]]:
    gi = st.fixed_dictionaries({
        "name": st.sampled_from(("太谷饼", "平遥牛肉", "灵石核桃", "太谷壶瓶枣", "祁县酥梨", "榆社小米")),
        "form": maybe(st.sampled_from(("product", "trademark")), unknown),
        "approval_date": maybe(dates(), unknown),
    })
    return st.lists(gi, max_size=2, unique_by=lambda g: g["name"])


def listings(unknown: int = 3) -> st.SearchStrategy[list[dict[str, Any]]]:
    listing = st.fixed_dictionaries({
        "kind": st.sampled_from([k.value for k in ListingKind]),
        "level": maybe(st.sampled_from([level.value for level in Level]), unknown),
        "date": maybe(dates(), unknown),
    })
    return st.lists(listing, max_size=2)


def brand_plan_selections(unknown: int = 3) -> st.SearchStrategy[list[dict[str, Any]]]:
    selection = st.fixed_dictionaries({
        "plan": st.sampled_from(("fenghuang", "kongque", "fengming", "凤凰", "凤凰计划", "孔雀", "孔雀计划")),
        "date": maybe(dates(), unknown),
    })
    return st.lists(selection, max_size=2)


def _certifications(unknown: int) -> st.SearchStrategy[list[dict[str, Any]]]:
    cert = st.fixed_dictionaries({
        "via": maybe(st.sampled_from(("certification", "performance_evaluation")), unknown),
        "date": maybe(dates(), unknown),
    })
    return st.lists(cert, max_size=2)


def _centres(unknown: int) -> st.SearchStrategy[list[dict[str, Any]]]:
    centre = st.fixed_dictionaries({
        "level": maybe(st.sampled_from([level.value for level in Level]), unknown),
        "date": maybe(dates(), unknown),
    })
    return st.lists(centre, max_size=2)


_CITIES = ("晋中", "晋中", "晋中市", "Jinzhong", "jinzhong", "厦门", "hefei", "哈尔滨")
_TYPES = [t.value for t in EntityType]
_REAL_CREDIT_CODES = ("91350100M000100Y43", "914403001922038216", "91440300708461136T")


@cache
def _fields(rate: int) -> dict[str, st.SearchStrategy[Any]]:
    """Each profile field's strategy (value or None) at one unknown-rate, built once."""
    fields: dict[str, st.SearchStrategy[Any]] = {
        "name": st.sampled_from(("晋中示例科技有限公司", "Example Co.")),
        "credit_code": st.sampled_from(_REAL_CREDIT_CODES),
        "city": st.sampled_from(_CITIES),
        "entity_type": st.sampled_from(["enterprise"] * 4 + _TYPES),
        "size": st.sampled_from(("large", "medium", "small", "micro")),
        "ip_professional": st.booleans(),
        "patents": patents(rate),
        "finances": finances(rate),
        "madrid_registrations": madrid_registrations(rate),
        "geographical_indications": geographical_indications(rate),
        "listings": listings(rate),
        "certifications": _certifications(rate),
        "brand_plan_selections": brand_plan_selections(rate),
        "rights_protection_centres": _centres(rate),
    }
    return {name: maybe(strategy, rate) for name, strategy in fields.items()}


_RATES = st.sampled_from((0, 1, 3, 6))
_BOOL = st.booleans()


@st.composite
def profile_data(draw: st.DrawFn, unknown: int | None = None) -> dict[str, Any]:
    """A profile as plain data. Each fact is unknown (left out or null) with probability ``unknown`` tenths,
    drawn per profile when not given."""
    rate = draw(_RATES) if unknown is None else unknown
    out: dict[str, Any] = {}
    for name, strategy in _fields(rate).items():
        value = draw(strategy)
        if value is not None or draw(_BOOL):  # unknown: left out, or an explicit null
            out[name] = value
    return out


def profiles(unknown: int | None = None) -> st.SearchStrategy[Company]:
    return profile_data(unknown).map(Company.model_validate)
