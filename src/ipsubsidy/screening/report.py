"""One report per client: the same content as HTML (Jinja2, inline SVG chart), PDF (fpdf2, a CJK font), PNG pages."""

from __future__ import annotations

import os
from collections import defaultdict
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from ipsubsidy.labels import missing_label
from ipsubsidy.places import CITIES
from ipsubsidy.profile import Company
from ipsubsidy.result import ItemResult, Status, label
from ipsubsidy.screening.run import ClientResult, claimable_total

__all__ = ["FONT_PATHS", "NoCjkFontError", "find_cjk_font", "report_context", "write_html", "write_pdf",
           "write_png"]

TEXT = {
    "zh": {"title": "知识产权资助筛查报告", "code": "统一社会信用代码", "city": "所在城市", "as_of": "评估日期",
           "claimable": "可申领项目", "total": "合计", "yuan": "元", "item": "项目", "amount": "金额(元)",
           "units": "计入的单位", "citation": "政策原文", "deadline": "申报截止", "department": "受理部门",
           "needed": "尚需补充的信息", "status": "状态", "missing": "缺少的信息", "question": "首先要问",
           "chart": "按状态的金额(元)", "none": "无", "not_stated": "金额未定", "n_items": "{}项", "row": "第{}行",
           "other": "其他支持(不能直接申请领取：评选、服务、鼓励或尚待制定的政策)"},
    "en": {"title": "IP incentive screening report", "code": "Unified social credit code", "city": "City",
           "as_of": "As of", "claimable": "Claimable items", "total": "total", "yuan": "yuan", "item": "Item",
           "amount": "Amount (yuan)", "units": "Units counted", "citation": "Source text", "deadline": "Claim by",
           "department": "Department", "needed": "Still needed to decide", "status": "Status",
           "missing": "Missing facts", "question": "Ask first", "chart": "Money by status (yuan)", "none": "None",
           "not_stated": "amount not stated", "n_items": "{} items", "row": "row {}",
           "other": "Other support (nothing to claim: selections, services, encouragements, policies to come)"},
}

FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
"""Where Debian's fonts-wqy-microhei / fonts-noto-cjk put a CJK font; IPSUBSIDY_CJK_FONT overrides."""


class NoCjkFontError(RuntimeError):
    """No CJK font to write a PDF with."""


def find_cjk_font() -> Path:
    candidates = [os.environ.get("IPSUBSIDY_CJK_FONT", ""), *FONT_PATHS]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise NoCjkFontError("no CJK font for PDF reports: install fonts-wqy-microhei (or fonts-noto-cjk), "
                         "or set IPSUBSIDY_CJK_FONT to a .ttf/.ttc file")


def _money(item: ItemResult) -> Decimal | None:
    """The stated money an item stands for (its subtotal, else its amount per unit); None when none is stated."""
    value = item.amount.subtotal or item.amount.per_unit
    return Decimal(value) if value else None


def _bar_text(money: Decimal, not_stated: int, t: dict[str, str]) -> str:
    """A bar's figure: the stated yuan, and how many items state no amount (never counted as 0)."""
    parts = [f"{money:,.2f}"] if money or not not_stated else []
    if not_stated:
        parts.append(f"{t['not_stated']} {t['n_items'].format(not_stated)}")
    return " + ".join(parts)


def _city_name(city: str | None) -> str | None:
    """A city as a client reads it: its Chinese name where the profile holds a city id (a registry's companies)."""
    known = CITIES.get(city) if city else None
    return known.zh if known is not None else city


def report_context(c: ClientResult, as_of: str, lang: str, deadlines: dict[str, str]) -> dict[str, Any]:
    p = c.client.profile
    ctx: dict[str, Any] = {"lang": lang, "t": TEXT[lang], "name": p.name or TEXT[lang]["row"].format(c.client.row),
                           "credit_code": p.credit_code, "city": c.client.city_zh or _city_name(p.city),
                           "as_of": as_of,
                           "notices": [], "claimable": [], "pending": [], "other": [], "question": "",
                           "total": "0.00"}
    by_status: dict[str, Decimal] = defaultdict(Decimal)
    unstated: dict[str, int] = defaultdict(int)
    if c.result is None:
        ctx["notices"] = [c.notice or ""]
    else:
        r = c.result
        ctx["notices"] = [n(lang) for n in r.notices]
        ctx["total"] = f"{claimable_total(r):.2f}"
        ctx["question"] = r.questions[0](lang) if r.questions else ""
        other = {item.id for item in r.other}
        for item in r.all_items():
            row = {"title": item.title(lang), "amount": item.amount.subtotal or item.amount.per_unit or "—",
                   "units": [u.label for u in item.units], "section": f"{item.citation.document} "
                   f"{item.citation.section}", "quote": item.citation.quote, "status": label(item.status, lang),
                   "missing": "、".join(missing_label(m, Company, lang) for m in item.missing) or "—",
                   "deadline": deadlines.get(item.id, "—"), "departments": "、".join(item.departments) or "—"}
            if item.status == Status.eligible:
                ctx["claimable"].append(row)
            elif item.status == Status.needs_info:
                ctx["pending"].append(row)
            elif item.id in other:
                ctx["other"].append(row)
            status = label(item.status, lang)
            money = _money(item)
            by_status[status] += money or Decimal(0)
            unstated[status] += money is None
    order = sorted(by_status, key=lambda name: (-by_status[name], -unstated[name]))
    ctx["bars"] = [(name, by_status[name], _bar_text(by_status[name], unstated[name], ctx["t"])) for name in order]
    ctx["chart"] = _svg(ctx["bars"])
    return ctx


def _svg(bars: list[tuple[str, Decimal, str]]) -> str:
    """A horizontal bar chart as inline SVG: no script, no CDN."""
    if not bars:
        return "<p>—</p>"
    top = max((v for _, v, _ in bars), default=Decimal(0)) or Decimal(1)
    height = 28 * len(bars) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="{height}" role="img">']
    for i, (name, value, text) in enumerate(bars):
        width = int(380 * value / top)
        y = 5 + 28 * i
        parts.append(f'<text x="0" y="{y + 16}" font-size="13">{escape(name)}</text>'
                     f'<rect x="120" y="{y}" width="{width}" height="20" fill="#3b7dd8"/>'
                     f'<text x="{126 + width}" y="{y + 16}" font-size="13">{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def write_html(ctx: dict[str, Any], path: Path) -> None:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("ipsubsidy.screening", "templates"), autoescape=select_autoescape())
    path.write_text(env.get_template("report.html.j2").render(**ctx), encoding="utf-8")


def write_pdf(ctx: dict[str, Any], path: Path, font: Path) -> None:
    from fpdf import FPDF

    t = ctx["t"]
    pdf = FPDF()
    pdf.add_font("cjk", "", str(font))
    pdf.set_font("cjk", size=10)
    pdf.add_page()
    width = pdf.epw

    def para(text: str, size: int = 10, gap: float = 1) -> None:
        pdf.set_font("cjk", size=size)
        pdf.multi_cell(width, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    para(f"{t['title']}：{ctx['name']}", 16, 3)
    para(f"{t['code']}：{ctx['credit_code'] or '—'}    {t['city']}：{ctx['city'] or '—'}    "
         f"{t['as_of']}：{ctx['as_of']}")
    for notice in ctx["notices"]:
        para(notice)
    para(f"{t['claimable']}（{t['total']} {ctx['total']} {t['yuan']}）", 13, 2)
    for row in ctx["claimable"] or [{"title": t["none"]}]:
        para(row["title"] + (f"    {row['amount']} {t['yuan']}" if "amount" in row else ""), 11)
        if "quote" in row:
            if row["units"]:
                para(f"{t['units']}：" + "；".join(row["units"]))
            para(f"{t['citation']}（{row['section']}）：{row['quote']}")
            para(f"{t['deadline']}：{row['deadline']}    {t['department']}：{row['departments']}", gap=3)
    para(t["needed"], 13, 2)
    for row in ctx["pending"] or [{"title": t["none"]}]:
        para(row["title"], 11)
        if "missing" in row:
            para(f"{t['missing']}：{row['missing']}    {t['deadline']}：{row['deadline']}    "
                 f"{t['department']}：{row['departments']}", gap=2)
    if ctx["question"]:
        para(f"{t['question']}：{ctx['question']}")
    if ctx["other"]:
        para(t["other"], 13, 2)
        for row in ctx["other"]:
            para(f"[{row['status']}] {row['title']}")
            para(f"{t['citation']}：{row['section']}", gap=2)
    para(t["chart"], 13, 2)
    bars = ctx["bars"]
    top = max((v for _, v, _ in bars), default=Decimal(0)) or Decimal(1)
    for name, value, text in bars:
        y = pdf.get_y()
        pdf.set_font("cjk", size=10)
        pdf.text(pdf.l_margin, y + 4, name)
        bar = float(100 * value / top)  # drawing only; the figure printed beside it is exact
        pdf.set_fill_color(59, 125, 216)
        pdf.rect(pdf.l_margin + 35, y, max(bar, 0.5), 5, style="F")
        pdf.text(pdf.l_margin + 38 + bar, y + 4, text)
        pdf.ln(7)
    pdf.output(str(path))


def write_png(pdf: Path, dpi: int = 96) -> list[Path]:
    """PNG previews of a report's PDF pages (PDFium, from pypdfium2): ``X.png``, then ``X-2.png``, … per page."""
    import pypdfium2 as pdfium

    written = []
    document = pdfium.PdfDocument(str(pdf))
    try:
        for number in range(len(document)):
            page = document[number]
            image = page.render(scale=dpi / 72).to_pil()
            target = pdf.with_suffix(".png") if number == 0 else pdf.with_name(f"{pdf.stem}-{number + 1}.png")
            image.save(target, format="PNG")
            written.append(target)
            page.close()
    finally:
        document.close()
    return written
