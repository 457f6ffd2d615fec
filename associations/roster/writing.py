"""Writing: a roster plan applied in bulk (the pipeline holds the transaction), with the history rows
that name the import's record."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from associations.compliance import hooks
from associations.models import Association, Officer
from associations.roster.planning import RosterPlan
from core.bulk import bulk_insert
from core.history import CHANGED, CREATED, copy_to_history
from core.models import ImportRecord

UPDATE_BATCH = 1000  # bulk_update builds one CASE per field; larger batches get slower, not faster


def write_roster(plan: RosterPlan, *, record: ImportRecord, user: object) -> None:
    reason = _("名冊匯入（匯入紀錄 #%(id)d）") % {"id": record.pk}
    _write(
        plan=plan,
        user=user,
        record=record,
        reason=reason[:100],
        stamp=timezone.now(),
        memberships=plan.memberships,
        links=plan.links,
    )


def rejudge_status_changes(plan: RosterPlan, *, user: object) -> list[str]:
    """A status the roster changed (an order to reorganise, a dissolution) is judged this year at once, as
    an edit of the association is (`associations.services.JUDGED_FIELDS`)."""
    hooks.associations_changed(
        association_ids=[
            *(association.pk for _row, association in plan.new),
            *(
                a.pk
                for _r, a, names in plan.changed
                if {"status", "board_meeting_interval_months"} & set(names)
            ),
        ]
    )
    changed = [association.pk for _row, association, names in plan.changed if "status" in names]
    if not changed:
        return []
    return hooks.facts_changed(association_ids=changed, year=timezone.localdate().year, actor=user)


def _write(
    *,
    plan: RosterPlan,
    user: object,
    record: ImportRecord,
    reason: str,
    stamp: datetime.datetime,
    memberships: dict[int, set[int]],
    links: dict[tuple[int, int], int],
) -> None:
    through = Association.villages.through
    who = {"user": user, "reason": reason, "stamp": stamp, "import_record": record}
    new_objects = [association for _row, association in plan.new]
    for association in new_objects:
        association.created_at = association.updated_at = stamp
    created = bulk_insert(Association, new_objects)
    copy_to_history(Association, (a.pk for a in created), history_type=CREATED, **who)
    for (row, _old), association in zip(plan.new, created, strict=True):
        if row.number in plan.new_villages:
            plan.villages[association.pk] = plan.new_villages[row.number]

    if plan.changed:
        fields = sorted({name for _r, _a, changed in plan.changed for name in changed} | {"updated_at"})
        changed_objects = [association for _r, association, _c in plan.changed]
        for association in changed_objects:
            association.updated_at = stamp
        Association.objects.bulk_update(changed_objects, fields, batch_size=UPDATE_BATCH)
        copy_to_history(Association, (a.pk for a in changed_objects), history_type=CHANGED, **who)

    if plan.villages:
        existing_ids = [pk for pk in plan.villages if pk in memberships]
        for start in range(0, len(existing_ids), UPDATE_BATCH):
            through.objects.filter(association_id__in=existing_ids[start : start + UPDATE_BATCH]).delete()
        new_links = through.objects.bulk_create(
            [
                through(association_id=a, village_id=v)
                for a, villages in plan.villages.items()
                for v in villages
            ]
        )
        for link in new_links:
            links[(link.association_id, link.village_id)] = link.pk
        memberships.update(plan.villages)
    if plan.villages or any(memberships.get(a.pk) for _r, a, _c in plan.changed):
        _snapshot_villages(reason=reason, stamp=stamp, links=links, memberships=memberships)

    touched = list({id(o): o for o in plan.officers_to_end + plan.officers_to_note}.values())
    if touched:
        Officer.objects.bulk_update(touched, ["term_end", "note"], batch_size=UPDATE_BATCH)
        copy_to_history(Officer, (o.pk for o in touched), history_type=CHANGED, **who)
    if plan.officers_new:
        new_officers = bulk_insert(Officer, [officer for _row, officer in plan.officers_new])
        copy_to_history(Officer, (o.pk for o in new_officers), history_type=CREATED, **who)


def _snapshot_villages(
    *,
    reason: str,
    stamp: datetime.datetime,
    links: dict[tuple[int, int], int],
    memberships: dict[int, set[int]],
) -> None:
    """simple-history keeps each historical row's villages in its own table; bulk writes skip that, so the
    villages every association had after this import are written for the history rows it created."""
    history_ids = dict(
        Association.history.filter(history_date=stamp, history_change_reason=reason).values_list(
            "id", "history_id"
        )
    )
    m2m_history = Association.history.model.villages.model
    m2m_history.objects.bulk_create(
        [
            m2m_history(
                history_id=history_id, id=links.get((pk, village)), association_id=pk, village_id=village
            )
            for pk, history_id in history_ids.items()
            for village in memberships.get(pk, ())
        ]
    )
