"""Writes of `grading`: recomputing a year's statuses and tiers from the facts, overriding a tier, editing a
year's thresholds, finalising and reopening a register. Registers and thresholds are per county and year: a
write acts on one county's (the actor's working county unless `county` says which; another county's is
refused). Each locks the register row first, so they serialise with each other, checks the role, the county
and the state (`grading.permissions`), and records a history entry (TierChange) for every tier that
changes."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from associations import access
from associations.models import Association, County
from core.dates import format_roc_year
from grading import duties, permissions
from grading.facts import associations_of, load_facts
from grading.messages import message, record_text, render
from grading.models import Assessment, Tier, TierChange, TierRegister, TierThresholds
from grading.providers import programme_counts
from grading.rules import evaluate, status_from
from grading.tiers import suggest_tier

BATCH_SIZE = 1000

#: `json.dumps(value, ensure_ascii=False)` without building an encoder per value and without the check for
#: circular references (the values are fresh lists and dicts): a year's recompute encodes ~30,000 of them.
_to_json_text = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


class GradingError(Exception):
    """An action refused for a reason a person can act on; the message is in Chinese."""


@dataclass
class RecomputeResult:
    year: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    tier_changes: int = 0
    skipped_finalised: bool = False

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


# --- reads used by the writes ----------------------------------------------------------------------------


def thresholds_in_force(*, county_id: int, year: int) -> TierThresholds:
    """The county's thresholds of the year; a year without its own (then unsaved) starts from the county's
    latest earlier year's, or from the model's defaults. A read: the thresholds page writes nothing."""
    of_county = TierThresholds.objects.filter(county_id=county_id)
    existing = of_county.filter(year=year).first()
    if existing is not None:
        return existing
    previous = of_county.filter(year__lt=year).order_by("-year").first()
    defaults = previous.snapshot() if previous else {}
    return TierThresholds(county_id=county_id, year=year, **defaults)


def thresholds_for(*, county_id: int, year: int) -> TierThresholds:
    """The county's thresholds of the year, stored on first use so every later judgment uses the same."""
    thresholds = thresholds_in_force(county_id=county_id, year=year)
    if thresholds.pk is None:
        thresholds, _created = TierThresholds.objects.get_or_create(
            county_id=county_id, year=year, defaults=thresholds.snapshot()
        )
    return thresholds


def _county_id(county: County | None, actor: object) -> int:
    """The county a write acts on: the one named, else the actor's working county; none at all is refused."""
    county_id = county.pk if county is not None else access.county_id_of(actor)
    if county_id is None:
        raise PermissionDenied(_("這個帳號沒有所屬的縣市。"))
    return county_id


def _register(county_id: int, year: int, *, lock: bool) -> TierRegister:
    register, _created = TierRegister.objects.get_or_create(county_id=county_id, year=year)
    if lock:
        register = TierRegister.objects.select_for_update().get(pk=register.pk)
    return register


def _require(user: object, action: str, register: TierRegister) -> None:
    """A role that may never take the action is refused (403); a role that may, at the wrong moment (the
    register's state), gets a reason it can act on."""
    decision = permissions.decide(user, action, register)
    if decision.forbidden:
        raise PermissionDenied(decision.reason)
    if not decision:
        raise GradingError(decision.reason)


def _reason(text: str) -> str:
    # Stripped only: NFKC would turn the full-width punctuation people type into ASCII.
    reason = (text or "").strip()
    if not reason:
        raise GradingError(_("請填寫理由。"))
    return reason


# --- recompute -------------------------------------------------------------------------------------------


@transaction.atomic
def assessments_recompute(
    *,
    year: int,
    actor: object,
    county: County | None = None,
    as_of: datetime.date | None = None,
    associations: QuerySet[Association] | None = None,
) -> RecomputeResult:
    """Recompute every active association of the county for `year` (or those of it in `associations`), as
    a county officer or administrator asked. Refused once the county's register is finalised."""
    register = _register(_county_id(county, actor), year, lock=True)
    _require(actor, "recompute", register)
    return _recompute(
        register=register, actor=actor, as_of=as_of, associations=associations, with_duties=True
    )


@transaction.atomic
def assessments_recompute_system(
    *, county: County, year: int, as_of: datetime.date | None = None
) -> RecomputeResult:
    """The same recompute of one county run from the server (`manage.py recompute_grading`, the benchmark),
    where no portal user acts; history entries name no one. Refused once the register is finalised."""
    register = _register(county.pk, year, lock=True)
    if register.is_finalised:
        raise GradingError(
            _("%(county)s%(year)s的分級清冊已定案，不可修改。")
            % {"county": county.name, "year": format_roc_year(year)}
        )
    return _recompute(register=register, actor=None, as_of=as_of, associations=None, with_duties=True)


@transaction.atomic
def assessments_refresh(
    *, association_ids: Iterable[int], year: int, actor: object = None, with_duties: bool = False
) -> RecomputeResult:
    """Recompute a few associations after their facts changed (the clerk who changed them is `actor`),
    under their own county's register. A county whose register of the year is finalised is left as it was.
    `with_duties`: their to-do duties of the year are rewritten too, finalised or not (what is still to do
    is not frozen with the register), from the facts the judgment read."""
    scope = associations_of(association_ids)
    result = RecomputeResult(year=year)
    county_ids = sorted(set(scope.order_by().values_list("township__county_id", flat=True)))
    for county_id in county_ids:  # registers locked in one fixed order
        register = _register(county_id, year, lock=True)
        of_county = scope.filter(township__county_id=county_id)
        if register.is_finalised:
            result.skipped_finalised = True
            if with_duties:
                duties.refresh(associations=of_county, years=[year])
            continue
        part = _recompute(
            register=register,
            actor=actor,
            as_of=None,
            associations=of_county,
            with_duties=with_duties,
        )
        result.created += part.created
        result.updated += part.updated
        result.unchanged += part.unchanged
        result.tier_changes += part.tier_changes
    return result


def _recompute(
    *,
    register: TierRegister,
    actor: object,
    as_of: datetime.date | None,
    associations: QuerySet[Association] | None,
    thresholds: dict[str, int] | None = None,
    with_duties: bool = False,
) -> RecomputeResult:
    """`thresholds` is the year's thresholds' snapshot when the caller already holds it; otherwise they are
    read (and stored on first use, `thresholds_for`). `with_duties`: a recompute of a year also rewrites the
    county's to-do duties of that year (`grading.duties`; the term only when the year is outside the list's
    window), from the facts the judgment read."""
    # The rule messages and tier reasons written here are the county's record of the judgment, read by
    # every user and printed in the register export: always in the portal's own language, whichever
    # language the person whose edit triggered the recompute has chosen.
    with translation.override(settings.LANGUAGE_CODE):
        return _recompute_in_portal_language(
            register=register,
            actor=actor,
            as_of=as_of,
            associations=associations,
            thresholds=thresholds,
            with_duties=with_duties,
        )


def _recompute_in_portal_language(
    *,
    register: TierRegister,
    actor: object,
    as_of: datetime.date | None,
    associations: QuerySet[Association] | None,
    thresholds: dict[str, int] | None,
    with_duties: bool,
) -> RecomputeResult:
    year = register.year
    as_of = as_of or timezone.localdate()
    now = timezone.now()
    if thresholds is None:
        thresholds = thresholds_for(county_id=register.county_id, year=year).snapshot()
    scope = Association.objects.active().filter(township__county_id=register.county_id)
    if associations is not None:
        scope = scope.filter(pk__in=associations.order_by().values("pk"))
    facts = load_facts(scope, year=year)
    counts = programme_counts(associations=scope, year=year, thresholds=thresholds)
    existing = {
        row["association_id"]: row
        for row in Assessment.objects.filter(year=year, association__in=scope.values("pk")).values(
            "association_id", "status", "rules", "suggested_tier", "tier_trail"
        )
    }
    result = RecomputeResult(year=year)
    to_write: list[tuple[int, dict[str, object]]] = []  # (association id, row): no model per row
    changes: list[tuple[int, str, str, dict[str, object]]] = []  # (association id, from, to, reason)
    user = actor if getattr(actor, "is_authenticated", False) else None
    for association_id, association_facts in facts.items():
        results = evaluate(association_facts, as_of)
        status = status_from(results)
        association_counts = counts.get(association_id, [])
        suggestion = suggest_tier(status=status, counts=association_counts, thresholds=thresholds)
        row = {
            "status": str(status),
            "rules": [r.to_json() for r in results],
            "suggested_tier": str(suggestion.tier),
            "tier_trail": suggestion.trail(association_counts, thresholds),
        }
        before = existing.get(association_id)
        if before is None:
            result.created += 1
        elif all(before[key] == value for key, value in row.items()):
            result.unchanged += 1
            continue
        else:
            result.updated += 1
        to_write.append((association_id, row))
        previous_tier = before["suggested_tier"] if before else ""
        if previous_tier != row["suggested_tier"]:
            changes.append((association_id, previous_tier, row["suggested_tier"], suggestion.reason))
    _assessments_upsert(to_write, year=year, as_of=as_of, computed_at=now)
    _tier_changes_insert(changes, county_id=register.county_id, year=year, user=user, changed_at=now)
    result.tier_changes = len(changes)
    register.recomputed_at = now
    register.save(update_fields=["recomputed_at"])
    if with_duties:
        of_county = Association.objects.filter(township__county_id=register.county_id)
        if associations is not None:
            of_county = of_county.filter(pk__in=associations.order_by().values("pk"))
        duties.refresh(
            associations=of_county,
            years=[year],
            facts={(pk, year): association_facts for pk, association_facts in facts.items()},
        )
    return result


def _assessments_upsert(
    rows: list[tuple[int, dict[str, object]]],
    *,
    year: int,
    as_of: datetime.date,
    computed_at: datetime.datetime,
) -> None:
    """Insert or update the recomputed assessments, (association id, row) of one year, as_of and
    computed_at. On PostgreSQL one INSERT … SELECT FROM unnest(…) ON CONFLICT per batch: Django's
    bulk_create prepared every one of the ~2 KB JSON values field by field and built a model per row,
    over half of a year's recompute."""
    if connection.vendor != "postgresql":
        Assessment.objects.bulk_create(
            [
                Assessment(association_id=pk, year=year, as_of=as_of, computed_at=computed_at, **row)
                for pk, row in rows
            ],
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["association", "year"],
            update_fields=["status", "rules", "as_of", "suggested_tier", "tier_trail", "computed_at"],
        )
        return
    sql = f"""
        INSERT INTO {Assessment._meta.db_table}
            (association_id, year, status, rules, as_of, suggested_tier, tier_trail, override_reason,
             computed_at)
        SELECT u.association_id, %s, u.status, u.rules::jsonb, %s, u.suggested_tier, u.tier_trail::jsonb,
            '', %s
        FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[])
            AS u(association_id, status, rules, suggested_tier, tier_trail)
        ON CONFLICT (association_id, year) DO UPDATE SET
            status = EXCLUDED.status, rules = EXCLUDED.rules, as_of = EXCLUDED.as_of,
            suggested_tier = EXCLUDED.suggested_tier, tier_trail = EXCLUDED.tier_trail,
            computed_at = EXCLUDED.computed_at
    """
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            cursor.execute(
                sql,
                [
                    year,
                    as_of,
                    computed_at,
                    [pk for pk, _row in batch],
                    [row["status"] for _pk, row in batch],
                    [_to_json_text(row["rules"]) for _pk, row in batch],
                    [row["suggested_tier"] for _pk, row in batch],
                    [_to_json_text(row["tier_trail"]) for _pk, row in batch],
                ],
            )


def _tier_changes_insert(
    changes: list[tuple[int, str, str, dict[str, object]]],
    *,
    county_id: int,
    year: int,
    user: object,
    changed_at: datetime.datetime,
) -> None:
    """Insert the recompute's suggested-tier changes, (association id, from tier, to tier, reason message),
    each keeping its reason as the code and parameters shown in the reader's language and, as the record, in
    the portal's (this runs in it: `_recompute_in_portal_language`); on
    PostgreSQL as one INSERT … SELECT FROM unnest(…) per batch, for the reason given at
    `_assessments_upsert`."""
    if not changes:
        return
    if connection.vendor != "postgresql":
        TierChange.objects.bulk_create(
            [
                TierChange(
                    county_id=county_id,
                    year=year,
                    association_id=pk,
                    kind=TierChange.Kind.SUGGESTED,
                    from_tier=from_tier,
                    to_tier=to_tier,
                    reason=render(reason_message),
                    reason_message=reason_message,
                    changed_by=user,
                    changed_at=changed_at,
                )
                for pk, from_tier, to_tier, reason_message in changes
            ],
            batch_size=BATCH_SIZE,
        )
        return
    sql = f"""
        INSERT INTO {TierChange._meta.db_table}
            (county_id, year, kind, changed_by_id, changed_at, association_id, from_tier, to_tier, reason,
             reason_message)
        SELECT %s, %s, %s, %s, %s, u.association_id, u.from_tier, u.to_tier, u.reason, u.message::jsonb
        FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[])
            AS u(association_id, from_tier, to_tier, reason, message)
    """
    texts: dict[str, str] = {}  # a reason's text per stored form: a few dozen reasons among thousands
    with connection.cursor() as cursor:
        for start in range(0, len(changes), BATCH_SIZE):
            batch = changes[start : start + BATCH_SIZE]
            stored = [_to_json_text(change[3]) for change in batch]
            cursor.execute(
                sql,
                [
                    county_id,
                    year,
                    TierChange.Kind.SUGGESTED.value,
                    getattr(user, "pk", None),
                    changed_at,
                    [change[0] for change in batch],
                    [change[1] for change in batch],
                    [change[2] for change in batch],
                    [
                        texts.get(key) or texts.setdefault(key, render(change[3]))
                        for key, change in zip(stored, batch, strict=True)
                    ],
                    stored,
                ],
            )


# --- overrides -------------------------------------------------------------------------------------------


@transaction.atomic
def assessment_override(*, assessment: Assessment, tier: str, reason: str, actor: object) -> Assessment:
    """A county officer sets the tier in force, with a written reason."""
    register = _register(_assessment_county_id(assessment), assessment.year, lock=True)
    _require(actor, "override", register)
    row = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if tier not in Tier.values:
        raise GradingError(_("請選擇分級。"))
    reason = _reason(reason)
    if tier == row.tier:
        raise GradingError(_("核定分級與目前分級相同（%(tier)s），不需調整。") % {"tier": Tier(tier).label})
    before = row.tier
    row.override_tier = tier
    row.override_reason = reason
    row.overridden_by = actor
    row.overridden_at = timezone.now()
    _save(row, ["override_tier", "override_reason", "overridden_by", "overridden_at"])
    TierChange.objects.create(
        county_id=register.county_id,
        year=row.year,
        association_id=row.association_id,
        kind=TierChange.Kind.OVERRIDDEN,
        from_tier=before,
        to_tier=tier,
        reason=reason,
        changed_by=actor,
        changed_at=row.overridden_at,
    )
    return row


@transaction.atomic
def assessment_override_clear(*, assessment: Assessment, reason: str, actor: object) -> Assessment:
    """A county officer withdraws an override, so the suggested tier is in force again."""
    register = _register(_assessment_county_id(assessment), assessment.year, lock=True)
    _require(actor, "clear_override", register)
    row = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not row.is_overridden:
        raise GradingError(_("這筆分級沒有人工調整可以取消。"))
    reason = _reason(reason)
    before = row.tier
    row.override_tier = None
    row.override_reason = ""
    row.overridden_by = None
    row.overridden_at = None
    _save(row, ["override_tier", "override_reason", "overridden_by", "overridden_at"])
    TierChange.objects.create(
        county_id=register.county_id,
        year=row.year,
        association_id=row.association_id,
        kind=TierChange.Kind.OVERRIDE_CLEARED,
        from_tier=before,
        to_tier=row.suggested_tier,
        reason=reason,
        changed_by=actor,
    )
    return row


# --- thresholds and the register's state ----------------------------------------------------------------


@transaction.atomic
def thresholds_update(
    *,
    year: int,
    actor: object,
    potential_min_activities: int,
    developing_min_activities: int,
    volunteer_team_min_size: int,
    county: County | None = None,
) -> RecomputeResult | None:
    """Change a county's thresholds of a year; its suggestions are recomputed at once if it has any."""
    county_id = _county_id(county, actor)
    register = _register(county_id, year, lock=True)
    _require(actor, "edit_thresholds", register)
    thresholds = TierThresholds.objects.select_for_update().get(
        pk=thresholds_for(county_id=county_id, year=year).pk
    )
    before = thresholds.snapshot()
    thresholds.potential_min_activities = potential_min_activities
    thresholds.developing_min_activities = developing_min_activities
    thresholds.volunteer_team_min_size = volunteer_team_min_size
    thresholds.updated_by = actor
    _save(thresholds, [*before, "updated_by", "updated_at"])
    after = thresholds.snapshot()
    if after == before:
        return None
    summary = message(
        "thresholds_changed",
        changes=[
            message("threshold_change", name=name, before=before[name], after=after[name])
            for name in after
            if before[name] != after[name]
        ],
    )
    TierChange.objects.create(
        county_id=county_id,
        year=year,
        kind=TierChange.Kind.THRESHOLDS,
        reason=record_text(summary),
        reason_message=summary,
        changed_by=actor,
    )
    if Assessment.objects.filter(year=year, association__township__county_id=county_id).exists():
        return _recompute(register=register, actor=actor, as_of=None, associations=None, thresholds=after)
    return None


@transaction.atomic
def register_finalise(*, year: int, actor: object, county: County | None = None) -> TierRegister:
    """A county officer fixes their county's register of the year; from then on it is read-only."""
    county_id = _county_id(county, actor)
    register = _register(county_id, year, lock=True)
    _require(actor, "finalise", register)
    assessed = Assessment.objects.filter(year=year, association__township__county_id=county_id)
    if not assessed.exists():
        raise GradingError(
            _("%(year)s尚未計算任何協會的分級，請先重新計算。") % {"year": format_roc_year(year)}
        )
    missing = (
        Association.objects.active()
        .filter(township__county_id=county_id)
        .exclude(pk__in=assessed.values("association_id"))
        .count()
    )
    if missing:
        raise GradingError(
            _("尚有 %(n)d 個協會未計算%(year)s的分級，請先重新計算。")
            % {"n": missing, "year": format_roc_year(year)}
        )
    now = timezone.now()
    register.state = TierRegister.State.FINALISED
    register.finalised_at = now
    register.finalised_by = actor
    _save(register, ["state", "finalised_at", "finalised_by"])
    entries = [
        TierChange(
            county_id=county_id, year=year, kind=TierChange.Kind.FINALISED, changed_by=actor, changed_at=now
        ),
        *(
            TierChange(
                county_id=county_id,
                year=year,
                association_id=association_id,
                kind=TierChange.Kind.FINALISED,
                from_tier=tier,
                to_tier=tier,
                changed_by=actor,
                changed_at=now,
            )
            for association_id, tier in assessed.with_tier().values_list("association_id", "tier_in_force")
        ),
    ]
    TierChange.objects.bulk_create(entries, batch_size=BATCH_SIZE)
    return register


@transaction.atomic
def register_reopen(*, year: int, reason: str, actor: object, county: County | None = None) -> TierRegister:
    """An administrator reopens a county's finalised register to correct it; the reason is kept in the
    history."""
    county_id = _county_id(county, actor)
    register = _register(county_id, year, lock=True)
    _require(actor, "reopen", register)
    reason = _reason(reason)
    register.state = TierRegister.State.OPEN
    register.finalised_at = None
    register.finalised_by = None
    _save(register, ["state", "finalised_at", "finalised_by"])
    TierChange.objects.create(
        county_id=county_id, year=year, kind=TierChange.Kind.REOPENED, reason=reason, changed_by=actor
    )
    return register


def _assessment_county_id(assessment: Assessment) -> int:
    return (
        Association.objects.filter(pk=assessment.association_id)
        .values_list("township__county_id", flat=True)
        .get()
    )


def _save(instance: object, fields: list[str]) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise GradingError(" ".join(exc.messages)) from exc
    instance.save(update_fields=fields)
