"""An item's status and its benefit class, and how each reads to a person (zh, en)."""

from __future__ import annotations

from enum import StrEnum

from ipsubsidy.policy.schema import BenefitClass

__all__ = ["CLASS_LABELS", "HOLDS", "STATUS_LABELS", "BenefitClass", "Status", "label"]


class Status(StrEnum):
    """An item's answer. Only a claimable item can be ``eligible``; the last four say what a non-claimable
    item whose facts hold is, while its document is open."""

    eligible = "eligible"                    # 可申请: apply and get it
    needs_info = "needs_info"                # 待补充信息: a deciding fact is unknown
    not_eligible = "not_eligible"            # 不符合: a condition fails
    expired = "expired"                      # 已截止: the document closed before as_of
    not_yet_in_force = "not_yet_in_force"    # 尚未施行: the document is not yet issued or in force
    candidate = "candidate"                  # 可参与评选: the authority selects; the claimant is a candidate
    service_available = "service_available"  # 可使用的服务: an open service or training, nothing to claim
    encouraged = "encouraged"                # 政策鼓励: encouraged, no benefit attached
    policy_pending = "policy_pending"        # 政策待制定: the city has still to make the policy


#: the status a non-claimable item takes when its facts hold and its document is open
HOLDS: dict[BenefitClass, Status] = {
    BenefitClass.claimable: Status.eligible,
    BenefitClass.selection: Status.candidate,
    BenefitClass.service: Status.service_available,
    BenefitClass.encouraged: Status.encouraged,
    BenefitClass.not_yet_made: Status.policy_pending,
}


#: how a status reads to a person, (zh, en); the CLI, reports, the console and summaries all use these
STATUS_LABELS: dict[Status, tuple[str, str]] = {
    Status.eligible: ("可申请", "eligible"),
    Status.needs_info: ("待补充信息", "needs information"),
    Status.not_eligible: ("不符合", "not eligible"),
    Status.expired: ("已截止", "closed"),
    Status.not_yet_in_force: ("尚未施行", "not yet in force"),
    Status.candidate: ("可参与评选", "candidate for selection"),
    Status.service_available: ("可使用的服务", "service available"),
    Status.encouraged: ("政策鼓励", "encouraged"),
    Status.policy_pending: ("政策待制定", "policy not yet made"),
}

#: how a benefit class reads to a person, (zh, en)
CLASS_LABELS: dict[BenefitClass, tuple[str, str]] = {
    BenefitClass.claimable: ("可申请的资金或优惠", "claimable benefit"),
    BenefitClass.selection: ("评选、推荐或培育", "selection by the authority"),
    BenefitClass.service: ("公共服务或培训", "public service or training"),
    BenefitClass.encouraged: ("鼓励事项", "encouragement"),
    BenefitClass.not_yet_made: ("尚待制定的政策", "policy yet to be made"),
}


def label(entry: Status | BenefitClass, lang: str) -> str:
    """A status or class as a person reads it, in ``lang`` (zh or en)."""
    pair = STATUS_LABELS[entry] if isinstance(entry, Status) else CLASS_LABELS[entry]
    return pair[1] if lang == "en" else pair[0]
