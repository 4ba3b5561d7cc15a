"""Screening a whole client list: tables in, one result per client, tables and reports out."""

from __future__ import annotations

from ipsubsidy.screening.run import ClientResult, Screening, screen

__all__ = ["ClientResult", "Screening", "screen"]
