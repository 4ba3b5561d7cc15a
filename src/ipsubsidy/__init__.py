"""ipsubsidy: Chinese cities' IP incentive policies as declarative rules.

    >>> from ipsubsidy import evaluate
    >>> result = evaluate({"city": "晋中", "entity_type": "enterprise", "patents": [...]})
    >>> result.total, [(i.id, i.status) for i in result.items]

Every item cites the section and verbatim sentence of its source document; see docs/.
"""

from ipsubsidy.errors import (
    ArgumentError,
    BackendUnavailableError,
    CoverageError,
    IpSubsidyError,
    PolicyError,
    ProfileError,
    UnknownItemError,
)
from ipsubsidy.evaluate import Evaluator, evaluate
from ipsubsidy.outcome import ItemOutcome, Outcome
from ipsubsidy.policy.loader import load_policies, shipped_policies
from ipsubsidy.policy.model import Document, Item, PolicySet
from ipsubsidy.profile import Company, load_profile_json, parse_profile
from ipsubsidy.result import BenefitClass, ItemResult, Result, Status

__version__ = "0.1.0"

__all__ = [
    "ArgumentError",
    "BackendUnavailableError",
    "BenefitClass",
    "Company",
    "CoverageError",
    "Document",
    "Evaluator",
    "IpSubsidyError",
    "Item",
    "ItemOutcome",
    "ItemResult",
    "Outcome",
    "PolicyError",
    "PolicySet",
    "ProfileError",
    "Result",
    "Status",
    "UnknownItemError",
    "__version__",
    "evaluate",
    "load_policies",
    "load_profile_json",
    "parse_profile",
    "shipped_policies",
]
