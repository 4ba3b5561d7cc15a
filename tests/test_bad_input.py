"""Every failure mode in tests/bad_input/ raises the library's error naming the field (and, for policies, the
file and the item), and the command line turns it into one line and exit code 2.

Policy fixtures are ``_valid_policy.yaml`` with one fault each; they cite the shipped source text
(``policies/sources/001_…txt``), passed to the loader as ``sources_dir``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ipsubsidy import PolicyError, ProfileError, parse_profile
from ipsubsidy.cli import _read_profile, main
from ipsubsidy.policy.loader import default_policy_dir, load_policy_file

BAD = Path(__file__).parent / "bad_input"
SOURCES = default_policy_dir() / "sources"

# file → (field path the error names, a fragment of what it says)
PROFILES: dict[str, tuple[str, str]] = {
    "profile_unknown_field.json": ("citty", "is not a profile field"),
    "profile_bad_credit_code.json": ("credit_code", "expected '3'"),
    "profile_bad_patent_check_digit.json": ("patents[0].number", "expected 'X'"),
    "profile_kind_contradicts_type_digit.json": ("patents[0].kind", "type digit 1 means 'invention'"),
    "profile_duplicate_patent.json": ("patents", "listed twice"),
    "profile_unknown_city.json": ("city", "did you mean 'jinzhong'"),
    "profile_negative_money.json": ("finances[0].sales_revenue", "greater than or equal to 0"),
    "profile_malformed_date.json": ("patents[0].grant_date", "2021-02-30"),
    "profile_wrong_type.json": ("madrid_registrations[0].designated_countries", "list"),
    "profile_not_a_mapping.json": ("(profile)", "expected a mapping"),
    "profile_invalid_json.json": ("(file)", "not valid JSON"),
    "profile_duplicate_key.yaml": ("city", "duplicate"),
    "profile_python_object.yaml": ("(file)", "python/object"),
}

# file → (item the error names or None for the document, field, a fragment of the message)
POLICIES: dict[str, tuple[str | None, str | None, str]] = {
    "policy_unknown_key.yaml": ("jinzhong-2020.invention-patent-domestic", "benefit.amout", "unknown key"),
    "policy_quote_not_in_source.yaml": ("jinzhong-2020.invention-patent-domestic", "citation.quote",
                                        "not found verbatim"),
    "policy_wrong_section.yaml": ("jinzhong-2020.invention-patent-domestic", "citation.section",
                                  "the quote is under '三(二)3'"),
    "policy_bad_sha256.yaml": (None, "document.source.sha256", "the policy expects"),
    "policy_unknown_profile_field.yaml": ("jinzhong-2020.ip-professionals", "qualifies.fact",
                                          "did you mean 'ip_professional'"),
    "policy_wrong_enum_value.yaml": ("jinzhong-2020.invention-patent-domestic", "counts.where.all[0].eq",
                                     "'inventoin' is not one of invention"),
    "policy_per_unit_without_counts.yaml": ("jinzhong-2020.ip-professionals", "benefit.amount.per_unit",
                                            "needs counts"),
    "policy_float_amount.yaml": ("jinzhong-2020.invention-patent-domestic", "benefit.amount.per_unit",
                                 "never floats"),
    "policy_duplicate_yaml_key.yaml": (None, None, "duplicate key 'title'"),
    "policy_duplicate_item_id.yaml": ("jinzhong-2020.invention-patent-domestic", "id", "used twice"),
    "policy_period_end_before_start.yaml": (None, "document.period", "end 2019-12-31 is before start 2020-01-01"),
    "policy_python_object.yaml": (None, None, "python/object:ipsubsidy.policy.schema.Text"),
    "policy_python_apply.yaml": (None, None, "python/object/apply:builtins.print"),
}


def test_every_fixture_is_listed() -> None:
    on_disk = {p.name for p in BAD.iterdir() if p.name.startswith(("profile_", "policy_"))}
    assert on_disk == set(PROFILES) | set(POLICIES)


# --- profiles ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(PROFILES))
def test_bad_profile_raises_profile_error(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    field, fragment = PROFILES[name]
    path = BAD / name
    with pytest.raises(ProfileError) as caught:
        parse_profile(_read_profile(str(path)), str(path))
    error = caught.value
    assert field in error.fields, f"{name}: the error names {error.fields}, not {field!r}: {error}"
    assert fragment in str(error)
    assert str(path) in str(error)
    assert "PWNED" not in capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_bad_profile_on_the_command_line(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    field, fragment = PROFILES[name]
    code = main(["evaluate", str(BAD / name)])
    out, err = capsys.readouterr()
    assert code == 2, f"{name}: exit code {code}; stdout: {out[:200]}"
    assert out == ""
    assert err.count("\n") == 1, err
    assert f"{field}: " in err and fragment in err, err
    assert "Traceback" not in err and "PWNED" not in err


# --- policies ---------------------------------------------------------------------------------------------------

def test_the_control_policy_loads() -> None:
    """Each policy fixture is this file with one fault: the fault, not the rest, makes it fail."""
    document = load_policy_file(BAD / "_valid_policy.yaml", SOURCES)
    assert [item.id for item in document.items] == ["jinzhong-2020.invention-patent-domestic",
                                                    "jinzhong-2020.ip-professionals"]


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_bad_policy_raises_policy_error(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    item, field, fragment = POLICIES[name]
    with pytest.raises(PolicyError) as caught:
        load_policy_file(BAD / name, SOURCES)
    error = caught.value
    assert error.file == name
    assert error.item == item
    assert error.field == field
    assert fragment in error.message
    text = str(error)
    assert text.startswith(f"{name}: "), text
    if item is not None:
        assert f"item {item}" in text
    if field is not None:
        assert field in text
    assert "\n" not in text
    assert "PWNED" not in capsys.readouterr().out, "a YAML tag was executed"


def test_duplicate_yaml_key_names_the_line() -> None:
    with pytest.raises(PolicyError, match=r"line \d+"):
        load_policy_file(BAD / "policy_duplicate_yaml_key.yaml", SOURCES)


def test_python_tags_construct_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    called: list[object] = []
    monkeypatch.setattr("builtins.print", lambda *args, **kwargs: called.append(args))
    with pytest.raises(PolicyError):
        load_policy_file(BAD / "policy_python_apply.yaml", SOURCES)
    assert called == []
