"""A host's typed code building profiles directly: checked by mypy (and pyright) without the pydantic plugin.

tests/test_typing.py runs ``mypy --strict`` on this file with no plugin configured; every call here must be
accepted as written, and the ``call-arg`` ignore must be needed (``warn_unused_ignores``): a checker that did
not see the fields would let an unknown keyword pass. test_typing.py also shows a wrong field type is an error.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ipsubsidy import Company, Evaluator, Result, UnknownItemError
from ipsubsidy.profile import EntityType, FiscalYear, Listing, ListingKind, Patent, PatentKind, Size


def build() -> Company:
    patent = Patent(number="ZL202110123456.7", kind=PatentKind.invention, grant_date=dt.date(2022, 3, 1),
                    implemented=True)
    year = FiscalYear(year=2021, sales_revenue=Decimal("12345000"), rd_expense=Decimal("882000"))
    listing = Listing(kind=ListingKind.ip_advantage_enterprise, date=dt.date(2021, 6, 1))
    return Company(name="晋中示例装备有限公司", city="jinzhong", entity_type=EntityType.enterprise,
                   size=Size.small_or_micro, startup=False, patents=[patent], finances=[year], listings=[listing])


def read(company: Company) -> tuple[str | None, bool | None, Size | None, int]:
    patents = company.patents or []
    return company.city, company.startup, company.size, len(patents)


def evaluate(company: Company) -> str:
    with Evaluator(backend="python") as evaluator:
        result: Result = evaluator.evaluate(company, dt.date(2022, 6, 30))
    try:
        return result.item("jinzhong-2020.invention-patent-domestic").status.value
    except UnknownItemError as exc:
        return exc.item_id


def wrong() -> None:
    # the pydantic plugin (the project's own mypy setting) leaves __init__ untyped, where this ignore is unused
    Company(startup=1.5)  # type: ignore[arg-type, unused-ignore]
    Company(no_such_field=True)  # type: ignore[call-arg]
