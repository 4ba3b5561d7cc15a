"""The header map: column names as Chinese exports and the profile spell them → profile field names.

Client table (one row per claimant): 统一社会信用代码 → credit_code, 企业名称/名称 → name, 所在地/所在城市/
注册地址/地址 → address (the city is read from it), 所在区县 → district, 主体类型/单位类型 → entity_type,
规模/企业规模 → size, 研发投入(万元) → rd_expense (with the year column 年度), 销售收入(万元) → sales_revenue, and
every profile field under its own English name or its Chinese label.

Patent table (one row per patent, joined on 统一社会信用代码 or 企业名称): 申请号 → number, 公开(公告)号 →
publication (its kind code tells a grant from an application publication), 授权公告日/授权日 → grant_date,
申请日 → filing_date, 专利类型 → kind, 专利名称/发明名称 → title, 申请人/专利权人 → name.

``--map FILE`` (YAML or JSON: ``{"their header": "field"}``) adds or overrides entries.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import yaml

from ipsubsidy.errors import IpSubsidyError

__all__ = ["HEADERS", "HeaderMapError", "field_for", "load_header_map"]

HEADERS: dict[str, str] = {
    # claimant
    "统一社会信用代码": "credit_code", "社会信用代码": "credit_code", "信用代码": "credit_code",
    "企业名称": "name", "名称": "name", "单位名称": "name", "客户名称": "name", "公司名称": "name",
    "申请人": "name", "专利权人": "name", "当前权利人": "name",
    "所在地": "address", "注册地址": "address", "地址": "address", "住所": "address", "所在城市": "city",
    "城市": "city", "所在区县": "district", "区县": "district",
    "主体类型": "entity_type", "单位类型": "entity_type", "类型": "entity_type",
    "规模": "size", "企业规模": "size",
    "所属行业": "industry", "行业": "industry",
    "是否初创企业": "startup", "初创企业": "startup",
    "是否拥有自主知识产权": "has_own_ip", "是否龙头企业": "leading_enterprise",
    # one year of finances on the client row
    "年度": "year", "财务年度": "year",
    "研发投入": "rd_expense", "研发投入(万元)": "rd_expense", "研发费用": "rd_expense",
    "研发费用(万元)": "rd_expense", "销售收入": "sales_revenue", "销售收入(万元)": "sales_revenue",
    "营业收入": "sales_revenue", "营业收入(万元)": "sales_revenue",
    "主营业务收入": "main_business_revenue", "主营业务收入(万元)": "main_business_revenue",
    # patents
    "申请号": "number", "专利号": "number", "公开(公告)号": "publication", "公开公告号": "publication",
    "公告号": "publication", "公开号": "publication", "授权公告日": "grant_date", "授权日": "grant_date",
    "申请日": "filing_date", "专利类型": "kind", "专利名称": "title", "发明名称": "title", "标题": "title",
    "是否经PCT途径": "via_pct", "是否已实施": "implemented",
}
"""Chinese export headers → field names. A header already a field name maps to itself."""


class HeaderMapError(IpSubsidyError):
    """A ``--map`` file that is not a mapping of header → field name."""


def _key(header: str) -> str:
    """Half-width, without spaces; （）→ ()."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", header))


_INDEX = {_key(k): v for k, v in HEADERS.items()}


def field_for(header: str, extra: dict[str, str] | None = None) -> str:
    """The field a header names: the ``--map`` entry, the built-in map, else the header itself (English names)."""
    key = _key(header)
    if extra and key in extra:
        return extra[key]
    return _INDEX.get(key, key)


def load_header_map(path: str | Path) -> dict[str, str]:
    """A firm's own header map from YAML or JSON."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
        data = json.loads(text) if p.suffix == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise HeaderMapError(f"{p}: cannot read the header map: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise HeaderMapError(f"{p}: expected a mapping of header → field name, e.g. 客户: name")
    return {_key(k): v for k, v in data.items()}
