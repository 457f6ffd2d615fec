"""The values the compliance services take and return: plain data, no forms and no requests. A form (the
checklist's, the grid's) or a spreadsheet row (the compliance import) is turned into one of these first."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from associations.models import Meeting

#: The meeting cells of a year row and the kind of meeting each lists; the grid's form, `year_row_save` and
#: the compliance import read the same map.
YEAR_ROW_MEETING_KINDS: dict[str, str] = {
    "assembly_dates": Meeting.Kind.GENERAL_ASSEMBLY,
    "board_dates": Meeting.Kind.BOARD,
    "supervisory_dates": Meeting.Kind.SUPERVISORY,
}


@dataclass(frozen=True, kw_only=True)
class MeetingValues:
    kind: str
    held_on: datetime.date
    quorum_met: bool = True
    minutes_filed_on: datetime.date | None = None
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class FilingValues:
    plan_budget_filed_on: datetime.date | None = None
    report_accounts_filed_on: datetime.date | None = None
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class ElectionValues:
    term_number: int | None = None
    elected_on: datetime.date | None = None
    term_ends_on: datetime.date
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class ProgrammeValues:
    runs_care_station: bool = False
    care_station_since: datetime.date | None = None
    volunteer_team: bool = False
    volunteer_count: int | None = None
    regular_services: str = ""


@dataclass
class YearRow:
    """One association's year as a row of the grid or of a compliance spreadsheet. A `None` field is a
    blank cell (what a blank means is the caller's choice: see `compliance.services.year_row_save`)."""

    assembly_dates: list[datetime.date] | None = None
    assembly_minutes_filed_on: datetime.date | None = None
    board_dates: list[datetime.date] | None = None
    supervisory_dates: list[datetime.date] | None = None
    plan_budget_filed_on: datetime.date | None = None
    report_accounts_filed_on: datetime.date | None = None
    term_ends_on: datetime.date | None = None
    note: str | None = None


@dataclass
class RowChanges:
    """What `year_row_save` changed: meetings as (kind, day), a moved one as (kind, old day, new day)."""

    meetings_added: list[tuple[str, datetime.date]] = field(default_factory=list)
    meetings_moved: list[tuple[str, datetime.date, datetime.date]] = field(default_factory=list)
    meetings_removed: list[tuple[str, datetime.date]] = field(default_factory=list)
    filing_changed: bool = False
    term_changed: bool = False

    @property
    def changed(self) -> bool:
        return bool(
            self.meetings_added
            or self.meetings_moved
            or self.meetings_removed
            or self.filing_changed
            or self.term_changed
        )
