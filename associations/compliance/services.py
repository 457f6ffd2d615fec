"""Writes of the yearly compliance facts. Each runs in one transaction and then tells the registered judge
(`associations.compliance.hooks`, i.e. `grading`) which association's year changed, so its status and tier
are recomputed before the transaction commits."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

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


def _lock(association_id: int) -> None:
    """Serialise writes to one association's facts: a double-clicked Save then waits for the first and
    finds its meeting (the duplicate check) instead of failing on the database's unique constraint."""
    Association.objects.select_for_update().filter(pk=association_id).exists()


def _changed(association_id: int, *years: int, actor: object) -> None:
    for year in sorted(set(years)):
        hooks.facts_changed(association_ids=[association_id], year=year, actor=actor)


def _assign(instance: object, values: object) -> None:
    for name, value in dict(vars(values)).items():
        setattr(instance, name, value)


@transaction.atomic
def meeting_save(
    *, association: Association, values: MeetingValues, actor: object, meeting: Meeting | None = None
) -> Meeting:
    """Record a meeting of `association`, or correct `meeting` (one of its meetings) to `values`. Raises
    ValidationError (nothing written) when, once the association is locked, the meeting turns out to have
    been recorded meanwhile, e.g. by the first click of a double-clicked Save."""
    _lock(association.pk)
    if meeting is None:
        meeting, previous_year = Meeting(association=association), None
    else:
        meeting = Meeting.objects.get(pk=meeting.pk, association=association)
        previous_year = meeting.held_on.year
    _assign(meeting, values)
    meeting.full_clean()
    meeting.save()
    _changed(association.pk, meeting.held_on.year, *([previous_year] if previous_year else []), actor=actor)
    return meeting


@transaction.atomic
def meeting_delete(*, meeting: Meeting, actor: object) -> None:
    association_id, year = meeting.association_id, meeting.held_on.year
    meeting.delete()
    _changed(association_id, year, actor=actor)


@transaction.atomic
def yearly_filing_save(
    *, association: Association, year: int, values: FilingValues, actor: object
) -> YearlyFiling:
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
) -> Election:
    """Record an election of `association`, or correct `election` (one of its elections) to `values`.
    `year` is the compliance year the clerk is working on; a term spans several, and the others are
    brought up to date when the county recomputes them."""
    if election is None:
        election = Election(association=association)
    else:
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
    *, association: Association, values: ProgrammeValues, year: int, actor: object
) -> ProgrammeProfile:
    """The association's programmes; whether it runs a care station is kept on the association itself."""
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
    association.board_meeting_interval_months = months
    association.clean_fields(
        exclude=[f.name for f in Association._meta.fields if f.name != "board_meeting_interval_months"]
    )
    association.save(update_fields=["board_meeting_interval_months", "updated_at"])
    _changed(association.pk, year, actor=actor)
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
) -> RowChanges:
    """Make `association`'s facts for `year` say what `row` says.

    The meetings of each kind in a filled cell become exactly the dates listed (meetings already recorded
    on those dates keep their minutes and quorum); the filings and the note take the row's values. A blank
    cell clears the value on the grid (`keep_blank=False`, where the row shows what is stored) and leaves it
    alone in an import (`keep_blank=True`). A blank term end never changes the election on record.
    Raises ValidationError keyed by the row's field names; nothing is written then."""
    _lock(association.pk)
    changes = RowChanges()
    synced: dict[str, list[Meeting]] = {}
    for name, kind in YEAR_ROW_MEETING_KINDS.items():
        wanted = getattr(row, name)
        if wanted is None and keep_blank:
            continue
        added, removed, synced[kind] = _sync_meetings(association, year, kind, set(wanted or []), name)
        changes.meetings_added += added
        changes.meetings_removed += removed
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
    association: Association, year: int, kind: str, wanted: set[datetime.date], field: str
) -> tuple[int, int, list[Meeting]]:
    """Make the year's meetings of `kind` fall on exactly the `wanted` days. Returns how many were added and
    removed, and the meetings of `kind` in the year as they now stand."""
    existing = {
        m.held_on: m for m in Meeting.objects.filter(association=association, kind=kind, held_on__year=year)
    }
    removed = [m.pk for day, m in existing.items() if day not in wanted]
    Meeting.objects.filter(pk__in=removed).delete()
    kept = [m for day, m in existing.items() if day in wanted]
    created: list[Meeting] = []
    for day in sorted(wanted - set(existing)):
        meeting = Meeting(association=association, kind=kind, held_on=day)
        _clean(meeting, {"held_on": field, "kind": field, "minutes_filed_on": field, "__all__": field})
        meeting.save()
        created.append(meeting)
    current = [m for m in kept + created if m.held_on.year == year]
    return len(created), len(removed), current


def _set_assembly_minutes(
    association: Association,
    year: int,
    filed_on: datetime.date | None,
    changes: RowChanges,
    assemblies: list[Meeting] | None = None,
) -> None:
    """Put `filed_on` on the year's last general assembly. `assemblies` is the year's general assemblies
    when the caller has just synced them; otherwise they are read."""
    if assemblies is None:
        last = (
            Meeting.objects.filter(
                association=association, kind=Meeting.Kind.GENERAL_ASSEMBLY, held_on__year=year
            )
            .order_by("-held_on")
            .first()
        )
    else:
        last = max(assemblies, key=lambda m: m.held_on, default=None)
    if last is None or last.minutes_filed_on == filed_on:
        return
    last.minutes_filed_on = filed_on
    _clean(last, {"minutes_filed_on": "assembly_minutes_filed_on", "__all__": "assembly_minutes_filed_on"})
    last.save(update_fields=["minutes_filed_on"])
    changes.filing_changed = True


def _save_filing(association: Association, year: int, row: YearRow, keep_blank: bool) -> bool:
    filing = YearlyFiling.objects.filter(association=association, year=year).first() or YearlyFiling(
        association=association, year=year
    )
    changed = False
    for name in ("plan_budget_filed_on", "report_accounts_filed_on", "note"):
        value = getattr(row, name)
        if value is None and keep_blank:
            continue
        if value is None and name == "note":
            value = ""
        if getattr(filing, name) != value:
            setattr(filing, name, value)
            changed = True
    if not changed:
        return False
    if filing.pk is None and not (
        filing.plan_budget_filed_on or filing.report_accounts_filed_on or filing.note
    ):
        return False
    _clean(filing, {})
    filing.save()
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
    election.save()
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
