"""The profile of a claimant: a company, school, institute or person, and the facts policies test.

Absent means unknown, everywhere: a field left out (or ``null``) is a fact nobody has told us, which
is never the same as 0, ``false`` or an empty list. ``patents: []`` says "no patents";
no ``patents`` key says "we do not know".

Every field carries a zh and en label (``json_schema_extra``) that explanations and questions use.
"""

from ipsubsidy.profile.company import Company
from ipsubsidy.profile.kinds import (
    BRAND_PLAN_ALIASES,
    BrandPlan,
    EntityType,
    Level,
    ListingKind,
    PatentKind,
    Size,
    label,
)
from ipsubsidy.profile.parsing import load_profile_json, parse_profile, profile_error
from ipsubsidy.profile.units import (
    BrandPlanSelection,
    Certification,
    FiscalYear,
    GeographicalIndication,
    IcLayoutDesign,
    IpDispute,
    IpInsurance,
    IpPledgeLoan,
    IpTransaction,
    Listing,
    MadridRegistration,
    Patent,
    PatentAward,
    PctApplication,
    RightsProtectionCentre,
)

__all__ = [
    "BRAND_PLAN_ALIASES",
    "BrandPlan",
    "BrandPlanSelection",
    "Certification",
    "Company",
    "EntityType",
    "FiscalYear",
    "GeographicalIndication",
    "IcLayoutDesign",
    "IpDispute",
    "IpInsurance",
    "IpPledgeLoan",
    "IpTransaction",
    "Level",
    "Listing",
    "ListingKind",
    "MadridRegistration",
    "Patent",
    "PatentAward",
    "PatentKind",
    "PctApplication",
    "RightsProtectionCentre",
    "Size",
    "label",
    "load_profile_json",
    "parse_profile",
    "profile_error",
]
