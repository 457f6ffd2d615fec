"""Writes of the yearly compliance facts. Each runs in one transaction and then tells the registered judge
(`associations.compliance.hooks`, i.e. `grading`) which association's year changed, so its status and tier
are recomputed before the transaction commits."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from associations.compliance import hooks
from associations.compliance.values import (
    YEAR_ROW_MEETING_KINDS,
    ElectionValues,
    FilingValues,
    MeetingValues,
    ProgrammeValues,
    RowChanges,
    YearRow,
)
from associations.models import Association, Election, Meeting, ProgrammeProfile, YearlyFiling
from core.concurrency import check_version
from core.dates import format_roc


def _lock(association_id: int) -> None:
    """Serialise writes to one association's facts: a double-clicked Save then waits for the first and
    finds its meeting (the duplicate check) instead of failing on the database's unique constraint."""
    Association.objects.select_for_update().filter(pk=association_id).exists()


# --- versions: the history rows whose newest gives each edit form's version (`core.concurrency`) --------


def meeting_history(pk: int) -> tuple[QuerySet, ...]:
    return (Meeting.history.filter(id=pk),)


def election_history(pk: int) -> tuple[QuerySet, ...]:
    return (Election.history.filter(id=pk),)


def filing_history(association_id: int, year: int) -> tuple[QuerySet, ...]:
    """By association and year rather than by row, so a first save's version covers a row saved meanwhile."""
    return (YearlyFiling.history.filter(association_id=association_id, year=year),)


def programme_history(association_id: int) -> tuple[QuerySet, ...]:
    return (ProgrammeProfile.history.filter(association_id=association_id),)


def year_row_history(association_id: int | OuterRef, year: int) -> tuple[QuerySet, ...]:
    """A grid row: the association's meetings (all years: a meeting moved out of the year counts too), the
    year's filing and the elections."""
    return (
        Meeting.history.filter(association_id=association_id),
        YearlyFiling.history.filter(association_id=association_id, year=year),
        Election.history.filter(association_id=association_id),
    )


def year_row_version_columns(year: int) -> dict[str, Subquery]:
    """`version_of(*year_row_history(a, year))` as columns of a query of associations (the grid's page of
    rows): the newest history id of each of the row's histories; `year_row_version` joins them."""
    return {
        f"_row_version_{n}": Subquery(
            history.order_by().values("association_id").annotate(v=Max("history_id")).values("v")
        )
        for n, history in enumerate(year_row_history(OuterRef("pk"), year))
    }


def year_row_version(association: Association) -> str:
    """The version of a row read with `year_row_version_columns`, as `version_of` writes it."""
    return ".".join(str(getattr(association, f"_row_version_{n}") or 0) for n in range(3))


def _changed(association_id: int, *years: int, actor: object) -> None:
    for year in sorted(set(years)):
        hooks.facts_changed(association_ids=[association_id], year=year, actor=actor)


def _assign(instance: object, values: object) -> None:
    for name, value in dict(vars(values)).items():
        setattr(instance, name, value)


@transaction.atomic
def meeting_save(
    *,
    association: Association,
    values: MeetingValues,
    actor: object,
    meeting: Meeting | None = None,
    version: str | None = None,
) -> Meeting:
    """Record a meeting of `association`, or correct `meeting` (one of its meetings) to `values`: the
    correction updates that row (its history records the change) and writes only the fields that changed.
    Raises ValidationError (nothing written) when, once the association is locked, the meeting turns out to
    have been recorded meanwhile, e.g. by the first click of a double-clicked Save."""
    _lock(association.pk)
    if meeting is None:
        meeting = Meeting(association=association)
        _assign(meeting, values)
        meeting.full_clean()
        meeting.save()
        _changed(association.pk, meeting.held_on.year, actor=actor)
        return meeting
    check_version(version, *meeting_history(meeting.pk))
    meeting = Meeting.objects.get(pk=meeting.pk, association=association)
    previous_year = meeting.held_on.year
    changed = _assign_changed(meeting, values)
    if not changed:
        return meeting
    meeting.full_clean()
    meeting.save(update_fields=changed)
    _changed(association.pk, meeting.held_on.year, previous_year, actor=actor)
    return meeting


def _assign_changed(instance: object, values: object) -> list[str]:
    """Set the fields of `values` that differ on `instance`; return their names."""
    changed = []
    for name, value in dict(vars(values)).items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def meeting_delete(*, meeting: Meeting, actor: object) -> None:
    association_id, year = meeting.association_id, meeting.held_on.year
    meeting.delete()
    _changed(association_id, year, actor=actor)


@transaction.atomic
def yearly_filing_save(
    *, association: Association, year: int, values: FilingValues, actor: object, version: str | None = None
) -> YearlyFiling:
    """The year's filing dates, created on the first save. Under the association's lock, so simultaneous
    first saves make one row; raises StaleEdit (nothing written) when `version` is not the year's filing's."""
    _lock(association.pk)
    check_version(version, *filing_history(association.pk, year))
    filing = YearlyFiling.objects.filter(association=association, year=year).first() or YearlyFiling(
        association=association, year=year
    )
    _assign(filing, values)
    filing.full_clean()
    filing.save()
    _changed(association.pk, year, actor=actor)
    return filing


@transaction.atomic
def election_save(
    *,
    association: Association,
    values: ElectionValues,
    year: int,
    actor: object,
    election: Election | None = None,
    version: str | None = None,
) -> Election:
    """Record an election of `association`, or correct `election` (one of its elections) to `values`.
    `year` is the compliance year the clerk is working on; a term spans several, and the others are
    brought up to date when the county recomputes them. Raises StaleEdit (nothing written) when `version`
    is not the election's; a term recorded meanwhile is refused by `full_clean` under the lock."""
    _lock(association.pk)
    if election is None:
        election = Election(association=association)
    else:
        check_version(version, *election_history(election.pk))
        election = Election.objects.get(pk=election.pk, association=association)
    _assign(election, values)
    election.full_clean()
    election.save()
    _changed(association.pk, year, actor=actor)
    return election


@transaction.atomic
def election_delete(*, election: Election, year: int, actor: object) -> None:
    association_id = election.association_id
    election.delete()
    _changed(association_id, year, actor=actor)


@transaction.atomic
def programme_save(
    *,
    association: Association,
    values: ProgrammeValues,
    year: int,
    actor: object,
    version: str | None = None,
) -> ProgrammeProfile:
    """The association's programmes; whether it runs a care station is kept on the association itself.
    Raises StaleEdit (nothing written) when `version` is not the programme's."""
    _lock(association.pk)
    check_version(version, *programme_history(association.pk))
    profile = ProgrammeProfile.objects.filter(association=association).first() or ProgrammeProfile(
        association=association
    )
    fields = dict(vars(values))
    runs = fields.pop("runs_care_station")
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    if association.runs_care_station != runs:
        association.runs_care_station = runs
        association.save(update_fields=["runs_care_station", "updated_at"])
    _changed(association.pk, year, actor=actor)
    return profile


@transaction.atomic
def interval_save(*, association: Association, months: int, year: int, actor: object) -> Association:
    """How often the association's constitution asks its board to meet, in months."""
    _lock(association.pk)
    association.board_meeting_interval_months = months
    association.clean_fields(
        exclude=[f.name for f in Association._meta.fields if f.name != "board_meeting_interval_months"]
    )
    association.save(update_fields=["board_meeting_interval_months", "updated_at"])
    _changed(association.pk, year, actor=actor)
    hooks.associations_changed(association_ids=[association.pk])  # every year's meetings fall due anew
    return association


# --- one association's year at once (the township grid and the compliance import) ----------------------


@transaction.atomic
def year_row_save(
    *,
    association: Association,
    year: int,
    row: YearRow,
    keep_blank: bool,
    actor: object,
    notify: bool = True,
    version: str | None = None,
) -> RowChanges:
    """Make `association`'s facts for `year` say what `row` says.

    The meetings of each kind in a filled cell become exactly the dates listed, by correcting the meetings
    on record (`_sync_meetings`: a changed date moves its meeting, minutes and note included); the filings
    and the note take the row's values, and only the values that changed are written. A blank
    cell clears the value on the grid (`keep_blank=False`, where the row shows what is stored) and leaves it
    alone in an import (`keep_blank=True`). A blank term end never changes the election on record.
    Raises ValidationError keyed by the row's field names, and StaleEdit when `version` (the grid's) is
    not the row's (`year_row_history`); nothing is written then."""
    _lock(association.pk)
    check_version(version, *year_row_history(association.pk, year))
    changes = RowChanges()
    synced: dict[str, list[Meeting]] = {}
    for name, kind in YEAR_ROW_MEETING_KINDS.items():
        wanted = getattr(row, name)
        if wanted is None and keep_blank:
            continue
        synced[kind] = _sync_meetings(association, year, kind, set(wanted or []), name, changes)
    if row.assembly_minutes_filed_on is not None or not keep_blank:
        assemblies = synced.get(Meeting.Kind.GENERAL_ASSEMBLY)
        _set_assembly_minutes(association, year, row.assembly_minutes_filed_on, changes, assemblies)
    changes.filing_changed = _save_filing(association, year, row, keep_blank)
    if row.term_ends_on is not None:
        changes.term_changed = _save_term_end(association, row.term_ends_on)
    if notify and changes.changed:
        _changed(association.pk, year, actor=actor)
    return changes


def _sync_meetings(
    association: Association,
    year: int,
    kind: str,
    wanted: set[datetime.date],
    field: str,
    changes: RowChanges,
) -> list[Meeting]:
    """Make the year's meetings of `kind` fall on exactly the `wanted` days, correcting rather than
    replacing: a meeting whose day is still listed is left alone; a day no longer listed and a new day are
    paired in date order, and that meeting moves to the new day (keeping its minutes, quorum, note and
    history); only the days left over are deleted (when the cell lists fewer days, or a meeting's minutes
    predate every new day) or added. `changes` records each move, deletion and addition.
    Returns the meetings of `kind` in the year as they now stand."""
    existing = {
        m.held_on: m for m in Meeting.objects.filter(association=association, kind=kind, held_on__year=year)
    }
    joint = _joint_days(association, year) if kind in JOINT_SHOWN_WITH else set()
    if doubled := sorted((wanted & joint) - set(existing)):
        raise ValidationError(
            {
                field: _("%(dates)s 已登錄為理監事聯席會議，無須再填；更正請至協會的清查頁。")
                % {"dates": "、".join(format_roc(day) for day in doubled)}
            }
        )
    rename = {"held_on": field, "kind": field, "minutes_filed_on": field, "__all__": field}
    gone = sorted(day for day in existing if day not in wanted)
    new_days = sorted(wanted - set(existing))
    current = [m for day, m in existing.items() if day in wanted]
    unpaired = list(new_days)
    for old_day in gone:
        meeting = existing[old_day]
        # A meeting whose minutes were filed before the new day cannot have been held on it: that day is
        # another meeting, not a correction of this one.
        new_day = next(
            (d for d in unpaired if not meeting.minutes_filed_on or meeting.minutes_filed_on >= d), None
        )
        if new_day is None:
            meeting.delete()
            changes.meetings_removed.append((kind, old_day))
            continue
        unpaired.remove(new_day)
        meeting.held_on = new_day
        _clean(meeting, rename)
        meeting.save(update_fields=["held_on"])
        changes.meetings_moved.append((kind, old_day, new_day))
        current.append(meeting)
    for day in unpaired:
        meeting = Meeting(association=association, kind=kind, held_on=day)
        _clean(meeting, rename)
        meeting.save()
        changes.meetings_added.append((kind, day))
        current.append(meeting)
    return current


#: The grid's cells that also show the year's joint board and supervisors meetings (理監事聯席會議).
JOINT_SHOWN_WITH = frozenset({Meeting.Kind.BOARD, Meeting.Kind.SUPERVISORY})


def _joint_days(association: Association, year: int) -> set[datetime.date]:
    return set(
        Meeting.objects.filter(
            association=association, kind=Meeting.Kind.JOINT, held_on__year=year
        ).values_list("held_on", flat=True)
    )


def counted_assembly(assemblies: list[Meeting]) -> Meeting | None:
    """The general assembly whose minutes the grid shows and sets: the year's last one held with a quorum
    (the one the rules count), else the last one."""
    held = [m for m in assemblies if m.quorum_met]
    return max(held or assemblies, key=lambda m: m.held_on, default=None)


def _set_assembly_minutes(
    association: Association,
    year: int,
    filed_on: datetime.date | None,
    changes: RowChanges,
    assemblies: list[Meeting] | None = None,
) -> None:
    """Put `filed_on` on the year's counted general assembly (`counted_assembly`). `assemblies` is the
    year's general assemblies when the caller has just synced them; otherwise they are read."""
    if assemblies is None:
        assemblies = list(
            Meeting.objects.filter(
                association=association, kind=Meeting.Kind.GENERAL_ASSEMBLY, held_on__year=year
            )
        )
    counted = counted_assembly(assemblies)
    if counted is None or counted.minutes_filed_on == filed_on:
        return
    counted.minutes_filed_on = filed_on
    _clean(counted, {"minutes_filed_on": "assembly_minutes_filed_on", "__all__": "assembly_minutes_filed_on"})
    counted.save(update_fields=["minutes_filed_on"])
    changes.filing_changed = True


def _save_filing(association: Association, year: int, row: YearRow, keep_blank: bool) -> bool:
    filing = YearlyFiling.objects.filter(association=association, year=year).first() or YearlyFiling(
        association=association, year=year
    )
    changed: list[str] = []
    for name in ("plan_budget_filed_on", "report_accounts_filed_on", "note"):
        value = getattr(row, name)
        if value is None and keep_blank:
            continue
        if value is None and name == "note":
            value = ""
        if getattr(filing, name) != value:
            setattr(filing, name, value)
            changed.append(name)
    if not changed:
        return False
    if filing.pk is None and not (
        filing.plan_budget_filed_on or filing.report_accounts_filed_on or filing.note
    ):
        return False
    _clean(filing, {})
    filing.save(update_fields=changed if filing.pk else None)
    return True


def _save_term_end(association: Association, term_ends_on: datetime.date) -> bool:
    election = association.elections.order_by("-term_ends_on", "-pk").first()
    if election is not None and election.term_ends_on == term_ends_on:
        return False
    if election is None:
        election = Election(association=association, term_number=association.term_number)
    election.term_ends_on = term_ends_on
    _clean(
        election, {"term_ends_on": "term_ends_on", "__all__": "term_ends_on", "term_number": "term_ends_on"}
    )
    election.save(update_fields=["term_ends_on"] if election.pk else None)
    return True


def _clean(instance: object, rename: dict[str, str]) -> None:
    """full_clean, with the model's field names turned into the row's field names for the message."""
    try:
        instance.full_clean()
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for name, messages in exc.message_dict.items():
            errors.setdefault(rename.get(name, name), []).extend(messages)
        raise ValidationError(errors) from exc
