"""Load policy files: safe YAML, schema, source checksum, verbatim quotes, sections, typed conditions.

A policy that fails to load raises PolicyError naming the file, the item and the field.
Nothing in a policy file is executed: YAML is read with a safe loader that also refuses duplicate keys.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ipsubsidy.errors import PolicyError, field_path, suggest
from ipsubsidy.places import UnknownCityError, normalise_city
from ipsubsidy.policy.conditions import TRUE, All, Compare, Condition, ConditionError, field_type
from ipsubsidy.policy.conditions import parse_condition as _parse
from ipsubsidy.policy.model import Document, Item, PolicySet
from ipsubsidy.policy.packages import (
    ENTRY_POINTS,
    default_policy_dir,
    default_policy_folders,
    installed_packages,
    package_dir,
)
from ipsubsidy.policy.schema import BenefitClass, ItemSpec, PolicyFile, TotalCap
from ipsubsidy.policy.source import SourceText
from ipsubsidy.profile import Company
from ipsubsidy.textfile import TextFileError, read_text_file
from ipsubsidy.yamlio import load_yaml

__all__ = [
    "ENTRY_POINTS",
    "dangling_references",
    "default_policy_dir",
    "default_policy_folders",
    "duplicate_ids",
    "installed_packages",
    "load_policies",
    "load_policy_file",
    "package_dir",
    "policy_files",
    "shipped_policies",
]


def _loc(loc: tuple[int | str, ...], data: dict[str, Any]) -> tuple[str | None, str]:
    """(item id, field path) for a pydantic error location inside a policy file."""
    item = None
    if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
        items = data.get("items") or []
        entry = items[loc[1]] if loc[1] < len(items) else None
        item = str(entry.get("id")) if isinstance(entry, dict) and entry.get("id") else f"#{loc[1]}"
        loc = loc[2:]
    return item, field_path(loc) or "(file)"


def _unit_model(collection: str) -> type[BaseModel] | None:
    info = Company.model_fields.get(collection)
    if info is None:
        return None
    for arg in typing.get_args(info.annotation):
        if typing.get_origin(arg) is list:
            inner = typing.get_args(arg)[0]
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None


def _compile_item(spec: ItemSpec, doc: Document, file: str) -> Item:
    def fail(message: str, where: str) -> PolicyError:
        return PolicyError(message, file=file, item=spec.id, field=where)

    try:
        qualifies = _parse(spec.qualifies, Company, "qualifies") if spec.qualifies else TRUE
    except ConditionError as exc:
        raise fail(str(exc), exc.field) from None
    counts = spec.counts
    tiers = spec.benefit.amount.tiers or []
    if counts is None:
        if spec.benefit.amount.per_unit is not None:
            raise fail("a per_unit amount needs counts (the units it is paid for)", "benefit.amount.per_unit")
        if spec.cap is not None and spec.cap.per == "year":
            raise fail("a yearly cap needs counts with a date (the units' years)", "cap.per")
        return Item(spec, doc, qualifies, tiers=_tiers(tiers, Company, fail))
    unit_model = _unit_model(counts.collection)
    if unit_model is None:
        lists = [n for n in Company.model_fields if _unit_model(n)]
        hint = suggest(counts.collection, lists)
        raise fail(f"{counts.collection!r} is not a profile list; one of {', '.join(lists)}"
                   + (f" (did you mean {hint!r}?)" if hint else ""), "counts.collection")
    try:
        where = _parse(counts.where, unit_model, "counts.where") if counts.where else TRUE
    except ConditionError as exc:
        raise fail(str(exc), exc.field) from None
    window = spec.window or doc.meta.period
    bounds: list[Condition] = []
    if counts.date is not None:
        ftype = field_type(unit_model, counts.date)
        if ftype is None or ftype.kind not in ("date", "int"):
            raise fail(f"{unit_model.__name__} has no date (or year) field {counts.date!r}", "counts.date")
        if ftype.kind == "int":  # a fiscal year: the window's years
            lo: Any = window.start.year
            hi: Any = window.end.year
        else:
            lo, hi = window.start, window.end
        bounds = [Compare(counts.date, "ge", lo, ftype), Compare(counts.date, "le", hi, ftype)]
    elif counts.per_year:
        raise fail("per_year needs date: the year field", "counts.per_year")
    if spec.cap is not None and spec.cap.per == "year" and counts.date is None:
        raise fail("a yearly cap needs counts with a date (the units' years)", "cap.per")
    unit_condition: Condition = All((*bounds, where)) if bounds else where
    return Item(spec, doc, qualifies, unit_model, unit_condition, window.start, window.end,
                tiers=_tiers(tiers, unit_model, fail))


def _tiers(tiers: list[Any], model: type[BaseModel], fail: Any) -> tuple[Condition, ...]:
    """Each tier's ``when``, typed against the unit (items that count) or the profile."""
    out = []
    for index, tier in enumerate(tiers):
        try:
            out.append(_parse(tier.when, model, f"benefit.amount.tiers[{index}].when"))
        except ConditionError as exc:
            raise fail(str(exc), exc.field) from None
    return tuple(out)


def _check_quote(source: SourceText, section: str, quote: str, raise_: Any) -> None:
    paragraphs = source.paragraphs_quoting(quote)
    if not source.contains(quote) or not paragraphs:
        raise_("quote is not found verbatim in the source body", "quote")
    computed = paragraphs[0].section
    if not computed.startswith(section.replace(" ", "")):
        raise_(f"section {section!r} does not match the source: the quote is under {computed or '(preamble)'!r}",
               "section")


def load_policy_file(path: Path, sources_dir: Path | None = None) -> Document:
    """Load and check one policy file (see the module docstring)."""
    file = path.name
    try:
        data = load_yaml(read_text_file(path))
    except TextFileError as exc:
        raise PolicyError(str(exc), file=file) from None
    except yaml.YAMLError as exc:
        raise PolicyError(" ".join(f"cannot read YAML: {exc}".split())[:400], file=file) from None
    if not isinstance(data, dict):
        raise PolicyError("a policy file is a mapping with document and items", file=file)
    try:
        spec = PolicyFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        item, where = _loc(tuple(err["loc"]), data)
        message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
        raise PolicyError(message, file=file, item=item, field=where) from None
    meta = spec.document
    try:  # any city of the gazetteer, by id, pinyin or Chinese name; the document keeps its id
        meta = meta.model_copy(update={"city": normalise_city(meta.city).id})
    except UnknownCityError as exc:
        raise PolicyError(str(exc), file=file, field="document.city") from None
    src = meta.source
    folder = sources_dir or path.parent / "sources"
    src_path = folder / src.file
    if not src_path.resolve().is_relative_to(folder.resolve()):
        raise PolicyError(f"source file {src.file!r} lies outside the package's sources folder; name a file in it",
                          file=file, field="document.source.file")
    try:
        source = SourceText(src_path, src.body_start, src.body_end, tuple(src.exclude))
    except (OSError, ValueError) as exc:
        raise PolicyError(str(exc), file=file, field="document.source") from None
    if source.sha256 != src.sha256:
        raise PolicyError(f"sha256 of {src.file} is {source.sha256}, the policy expects {src.sha256}",
                          file=file, field="document.source.sha256")
    doc = Document(meta, path, source)
    items: list[Item] = []
    seen: set[str] = set()
    for item_spec in spec.items:
        if not item_spec.id.startswith(meta.id + "."):
            raise PolicyError(f"item ids start with the document id: {meta.id}.…",
                              file=file, item=item_spec.id, field="id")
        for name in (item_spec.id, *item_spec.aliases):
            if name in seen:
                raise PolicyError(f"id or alias {name!r} is used twice", file=file, item=item_spec.id, field="id")
            seen.add(name)

        def fail(message: str, where: str, _id: str = item_spec.id) -> None:
            raise PolicyError(message, file=file, item=_id, field=f"citation.{where}")

        _check_quote(source, item_spec.citation.section, item_spec.citation.quote, fail)
        items.append(_compile_item(item_spec, doc, file))
    for index, skipped in enumerate(spec.not_encoded):
        def fail_ne(message: str, where: str, _i: int = index) -> None:
            raise PolicyError(message, file=file, field=f"not_encoded[{_i}].{where}")

        _check_quote(source, skipped.section, skipped.quote, fail_ne)
    for index, draft in enumerate(spec.drafts):
        def fail_draft(message: str, where: str, _i: int = index) -> None:
            raise PolicyError(message, file=file, field=f"drafts[{_i}].{where}")

        _check_quote(source, draft.section, draft.quote, fail_draft)
    for index, cap in enumerate(spec.caps):
        def fail_cap(message: str, where: str, _i: int = index) -> None:
            raise PolicyError(message, file=file, field=f"caps[{_i}].{where}")

        _check_quote(source, cap.section, cap.quote, fail_cap)
    if spec.drafts:
        first = spec.drafts[0]
        raise PolicyError(f"{len(spec.drafts)} passages are still drafts: decide each (an item, or a not_encoded "
                          f"entry with its reason) and delete it from drafts; the first is "
                          f"{first.section or 'preamble'} 「{first.quote[:40]}」", file=file, field="drafts")
    object.__setattr__(doc, "items", tuple(items))
    object.__setattr__(doc, "not_encoded", tuple(spec.not_encoded))
    object.__setattr__(doc, "caps", tuple(spec.caps))
    return doc


def policy_files(paths: Iterable[Path | str] | None = None) -> list[Path]:
    """The policy files named: files as given, folders as their ``*.yaml``; default the shipped folder."""
    files: list[Path] = []
    for entry in [default_policy_dir()] if paths is None else [Path(p) for p in paths]:
        if entry.is_dir():
            files.extend(sorted(entry.glob("*.yaml")))
        elif entry.exists():
            files.append(entry)
        else:
            raise PolicyError("no such file or folder", file=str(entry))
    return files


def duplicate_ids(documents: Iterable[Document]) -> list[PolicyError]:
    """An error for every document id, item id or alias that an earlier document already uses (two files of
    the same name in two packages are two documents: they are told apart by path)."""
    errors: list[PolicyError] = []
    ids: dict[str, Path] = {}
    docs: dict[str, Path] = {}
    for doc in documents:
        where = doc.file.resolve()
        if doc.id in docs and docs[doc.id] != where:
            errors.append(PolicyError(f"document id {doc.id!r} is also used by {_shown(docs[doc.id], where)}: give "
                                      "this document (and its items) an id of its own", file=doc.file.name,
                                      field="document.id"))
        docs.setdefault(doc.id, where)
        for item in doc.items:
            for name in (item.id, *item.spec.aliases):
                if name in ids and ids[name] != where:
                    errors.append(PolicyError(f"id or alias {name!r} is also used in {_shown(ids[name], where)}",
                                              file=doc.file.name, item=item.id, field="id"))
                ids[name] = where
    return errors


def _shown(other: Path, here: Path) -> str:
    """The other file by name, or by path when both files have the same name."""
    return str(other) if other.name == here.name else other.name


def load_policies(paths: Iterable[Path | str] | None = None, packages: Iterable[Path | str] = ()) -> PolicySet:
    """Load policy files (default: the built-in package and every installed one) and the documents of
    policy packages beside them.

    ``paths`` may be files or folders of ``*.yaml`` and replace the default set; ``packages`` (folders or
    installed package names, see ``package_dir``) add to it, like OpenFisca extensions. A package named that
    the default set holds already is loaded once."""
    folders = default_policy_folders() if paths is None else list(paths)
    seen = {Path(f).resolve() for f in folders}
    extra = []
    for ref in packages:
        folder = package_dir(ref)
        if folder.resolve() not in seen:
            seen.add(folder.resolve())
            extra.append(folder)
    documents = [load_policy_file(f) for f in policy_files([*folders, *extra])]
    errors = duplicate_ids(documents) + dangling_references(documents)
    if errors:
        raise errors[0]
    return PolicySet(documents)


def dangling_references(documents: Iterable[Document]) -> list[PolicyError]:
    """An error for every 不重复享受 item, every superseded document and every item of a cap over several
    items that no loaded file defines, and for a cap over items it cannot total."""
    documents = list(documents)
    by_name = {name: item for doc in documents for item in doc.items for name in (item.id, *item.spec.aliases)}
    names = set(by_name)
    ids = {doc.id for doc in documents}
    errors = []
    for doc in documents:
        for item in doc.items:
            for name in item.spec.stacking.excludes if item.spec.stacking else []:
                if name not in names:
                    hint = suggest(name, names)
                    errors.append(PolicyError(f"excludes {name!r}, which no loaded policy defines"
                                              + (f" (did you mean {hint!r}?)" if hint else ""),
                                              file=doc.file.name, item=item.id, field="stacking.excludes"))
        for index, cap in enumerate(doc.caps):
            errors += _cap_problems(doc, index, cap, by_name, names)
        for index, rule in enumerate(doc.meta.supersedes):
            if rule.document not in ids:
                errors.append(PolicyError(f"supersedes {rule.document!r}, which no loaded policy defines",
                                          file=doc.file.name, field=f"document.supersedes[{index}].document"))
    return errors


def _cap_problems(doc: Document, index: int, cap: TotalCap, by_name: dict[str, Item],
                  names: set[str]) -> list[PolicyError]:
    """A cap over several items names loaded, claimable items; one per year needs each item paid per dated unit
    (the units' years share the allowance) and none capped per claimant on its own."""
    out = []
    where = f"caps[{index}].items"
    for name in cap.items:
        item = by_name.get(name)
        if item is None:
            hint = suggest(name, names)
            out.append(PolicyError(f"caps {name!r}, which no loaded policy defines"
                                   + (f" (did you mean {hint!r}?)" if hint else ""), file=doc.file.name, field=where))
        elif item.benefit_class != BenefitClass.claimable:
            out.append(PolicyError(f"caps {name!r}, which is {item.benefit_class.value}, not claimable: it pays "
                                   "nothing to cap", file=doc.file.name, field=where))
        elif cap.per == "year" and not (item.per_unit_paid and item.spec.counts and item.spec.counts.date):
            out.append(PolicyError(f"a yearly cap needs each item paid per dated unit; {name!r} is not (its year "
                                   "is unknown): cap per claimant, or leave it out", file=doc.file.name, field=where))
        elif cap.per == "year" and item.spec.cap is not None and item.spec.cap.per == "claimant":
            out.append(PolicyError(f"{name!r} has its own cap per claimant, which spreads over no year: a yearly "
                                   "cap over items cannot share it out", file=doc.file.name, field=where))
    return out


@lru_cache(maxsize=1)
def shipped_policies() -> PolicySet:
    """The default policy set — the shipped documents and every installed policy package — loaded once per
    process."""
    return load_policies()

