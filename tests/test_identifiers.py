"""Tests for ipsubsidy.identifiers: real published identifiers, error messages, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipsubsidy.identifiers import (
    CREDIT_CODE_ALPHABET,
    CnPatentNumber,
    IdentifierError,
    credit_code_check_char,
    organisation_code_check_char,
    parse_cn_patent_number,
    patent_check_digit,
    patent_kind_for_type_digit,
    validate_credit_code,
)

# Real codes; each passes both GB 32100 and GB 11714 checks (a random code would with p = 1/341).
REAL_CREDIT_CODES = [
    "91350100M000100Y43",  # the usual textbook example
    "914403001922038216",  # Huawei Technologies Co., Ltd.
    "91440300708461136T",  # Shenzhen Tencent Computer Systems Co., Ltd.
    "91110108551385082Q",  # Beijing Xiaomi Technology Co., Ltd.
    "91330100716105852F",  # Alibaba (China) Co., Ltd.
    "91350503MA31DKY80A",  # organisation-code check '0' (11 -> '0')
    "9135021359498494XQ",  # organisation-code check 'X'
]

# Real granted patents, quoted in CVs and product pages.
REAL_PATENTS = [
    "ZL201811564288.X",  # check digit X
    "ZL201510958772.0",  # check digit 0
    "ZL200510096239.4",
    "ZL200510030457.8",
    "ZL202010566088.9",
    "ZL99113861.9",  # pre-2003 form
    "ZL01105715.7",
    "ZL00125301.8",
]


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_real_credit_codes_validate(code: str) -> None:
    assert validate_credit_code(code) == code


def test_credit_code_is_normalised() -> None:
    assert validate_credit_code(" 9135 0100 m000 100y 43 ") == "91350100M000100Y43"


def test_credit_code_weights_and_check() -> None:
    assert credit_code_check_char("91350100M000100Y4") == "3"
    assert organisation_code_check_char("M000100Y") == "4"


def test_credit_code_wrong_check_names_expected() -> None:
    with pytest.raises(IdentifierError, match=r"check character is 'Y', expected '3'"):
        validate_credit_code("91350100M000100Y4Y")


def test_xiamen_pilot_code_fails_gb32100_check() -> None:
    with pytest.raises(IdentifierError, match="expected '3'"):
        validate_credit_code("91350211M00013FA1N")


def test_credit_code_organisation_check_is_verified() -> None:
    # 17-char body with a wrong organisation check (5 instead of 4), then a matching GB 32100 check.
    body = "91350100M000100Y5"
    with pytest.raises(IdentifierError, match=r"position 17\) is '5', expected '4'"):
        validate_credit_code(body + credit_code_check_char(body))


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y4", "18 characters, got 17"),
        ("91350100M000100I43", r"'I' at position 16"),
        ("01350100M000100Y43", "registration authority is '0'"),
        ("9135A100M000100Y43", "positions 3-8 are '35A100'"),
    ],
)
def test_credit_code_format_errors(code: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        validate_credit_code(code)


def test_identifier_error_is_value_error() -> None:
    assert issubclass(IdentifierError, ValueError)


_ALNUM = st.sampled_from(CREDIT_CODE_ALPHABET)


@st.composite
def credit_codes(draw: st.DrawFn) -> str:
    """Structurally valid credit codes with both check characters right."""
    head = draw(st.sampled_from("123456789ANY")) + draw(_ALNUM)
    division = draw(st.text("0123456789", min_size=6, max_size=6))
    org = "".join(draw(st.lists(_ALNUM, min_size=8, max_size=8)))
    body = head + division + org + organisation_code_check_char(org)
    return body + credit_code_check_char(body)


@given(st.text(CREDIT_CODE_ALPHABET, min_size=17, max_size=17), st.data())
def test_credit_check_detects_any_single_substitution(body: str, data: st.DataObject) -> None:
    code = body + credit_code_check_char(body)
    pos = data.draw(st.integers(0, 17))
    new = data.draw(_ALNUM.filter(lambda c: c != code[pos]))
    changed = code[:pos] + new + code[pos + 1 :]
    # 31 is prime and every weight is non-zero mod 31, so no single substitution keeps the check.
    assert credit_code_check_char(changed[:17]) != changed[17]


@given(credit_codes(), st.data())
def test_valid_credit_codes_validate_and_substitutions_fail(code: str, data: st.DataObject) -> None:
    assert validate_credit_code(code) == code
    pos = data.draw(st.integers(0, 17))
    new = data.draw(_ALNUM.filter(lambda c: c != code[pos]))
    with pytest.raises(IdentifierError):
        validate_credit_code(code[:pos] + new + code[pos + 1 :])


# ---------------------------------------------------------------- patents


@pytest.mark.parametrize("number", REAL_PATENTS)
def test_real_patent_numbers_parse(number: str) -> None:
    assert parse_cn_patent_number(number).canonical == number


def test_often_quoted_example_actually_fails() -> None:
    with pytest.raises(IdentifierError, match="check digit is '5', expected '6'"):
        parse_cn_patent_number("200510021553.5")


@pytest.mark.parametrize(
    "text",
    [
        "ZL202110123456.7",
        "ZL 2021 1 0123456.7",
        "CN202110123456.7",
        "cn202110123456.7",
        "202110123456.7",
        "2021101234567",
        "".join(chr(ord(c) + 0xFEE0) for c in "ZL202110123456.7"),  # full-width forms
    ],
)
def test_patent_forms(text: str) -> None:
    number = parse_cn_patent_number(text)
    assert number == CnPatentNumber(year=2021, type_digit=1, serial="0123456", check="7")
    assert number.canonical == "ZL202110123456.7"
    assert str(number) == "ZL202110123456.7"
    assert number.kind == "invention"
    assert not number.via_pct


@pytest.mark.parametrize("text", ["ZL 99 1 13861.9", "99113861.9", "991138619", "CN99113861.9"])
def test_pre_2003_forms(text: str) -> None:
    number = parse_cn_patent_number(text)
    assert (number.year, number.type_digit, number.serial, number.check) == (1999, 1, "13861", "9")
    assert number.canonical == "ZL99113861.9"


def test_pre_2003_two_digit_year_2001() -> None:
    assert parse_cn_patent_number("01105715.7").year == 2001


def test_lower_case_x_check() -> None:
    assert parse_cn_patent_number("zl201811564288.x").check == "X"


@pytest.mark.parametrize(
    ("type_digit", "kind", "pct"),
    [
        (1, "invention", False),
        (2, "utility_model", False),
        (3, "design", False),
        (8, "invention", True),
        (9, "utility_model", True),
    ],
)
def test_patent_kinds(type_digit: int, kind: str, pct: bool) -> None:
    assert patent_kind_for_type_digit(type_digit) == kind
    digits = f"2020{type_digit}0000001"
    number = parse_cn_patent_number(digits + patent_check_digit(digits))
    assert (number.kind, number.via_pct) == (kind, pct)


@pytest.mark.parametrize("type_digit", [0, 4, 5, 6, 7])
def test_unknown_type_digit(type_digit: int) -> None:
    with pytest.raises(IdentifierError, match=f"type digit is {type_digit}"):
        patent_kind_for_type_digit(type_digit)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ZL202110123456", "not of the form"),
        ("ZL20211012345.6", "not of the form"),
        ("ZL202110123456.A", "not of the form"),
        ("ZL202110123456.8", "check digit is '8', expected '7'"),
        ("ZL200210123456.0", "year is 2002"),  # 12-digit form started in 2003
        ("ZL50110000.1", "year is 2050"),  # 8-digit form ended in 2003
        ("ZL202150123456.0", "type digit is 5"),
    ],
)
def test_patent_errors(text: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        parse_cn_patent_number(text)


def test_patent_check_digit_needs_8_or_12_digits() -> None:
    with pytest.raises(IdentifierError, match="12 or 8 digits"):
        patent_check_digit("12345")


@given(st.sampled_from([8, 12]).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n)), st.data())
def test_patent_check_detects_any_single_digit_substitution(digits: str, data: st.DataObject) -> None:
    pos = data.draw(st.integers(0, len(digits) - 1))
    new = data.draw(st.sampled_from("0123456789").filter(lambda c: c != digits[pos]))
    # 11 is prime and every weight (2..9) is non-zero mod 11.
    assert patent_check_digit(digits[:pos] + new + digits[pos + 1 :]) != patent_check_digit(digits)


@st.composite
def patent_numbers(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        head = str(draw(st.integers(2003, 2024)))
        serial = draw(st.text("0123456789", min_size=7, max_size=7))
    else:
        head = f"{draw(st.integers(1985, 2003)) % 100:02d}"
        serial = draw(st.text("0123456789", min_size=5, max_size=5))
    digits = head + str(draw(st.sampled_from([1, 2, 3, 8, 9]))) + serial
    return digits + "." + patent_check_digit(digits)


@given(patent_numbers(), st.data())
def test_valid_patent_numbers_parse_and_substitutions_fail(text: str, data: st.DataObject) -> None:
    assert parse_cn_patent_number(text).canonical == "ZL" + text
    positions = [i for i, c in enumerate(text) if c != "."]
    pos = data.draw(st.sampled_from(positions))
    new = data.draw(st.sampled_from("0123456789X").filter(lambda c: c != text[pos]))
    with pytest.raises(IdentifierError):
        parse_cn_patent_number(text[:pos] + new + text[pos + 1 :])
