"""Write examples/consultancy/clients.xlsx: 30 clients and their patents, as a consultancy's export looks.

Deterministic (seeded); the workbook holds deliberate bad cells so the errors table has something to name:
a credit code with a wrong check character, 小微 as a size, money as "123.4万", a month-only date, a size
that is not one, a patent number with a wrong check digit, an application publication (kind A), and a patent
row whose owner is not a client. Run: python tools/make_screen_example.py
"""

from __future__ import annotations

import random
from pathlib import Path

from openpyxl import Workbook

from ipsubsidy.identifiers import credit_code_check_char, organisation_code_check_char, patent_check_digit

OUT = Path(__file__).resolve().parent.parent / "examples" / "consultancy" / "clients.xlsx"

PLACES = [("130902", "河北省沧州市运河区"), ("230103", "黑龙江省哈尔滨市南岗区"), ("340104", "安徽省合肥市蜀山区"),
          ("140702", "山西省晋中市榆次区"), ("350203", "福建省厦门市思明区"), ("140105", "山西省太原市小店区")]
SIZES = ["大型", "中型", "小型", "微型", "小微"]
TYPES = {"发明": ("1", "B"), "实用新型": ("2", "U"), "外观设计": ("3", "S")}


def credit_code(division: str, serial: int) -> str:
    org = f"MA{serial:06d}"
    body = "91" + division + org + organisation_code_check_char(org)
    return body + credit_code_check_char(body)


def patent_number(year: int, kind: str, serial: int) -> str:
    digits = f"{year}{TYPES[kind][0]}{serial:07d}"
    return f"{digits}.{patent_check_digit(digits)}"


def main() -> None:
    rng = random.Random(8)
    book = Workbook()
    clients = book.active
    clients.title = "客户"
    clients.append(["统一社会信用代码", "企业名称", "所在地", "主体类型", "规模", "年度", "研发投入(万元)",
                    "销售收入(万元)", "是否初创企业"])
    patents = book.create_sheet("专利")
    patents.append(["统一社会信用代码", "申请人", "申请号", "公开(公告)号", "申请日", "授权公告日", "专利类型",
                    "专利名称"])
    serial = 100
    for n in range(1, 31):
        division, address = PLACES[n % len(PLACES)]
        code = credit_code(division, 1000 + n)
        name = f"{address.split('省', 1)[1].split('市', 1)[0]}示例科技{n:02d}有限公司"
        size = SIZES[n % len(SIZES)]
        rd: object = round(rng.uniform(20, 900), 1)
        if n == 4:
            code = code[:-1] + ("0" if code[-1] != "0" else "1")  # typo in the check character: a warning
        if n == 7:
            rd = f"{rd}万"                                         # money written with its unit
        if n == 9:
            rd = "约100万"                                         # not a number: a bad cell
        if n == 11:
            size = "超大"                                          # not a size: a bad cell
        if n == 13:
            rd = "1,234.5"                                         # thousands separator
        clients.append([code, name, address, "企业", size, 2021, rd, round(rng.uniform(500, 50000), 1),
                        "是" if n % 3 == 0 else "否"])
        for _ in range(rng.randint(0, 3)):
            serial += 1
            kind = rng.choice(list(TYPES))
            number = patent_number(2020, kind, serial)
            pub = f"CN{110000000 + serial * 7}{TYPES[kind][1]}"
            grant = f"2021-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            patents.append([code, name, number, pub, "2020-03-02", grant, kind, f"一种示例装置{serial}"])
        if n == 5:
            patents.append([code, name, patent_number(2020, "发明", 999), f"CN{111111111}A", "2020-05-06", None,
                            "发明", "一种尚未授权的方法"])                      # application publication
        if n == 6:
            patents.append([code, name, "202020000123.9", f"CN{212345678}U", "2020-01-02", "2020年8月",
                            "实用新型", "校验位错误的专利"])                     # bad check digit, month-only date
    patents.append(["91110000MA00000000", "不在客户名单的公司", patent_number(2020, "实用新型", 777),
                    "CN212000777U", "2020-01-02", "2020-09-01", "实用新型", "无主专利"])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    book.save(OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
