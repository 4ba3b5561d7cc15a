"""Identifiers found in IP-subsidy applications: credit codes and patent numbers (Chinese and foreign).

Algorithms were checked against real published identifiers (see ``tests/test_identifiers.py``):

* credit codes: 91350100M000100Y43 (the usual textbook example) and the published codes of Huawei
  914403001922038216, Tencent 91440300708461136T, Xiaomi 91110108551385082Q and Alibaba (China)
  91330100716105852F. A few codes from Xiamen's pilot that predates GB 32100 (e.g.
  91350211M00013FA1N) fail its check: they are rejected here, as by hutool and python-stdnum.
* patent numbers: ZL201811564288.X, ZL201510958772.0, ZL200510096239.4, ZL200510030457.8 (since
  2003) and ZL99113861.9, ZL01105715.7, ZL00125301.8 (before), all from published CVs and product
  pages. The often quoted "200510021553.5" fails the check (its check digit is 6).
"""

from __future__ import annotations

import operator
import re
import time
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from typing import Literal

__all__ = [
    "CREDIT_CODE_ALPHABET",
    "CnPatentNumber",
    "IdentifierError",
    "PatentKind",
    "PatentNumber",
    "canonical_text",
    "credit_code_check_char",
    "organisation_code_check_char",
    "parse_cn_patent_number",
    "patent_check_digit",
    "patent_kind_for_type_digit",
    "read_patent_number",
    "validate_credit_code",
]


class IdentifierError(ValueError):
    """An identifier is malformed or its check character is wrong."""


# ---------------------------------------------------------------- unified social credit code

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
_CREDIT_SET = frozenset(CREDIT_CODE_ALPHABET)
_CREDIT_VALUE = {c: i for i, c in enumerate(CREDIT_CODE_ALPHABET)}
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, ...
# Registration authorities: GB 32100-2015 lists 1, 5, 9 and Y; later allocations added 2-4, 6-8
# (e.g. 3 for law firms, 8 for trade unions), A (military) and N (rural collectives).
_REGISTRATION_AUTHORITIES = "123456789ANY"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714


def _squeeze(text: str) -> str:
    folded = text if text.isascii() else unicodedata.normalize("NFKC", text)  # NFKC leaves ASCII as it is
    return "".join(folded.split()).upper()


def credit_code_check_char(body: str) -> str:
    """GB 32100 check character (position 18) for the first 17 characters of a credit code."""
    if len(body) != 17 or not _CREDIT_SET.issuperset(body):
        raise IdentifierError(f"credit code body must be 17 of {CREDIT_CODE_ALPHABET}, got {body!r}")
    total = sum(_CREDIT_VALUE[c] * w for c, w in zip(body, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def organisation_code_check_char(body: str) -> str:
    """GB 11714 check character for the first 8 characters of an organisation code."""
    if len(body) != 8 or not body.isascii() or not body.isalnum():
        raise IdentifierError(f"organisation code body must be 8 digits or letters, got {body!r}")
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))  # A=10 ... Z=35
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


@lru_cache(maxsize=16_384)
def validate_credit_code(code: str) -> str:
    """Return the unified social credit code (GB 32100-2015) normalised, or raise IdentifierError.

    Spaces are removed and letters upper-cased. Checked: length, alphabet, registration
    authority, 6-digit division code, the GB 11714 check of the organisation code
    (positions 9-17) and the GB 32100 check character (position 18).
    """
    norm = _squeeze(code).replace("-", "")
    if len(norm) != 18:
        raise IdentifierError(f"credit code must be 18 characters, got {len(norm)} ({code!r})")
    for pos, char in enumerate(norm if not _CREDIT_SET.issuperset(norm) else "", start=1):
        if char not in CREDIT_CODE_ALPHABET:
            raise IdentifierError(
                f"credit code character {char!r} at position {pos} is not allowed; "
                "expected a digit or a letter other than I, O, S, V, Z"
            )
    if norm[0] not in _REGISTRATION_AUTHORITIES:
        raise IdentifierError(
            f"credit code registration authority is {norm[0]!r}, expected one of "
            f"{', '.join(_REGISTRATION_AUTHORITIES)}"
        )
    if not norm[2:8].isdigit():
        raise IdentifierError(
            f"credit code positions 3-8 are {norm[2:8]!r}, expected a 6-digit administrative division code"
        )
    expected = credit_code_check_char(norm[:17])
    if norm[17] != expected:
        raise IdentifierError(f"credit code check character is {norm[17]!r}, expected {expected!r}")
    expected = organisation_code_check_char(norm[8:16])
    if norm[16] != expected:
        raise IdentifierError(
            f"credit code organisation-code check character (position 17) is {norm[16]!r}, "
            f"expected {expected!r}"
        )
    return norm


# ---------------------------------------------------------------- Chinese patent numbers

PatentKind = Literal["invention", "utility_model", "design"]
_KIND_BY_TYPE: dict[int, PatentKind] = {
    1: "invention",
    2: "utility_model",
    3: "design",
    8: "invention",  # PCT application entering the Chinese national phase
    9: "utility_model",  # PCT application entering the Chinese national phase
}
_PATENT_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_PATENT_RE = re.compile(r"(?:ZL|CN)?(\d{12}|\d{8})\.?([0-9X])")


def patent_kind_for_type_digit(type_digit: int) -> PatentKind:
    """The patent kind for a type digit: 1/8 invention, 2/9 utility model, 3 design."""
    try:
        return _KIND_BY_TYPE[type_digit]
    except KeyError:
        raise IdentifierError(f"patent type digit is {type_digit!r}, expected one of 1, 2, 3, 8, 9") from None


def patent_check_digit(digits: str) -> str:
    """Check digit of a patent application number: 12 digits (since 2003) or 8 (before)."""
    if len(digits) not in (8, 12) or not (digits.isascii() and digits.isdigit()):
        raise IdentifierError(f"patent number body must be 12 or 8 digits, got {digits!r}")
    total = sum(map(operator.mul, map(int, digits), _PATENT_WEIGHTS)) % 11  # map stops at the shorter
    return "X" if total == 10 else str(total)


_year_ends = [0.0, 0]  # [when the cached year ends (a timestamp), the year]


def _this_year() -> int:
    """``date.today().year``, read again only once the year is over (date.today() costs a system call)."""
    if time.time() >= _year_ends[0]:
        year = date.today().year
        _year_ends[:] = [time.mktime((year + 1, 1, 1, 0, 0, 0, 0, 0, -1)), year]
    return int(_year_ends[1])


@dataclass(frozen=True)
class CnPatentNumber:
    """A Chinese patent (application) number; ``year`` always has four digits.

    ``serial`` has 7 digits for numbers filed since October 2003 and 5 digits before.
    """

    year: int
    type_digit: int
    serial: str
    check: str

    def __post_init__(self) -> None:
        patent_kind_for_type_digit(self.type_digit)
        if len(self.serial) not in (5, 7) or not (self.serial.isascii() and self.serial.isdigit()):
            raise IdentifierError(f"patent serial is {self.serial!r}, expected 7 digits (5 before 2003)")
        if len(self.serial) == 7 and not 2003 <= self.year <= _this_year():
            raise IdentifierError(f"patent year is {self.year}, expected 2003 to this year (12-digit form)")
        if len(self.serial) == 5 and not 1985 <= self.year <= 2003:
            raise IdentifierError(f"patent year is {self.year}, expected 1985 to 2003 (8-digit form)")
        digits = self.digits
        expected = patent_check_digit(digits)
        if self.check != expected:
            raise IdentifierError(
                f"patent number {digits} check digit is {self.check!r}, expected {expected!r}"
            )

    @cached_property  # a frozen dataclass: cached_property writes the instance's __dict__ directly
    def digits(self) -> str:
        """The number without prefix and check digit: 12 digits, or 8 before 2003."""
        year = f"{self.year:04d}" if len(self.serial) == 7 else f"{self.year % 100:02d}"
        return f"{year}{self.type_digit}{self.serial}"

    @property
    def kind(self) -> PatentKind:
        return patent_kind_for_type_digit(self.type_digit)

    @property
    def via_pct(self) -> bool:
        """True for PCT applications entering China (type digit 8 or 9)."""
        return self.type_digit in (8, 9)

    @property
    def canonical(self) -> str:
        """``ZL`` + digits + ``.`` + check, e.g. ``ZL202110123456.7``."""
        return f"ZL{self.digits}.{self.check}"

    def __str__(self) -> str:
        return self.canonical


def parse_cn_patent_number(text: str) -> CnPatentNumber:
    """Parse ``ZL202110123456.7``, ``CN 2021 1 0123456.7``, ``2021101234567``, ``ZL99113861.9`` ...

    Raises IdentifierError on a malformed number, an impossible year or type digit, or a wrong
    check digit (the message names the expected one).
    """
    compact = _squeeze(text)
    return _parse_compact_cn(compact, text)


def _parse_compact_cn(compact: str, text: str) -> CnPatentNumber:
    """``parse_cn_patent_number`` of text already squeezed (``compact``); ``text`` as given, for the message."""
    match = _PATENT_RE.fullmatch(compact)
    if match is None:
        raise IdentifierError(
            f"patent number {text!r} is not of the form ZL + 12 digits (8 before 2003) + '.' + check digit"
        )
    digits, check = match.groups()
    if len(digits) == 12:
        year, rest = int(digits[:4]), digits[4:]
    else:
        two = int(digits[:2])
        year, rest = (1900 + two if two >= 85 else 2000 + two), digits[2:]
    return CnPatentNumber(year=year, type_digit=int(rest[0]), serial=rest[1:], check=check)


# ---------------------------------------------------------------- patent numbers of any office

_FOREIGN_RE = re.compile(r"([A-Z]{2})(\d[\d/]*)([A-Z]\d?)?")
_APPLICATION_KIND_CODES = frozenset({"A", "A1", "A2", "A3", "A4", "A8", "A9"})
# Offices that publish international applications but grant no patent themselves.
_NON_GRANTING = {"WO": "a PCT international application (list it under pct_applications)"}
_CN_PREFIXES = ("中华人民共和国", "中国")


@dataclass(frozen=True)
class PatentNumber:
    """A patent number read in canonical form: ``office`` and ``canonical`` text, ``key`` for duplicates.

    ``key`` leaves out the kind code (EP1234567A1 and EP1234567B1 are one patent); ``cn`` is the parsed
    Chinese number when ``office`` is CN; ``publication_only`` is True for an application publication
    (kind code A, A1, A2 ...), which is not a grant.
    """

    office: str
    canonical: str
    key: str
    cn: CnPatentNumber | None = None
    publication_only: bool = False


def canonical_text(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII), whitespace and ``,-`` removed, upper case."""
    folded = text if text.isascii() else unicodedata.normalize("NFKC", text)  # NFKC leaves ASCII as it is
    return "".join(folded.split()).replace(",", "").replace("-", "").upper()


@lru_cache(maxsize=16_384)
def read_patent_number(text: str, office: str | None = None) -> PatentNumber:
    """Normalise a patent number, then infer its office; raise IdentifierError on a contradiction.

    ``中国``/``CN``/``ZL`` prefixes and bare digits mean CN; two letters and a digit name the office
    (``US11223344B2``). A given ``office`` must agree with the number's own prefix. Cached (a profile's
    duplicate check reads each number again; a screen reads a client's patents again per reading).
    """
    compact = canonical_text(text)
    given = canonical_text(office) if office is not None else None
    for prefix in _CN_PREFIXES:
        if compact.startswith(prefix):
            compact, inferred = compact[len(prefix):], "CN"
            break
    else:
        inferred = None
    if inferred is None:
        if compact.startswith(("ZL", "CN")) or compact[:1].isdigit():
            inferred = "CN" if given in (None, "CN") or not compact[:1].isdigit() else given
        elif len(compact) > 2 and compact[:2].isascii() and compact[:2].isalpha() and compact[2].isdigit():
            inferred = compact[:2]
        else:
            raise IdentifierError(
                f"patent number {text!r} starts with neither a two-letter office code (US, EP, JP ...) "
                "nor ZL/CN or digits")
    if given is not None and given != inferred:
        raise IdentifierError(f"office {given!r} contradicts the number {text!r}, which is a {inferred} number")
    if inferred in _NON_GRANTING:
        raise IdentifierError(f"{text!r} is {_NON_GRANTING[inferred]}, not a patent granted by an office")
    if inferred == "CN":
        cn = _parse_compact_cn(compact, compact)
        return PatentNumber("CN", cn.canonical, f"CN:{cn.digits}", cn)
    body = compact[2:] if compact.startswith(inferred) else compact
    match = _FOREIGN_RE.fullmatch(inferred + body)
    if match is None:
        raise IdentifierError(
            f"patent number {text!r} is not of the form office + digits + optional kind code (US11223344B2)")
    _, digits, kind_code = match.groups()
    digits = digits.replace("/", "")
    return PatentNumber(inferred, f"{inferred}{digits}{kind_code or ''}", f"{inferred}:{digits}",
                        publication_only=(kind_code or "") in _APPLICATION_KIND_CODES)
