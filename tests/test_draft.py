"""``ipsubsidy policies new``: a source text → a draft that a person finishes.

On each shipped source the draft's sections and quotes pass the loader's verbatim and heading tests (the
only problem left is the undecided drafts themselves), and every shipped item's quote lies in a draft
passage: the draft finds what the encoders found."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from ipsubsidy.cli import main
from ipsubsidy.errors import PolicyError
from ipsubsidy.policy.draft import class_hint, draft_policy, dump
from ipsubsidy.policy.loader import default_policy_dir, load_policy_file
from ipsubsidy.policy.source import normalise

POLICIES = default_policy_dir()
SHIPPED = {load_policy_file(p).meta.source.file: p for p in sorted(POLICIES.glob("*.yaml"))}


def _write(tmp_path: Path, source: Path) -> tuple[Path, dict[str, object]]:
    data = draft_policy(source, "jinzhong", dt.date(2020, 4, 2))
    (tmp_path / "sources").mkdir(exist_ok=True)
    (tmp_path / "sources" / source.name).write_bytes(source.read_bytes())
    out = tmp_path / f"{source.stem}.yaml"
    out.write_text(dump(data), encoding="utf-8")
    return out, data


@pytest.mark.parametrize("source_name", sorted(SHIPPED), ids=lambda n: SHIPPED[n].stem)
def test_a_draft_of_each_shipped_source_passes_verbatim_and_heading_tests(tmp_path: Path, source_name: str) -> None:
    out, data = _write(tmp_path, POLICIES / "sources" / source_name)
    with pytest.raises(PolicyError) as caught:
        load_policy_file(out)
    assert caught.value.field == "drafts", str(caught.value)  # not drafts[i].quote nor drafts[i].section
    drafts = data["drafts"]
    assert isinstance(drafts, list) and drafts
    passages = [normalise(d["quote"]) for d in drafts]
    shipped = load_policy_file(SHIPPED[source_name])
    missed = [i.id for i in shipped.items if not any(normalise(i.spec.citation.quote) in p for p in passages)]
    assert missed == [], f"the draft has no passage holding these items' quotes: {missed}"


def test_a_tampered_draft_quote_is_named(tmp_path: Path) -> None:
    out, _ = _write(tmp_path, POLICIES / "sources" / "001_6d8fe681640d2eb4.txt")
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    data["drafts"][3]["quote"] = data["drafts"][3]["quote"].replace("知识产权", "专利权", 1) + "伪造"
    out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy_file(out)
    assert caught.value.field == "drafts[3].quote"


def test_amounts_are_proposed_from_the_quote() -> None:
    data = draft_policy(POLICIES / "sources" / "001_6d8fe681640d2eb4.txt", "jinzhong", dt.date(2020, 4, 2))
    drafts = data["drafts"]
    assert isinstance(drafts, list)
    patent = next(d for d in drafts if "一次性补助国内授权发明专利5000元" in d["quote"])
    assert patent["amounts"] == [5000, 20000] and patent["class_hint"] == "claimable"


@pytest.mark.parametrize(("text", "hint"), [
    ("探索建立知识产权质押融资风险补偿机制", "not_yet_made"),
    ("鼓励企业开展海外布局", "encouraged"),
    ("开展知识产权培训", "service"),
    ("培育一批知识产权示范企业", "selection"),
    ("对重大发明专利单位和个人的奖励", "claimable"),
    ("加大资金投入", None),
])
def test_class_hints_follow_the_words(text: str, hint: str | None) -> None:
    assert class_hint(text, []) == hint


def test_the_cli_writes_the_draft_and_copies_the_source(tmp_path: Path) -> None:
    source = POLICIES / "sources" / "004_966cf8edfbbde7cf.txt"
    out = tmp_path / "pkg" / "policies" / "cangzhou-2017.yaml"
    assert main(["policies", "new", str(source), "--city", "cangzhou", "--issued", "2017-07-03",
                 "--out", str(out)]) == 0
    assert (out.parent / "sources" / source.name).read_bytes() == source.read_bytes()
    assert main(["policies", "check", str(out.parent)]) == 1  # a draft never passes
    assert main(["policies", "new", str(source)]) == 2        # --city and --issued are required


def test_the_draft_reads_the_number_and_the_own_title_and_takes_body_bounds(tmp_path: Path) -> None:
    """Harbin's capture: a database header before the notice, the 文号 in it, the plan's own title later."""
    source = POLICIES / "sources" / "003_2aad04427f87e833.txt"
    whole = draft_policy(source, "哈尔滨", dt.date(2007, 9, 29))
    document = whole["document"]
    assert isinstance(document, dict)
    assert (document["id"], document["city"], document["number"]) == ("harbin-2007", "harbin", "哈政办发[2007]11号")
    assert document["title"]["zh"] == "哈尔滨市创建国家知识产权示范城市工作方案"  # not the notice's 关于印发…的通知
    bounded = draft_policy(source, "harbin", dt.date(2007, 9, 29), body_start="各区、县(市)人民政府")
    assert len(bounded["drafts"]) == len(whole["drafts"]) - 2  # the header's two passages are not drafted
    text = dump(bounded)
    assert "&id" not in text and "*id" not in text  # every date written out, for the author to edit one by one
    headings = [d for d in bounded["drafts"] if d["quote"] == "(三)加大资金投入。"]
    assert headings and "class_hint" not in headings[0]  # no words to go by: no hint
