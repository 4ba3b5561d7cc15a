"""不重复享受: which of two items that exclude each other keeps a unit (or the claim) both would pay.

An item's ``stacking.excludes`` names items (of its own or another loaded document) it may not be paid
together with. When both are eligible, every unit they both count is paid by one of them only: the one paying
more for it (``keep: larger``, ties to the declaring item), or the declaring item (``keep: this``). Items that
count no units are paid once: the larger subtotal, or the declaring item when amounts cannot be compared.
This module only decides, on the items' outcomes; ``evaluate`` re-assesses the losers without the units
they give up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ipsubsidy.outcome import ItemOutcome
from ipsubsidy.policy.model import Item, PolicySet
from ipsubsidy.result import Reason, Status

__all__ = ["Yield", "stacking_plan"]


@dataclass
class Yield:
    """What one item gives up: units (by index) to the item that keeps them, or the whole claim."""

    units: dict[int, Item] = field(default_factory=dict)
    claim: Item | None = None

    def reasons(self, labels: dict[int, str]) -> list[Reason]:
        out = []
        for index, winner in sorted(self.units.items()):
            out.append(Reason(
                zh=f"{labels.get(index, f'#{index + 1}')}：与“{winner.title.zh}”不重复享受，按较高者计入该项",
                en=f"{labels.get(index, f'#{index + 1}')}: not paid twice with “{winner.title.en}”; "
                   "counted there, at the higher amount"))
        if self.claim is not None:
            out.append(Reason(zh=f"与“{self.claim.title.zh}”不重复享受，按较高者计入该项",
                              en=f"not paid together with “{self.claim.title.en}”; the higher one is counted"))
        return out


def stacking_plan(policies: PolicySet, items: list[Item], results: dict[str, ItemOutcome]) -> dict[str, Yield]:
    """For each item that must give something up under a 不重复享受 rule, what it yields and to whom."""
    plan: dict[str, Yield] = {}
    for item in items:
        rule = item.spec.stacking
        mine = results.get(item.id)
        if rule is None or mine is None or mine.status != Status.eligible:
            continue
        for name in rule.excludes:
            other = policies.item(name)
            theirs = results.get(other.id)
            if theirs is None or theirs.status != Status.eligible:
                continue
            if item.collection is not None and item.collection == other.collection:
                my_units = dict(mine.units)
                their_units = dict(theirs.units)
                for index in sorted(my_units.keys() & their_units.keys()):
                    a, b = my_units[index], their_units[index]
                    keep_mine = rule.keep == "this" or a is None or b is None or a >= b
                    loser, winner = (theirs, mine) if keep_mine else (mine, theirs)
                    plan.setdefault(loser.id, Yield()).units[index] = winner.item
            else:
                a, b = mine.subtotal, theirs.subtotal
                keep_mine = rule.keep == "this" or a is None or b is None or a >= b
                loser, winner = (theirs, mine) if keep_mine else (mine, theirs)
                plan.setdefault(loser.id, Yield()).claim = winner.item
    return plan
