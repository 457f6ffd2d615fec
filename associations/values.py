"""The values the registry's services take: plain data, no forms and no requests (the compliance facts have
theirs in `associations.compliance.values`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from associations.models import Township, Village


@dataclass(frozen=True, kw_only=True)
class AssociationValues:
    name: str
    township: Township
    villages: tuple[Village, ...] = ()
    registration_number: str = ""
    founded_on: datetime.date | None = None
    term_number: int | None = None
    status: str
    dissolved_on: datetime.date | None = None
    address: str = ""
    phone: str = ""
    email: str = ""
    member_count: int | None = None
    runs_care_station: bool = False
    local_features: str = ""
    notes: str = ""


@dataclass(frozen=True, kw_only=True)
class OfficerValues:
    position: str
    name: str
    phone: str = ""
    term_start: datetime.date | None = None
    term_end: datetime.date | None = None
    note: str = ""
