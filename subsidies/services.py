"""Writes of `subsidies`. Services take plain keyword values (never forms or requests), run in one
transaction and change nothing when they refuse.

Every change of an application's state goes through `application_transition`: it locks the application
row, checks the workflow (`subsidies.workflow.decide`: role, scope, state), then the rules of the action
under that lock, locking the allocation rows it draws on in a fixed order (by primary key), and records a
`Transition` (who, when, from, to, note)."""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.access import role_of
from associations.models import Association, County
from core.concurrency import check_version
from core.dates import format_roc_year, roc_year
from core.roles import Role
from grading.eligibility import standing
from subsidies import workflow
from subsidies.models import (
    COMMITTED_STATES,
    EDITABLE_STATES,
    Allocation,
    Application,
    Attachment,
    Batch,
    CostLine,
    ExpenseKind,
    FundingLine,
    FundingSource,
    SelfFundingMinimum,
    State,
    SubsidyItem,
    Transition,
)


class SubsidyError(Exception):
    """A step refused for a reason a person can act on; the message is in Chinese."""


@dataclass(frozen=True)
class CostInput:
    kind: str
    description: str
    amount: int
    #: The stored line this one is (the edit form carries it): that line is changed in place. None: a new
    #: line.
    id: int | None = None


@dataclass(frozen=True)
class FundingInput:
    source_id: int
    kind: str
    requested: int


# --- configuration ---------------------------------------------------------------------------------------

DEFAULT_SOURCES = [
    ("衛生福利部推展社會福利補助", FundingSource.Kind.MINISTRY, "衛福部、衛生福利部、推展社會福利補助"),
    ("縣社會福利基金", FundingSource.Kind.COUNTY, "社會福利基金、社福基金"),
    ("公益彩券盈餘分配款", FundingSource.Kind.COUNTY, "公益彩券、彩券盈餘"),
    ("公務預算", FundingSource.Kind.COUNTY, "縣公務預算"),
    ("鄉鎮市公所預算", FundingSource.Kind.TOWNSHIP, "公所預算、鄉鎮市公所"),
    ("自籌", FundingSource.Kind.SELF, "自籌款"),
]
DEFAULT_ITEMS = [
    ("社區活動中心興修建", ExpenseKind.CAPITAL),
    ("充實設施設備", ExpenseKind.CAPITAL),
    ("凝聚社區意識活動", ExpenseKind.RECURRENT),
    ("福利社區化服務方案", ExpenseKind.RECURRENT),
    ("社區人力培訓", ExpenseKind.RECURRENT),
    ("社區刊物", ExpenseKind.RECURRENT),
    ("觀摩活動", ExpenseKind.RECURRENT),
    ("旗艦型計畫", ExpenseKind.RECURRENT),
]


def default_minimum(source: FundingSource, item: SubsidyItem) -> int:
    """National rules: 20% of recurrent and 30% of capital costs; county sources at least 5% (苗栗)."""
    if source.kind == FundingSource.Kind.MINISTRY:
        return 30 if item.kind == ExpenseKind.CAPITAL else 20
    if source.kind == FundingSource.Kind.COUNTY:
        return 5
    return 0


@transaction.atomic
def configuration_ensure(*, county: County, year: int) -> None:
    """Give a county the default sources and items if it has none, and the year a zero allocation and a
    default minimum for every pair that lacks one. Keeps whatever is already configured."""
    if not FundingSource.objects.filter(county=county).exists():
        for order, (name, kind, aliases) in enumerate(DEFAULT_SOURCES, start=1):
            FundingSource.objects.create(
                county=county, name=name, kind=kind, aliases=aliases, sort_order=order
            )
    if not SubsidyItem.objects.filter(county=county).exists():
        for order, (name, kind) in enumerate(DEFAULT_ITEMS, start=1):
            SubsidyItem.objects.create(county=county, name=name, kind=kind, sort_order=order)
    sources = list(FundingSource.objects.filter(county=county).exclude(kind=FundingSource.Kind.SELF))
    items = list(SubsidyItem.objects.filter(county=county))
    for source in sources:
        Allocation.objects.get_or_create(source=source, year=year)
        for item in items:
            SelfFundingMinimum.objects.get_or_create(
                source=source, item=item, year=year, defaults={"percent": default_minimum(source, item)}
            )


@transaction.atomic
def configuration_copy(*, county: County, from_year: int, to_year: int) -> int:
    """Copy a year's allocations and minimums to another year; rows the target year already has are kept.
    Answers how many rows were created."""
    created = 0
    for allocation in Allocation.objects.filter(source__county=county, year=from_year):
        _row, made = Allocation.objects.get_or_create(
            source_id=allocation.source_id,
            year=to_year,
            defaults={
                "recurrent_amount": allocation.recurrent_amount,
                "capital_amount": allocation.capital_amount,
            },
        )
        created += made
    for minimum in SelfFundingMinimum.objects.filter(source__county=county, year=from_year):
        _row, made = SelfFundingMinimum.objects.get_or_create(
            source_id=minimum.source_id,
            item_id=minimum.item_id,
            year=to_year,
            defaults={"percent": minimum.percent},
        )
        created += made
    return created


def find_source(*, county: County, name: str) -> FundingSource | None:
    """A source by its name or one of its aliases (「社會福利基金」 finds 縣社會福利基金)."""
    key = (name or "").strip().replace(" ", "").replace("　", "")
    if not key:
        return None
    for source in FundingSource.objects.filter(county=county):
        if key == source.name.replace(" ", "") or key in source.alias_list():
            return source
    return None


# --- applications ----------------------------------------------------------------------------------------


def township_short_name(name: str) -> str:
    """竹南鎮 → 竹南 for case numbers; a two-character name keeps its suffix (e.g. 東區)."""
    return name[:-1] if len(name) > 2 and name[-1] in "鄉鎮市區" else name


def _check_contents(
    *,
    year: int,
    starts_on: datetime.date,
    ends_on: datetime.date,
    costs: Sequence[CostInput],
    funding: Sequence[FundingInput],
) -> None:
    if starts_on > ends_on:
        raise SubsidyError(_("期程結束日不可早於開始日。"))
    if ends_on > datetime.date(year, 12, 31) or starts_on.year < year - 1:
        raise SubsidyError(_("計畫期程必須在%(year)s12月31日前結束。") % {"year": format_roc_year(year)})
    for line in [*costs, *funding]:
        amount = line.amount if isinstance(line, CostInput) else line.requested
        if not isinstance(amount, int) or amount < 0:
            raise SubsidyError(_("金額必須是不小於 0 的整數（新臺幣元）。"))


@transaction.atomic
def application_save(
    *,
    actor: object,
    association: Association,
    year: int,
    item: SubsidyItem,
    title: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    self_funded: int,
    costs: Sequence[CostInput],
    funding: Sequence[FundingInput],
    application: Application | None = None,
    version: str | None = None,
) -> Application:
    """Create a draft (for the association, by its township clerk) or change an editable one. The cost and
    funding lines given become the stored ones, each edited in place (`_keep_cost_lines`,
    `_keep_funding_lines`): a line kept keeps its row. `version` is the one the edit form showed
    (`application_history`): raises StaleEdit, changing nothing, when the application (its contents or its
    state) changed since."""
    if role_of(actor) != Role.TOWNSHIP:
        raise PermissionDenied(_("申請案由公所承辦人代協會填寫。"))
    county = association.township.county
    if application is None:
        County.objects.select_for_update().get(pk=county.pk)  # numbers are handed out one at a time
        application = Application(county=county, association=association, year=year)
        if not workflow.in_scope(actor, application):
            raise PermissionDenied(_("只能處理所轄範圍內的申請案。"))
        number = (
            Application.objects.filter(county=county, year=year).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        application.number = number
        application.case_number = (
            f"{roc_year(year)}-{township_short_name(association.township.name)}-{number:03d}"
        )
    else:
        application = Application.objects.select_for_update().get(pk=application.pk)
        if not workflow.in_scope(actor, application):
            raise PermissionDenied(_("只能處理所轄範圍內的申請案。"))
        check_version(version, application_history(application.pk))
        if application.state not in EDITABLE_STATES:
            raise SubsidyError(
                _("申請案目前為「%(state)s」，不能修改。") % {"state": application.get_state_display()}
            )
        if application.year != year or application.association_id != association.pk:
            raise SubsidyError(_("申請案的協會與年度不能修改。"))
    if item.county_id != county.pk:
        raise SubsidyError(_("補助項目不屬於本縣市。"))
    sources = {s.pk: s for s in FundingSource.objects.filter(county=county)}
    for line in funding:
        source = sources.get(line.source_id)
        if source is None or source.kind == FundingSource.Kind.SELF:
            raise SubsidyError(_("請選擇本縣市的補助經費來源（自籌款另外填寫）。"))
    _check_contents(year=year, starts_on=starts_on, ends_on=ends_on, costs=costs, funding=funding)
    if self_funded < 0:
        raise SubsidyError(_("金額必須是不小於 0 的整數（新臺幣元）。"))
    application.item = item
    application.title = title.strip()
    application.starts_on = starts_on
    application.ends_on = ends_on
    application.self_funded = self_funded
    application.updated_at = timezone.now()
    application.full_clean(exclude=["county", "association", "item"])
    application._history_user = actor  # type: ignore[attr-defined]  # read by simple-history
    application.save()
    _keep_cost_lines(application, costs)
    _keep_funding_lines(application, funding)
    if not application.transitions.exists():
        Transition.objects.create(
            application=application,
            action="create",
            from_state="",
            to_state=State.DRAFT,
            actor=actor,
            note=_("公所代協會建立申請案。"),
        )
    return application


def _keep_cost_lines(application: Application, costs: Sequence[CostInput]) -> None:
    """Make the application's cost lines `costs`: a line naming one of its stored lines (`CostInput.id`)
    changes that row where it differs, the others are added, and the stored lines no longer given are
    removed. A correction changes only what it corrects: never delete and recreate a line to edit it."""
    stored = {line.pk: line for line in CostLine.objects.filter(application=application)}
    changed, added = [], []
    for cost in costs:
        line = stored.pop(cost.id, None) if cost.id is not None else None
        if line is None:
            added.append(
                CostLine(
                    application=application, kind=cost.kind, description=cost.description, amount=cost.amount
                )
            )
        elif (line.kind, line.description, line.amount) != (cost.kind, cost.description, cost.amount):
            line.kind, line.description, line.amount = cost.kind, cost.description, cost.amount
            changed.append(line)
    if stored:
        CostLine.objects.filter(pk__in=stored).delete()
    if changed:
        CostLine.objects.bulk_update(changed, ["kind", "description", "amount"])
    if added:
        CostLine.objects.bulk_create(added)


def _keep_funding_lines(application: Application, funding: Sequence[FundingInput]) -> None:
    """Make the application's funding lines `funding`, one per source and kind as the table holds them: a
    stored line of the same source and kind changes its requested amount in place where it differs (what
    became of it, approved to returned, is untouched: an editable application has none), the others are
    added, and the stored lines no longer given are removed."""
    stored = {
        (line.source_id, line.kind): line for line in FundingLine.objects.filter(application=application)
    }
    changed, added = [], []
    for wanted in funding:
        line = stored.pop((wanted.source_id, wanted.kind), None)
        if line is None:
            added.append(
                FundingLine(
                    application=application,
                    source_id=wanted.source_id,
                    kind=wanted.kind,
                    requested=wanted.requested,
                )
            )
        elif line.requested != wanted.requested:
            line.requested = wanted.requested
            changed.append(line)
    if stored:
        FundingLine.objects.filter(pk__in=[line.pk for line in stored.values()]).delete()
    if changed:
        FundingLine.objects.bulk_update(changed, ["requested"])
    if added:
        FundingLine.objects.bulk_create(added)


# --- the transition --------------------------------------------------------------------------------------


def _cost_total(application: Application) -> int:
    return application.cost_lines.aggregate(total=Sum("amount"))["total"] or 0


def _check_self_funding(application: Application, lines: Sequence[FundingLine]) -> None:
    """The association funds at least the largest minimum share its sources set for its item."""
    total = _cost_total(application)
    if total <= 0:
        raise SubsidyError(_("請填寫經費概算。"))
    asked = sum(line.requested for line in lines)
    if asked + application.self_funded != total:
        raise SubsidyError(
            _("申請金額 %(asked)s 元加自籌款 %(own)s 元，應等於經費概算 %(total)s 元。")
            % {"asked": f"{asked:,}", "own": f"{application.self_funded:,}", "total": f"{total:,}"}
        )
    minimums = SelfFundingMinimum.objects.filter(
        year=application.year, item_id=application.item_id, source_id__in=[line.source_id for line in lines]
    ).select_related("source")
    strictest = max(minimums, key=lambda m: m.percent, default=None)
    if strictest is None:
        return
    needed = math.ceil(total * strictest.percent / 100)
    if application.self_funded < needed:
        raise SubsidyError(
            _("%(source)s補助%(item)s至少須自籌 %(percent)d%%（%(needed)s 元），本案自籌 %(own)s 元。")
            % {
                "source": strictest.source.name,
                "item": application.item.name,
                "percent": strictest.percent,
                "needed": f"{needed:,}",
                "own": f"{application.self_funded:,}",
            }
        )


def _check_allocations(application: Application, lines: Sequence[FundingLine]) -> None:
    """Approvals never push a source's yearly allocation, recurrent and capital apart, past its amount.
    Locks the allocation rows in primary-key order, then sums what the other committed applications hold."""
    wanted: dict[tuple[int, str], int] = {}
    for line in lines:
        if line.approved:
            wanted[(line.source_id, line.kind)] = wanted.get((line.source_id, line.kind), 0) + line.approved
    if not wanted:
        return
    source_ids = sorted({source_id for source_id, _kind in wanted})
    allocations = {
        a.source_id: a
        for a in Allocation.objects.select_for_update()
        .filter(source_id__in=source_ids, year=application.year)
        .select_related("source")
        .order_by("pk")
    }
    held = {
        (row["source_id"], row["kind"]): row["total"] or 0
        for row in FundingLine.objects.filter(
            source_id__in=source_ids,
            application__year=application.year,
            application__state__in=COMMITTED_STATES,
        )
        .exclude(application_id=application.pk)
        .values("source_id", "kind")
        .annotate(total=Sum("approved"))
        .order_by()
    }
    for (source_id, kind), amount in sorted(wanted.items()):
        allocation = allocations.get(source_id)
        if allocation is None:
            source = FundingSource.objects.get(pk=source_id)
            raise SubsidyError(
                _("%(source)s尚未設定%(year)s的配額。")
                % {"source": source.name, "year": format_roc_year(application.year)}
            )
        room = allocation.amount(kind) - held.get((source_id, kind), 0)
        if amount > room:
            raise SubsidyError(
                _("%(source)s%(year)s%(kind)s配額剩餘 %(room)s 元，不足核定 %(amount)s 元。")
                % {
                    "source": allocation.source.name,
                    "year": format_roc_year(application.year),
                    "kind": ExpenseKind(kind).label,
                    "room": f"{max(room, 0):,}",
                    "amount": f"{amount:,}",
                }
            )


def _check_eligibility(application: Application) -> None:
    found = standing(association_id=application.association_id, year=application.year)
    if found.blocks_grant and not application.eligibility_override_reason:
        raise SubsidyError(
            _("%(reasons)s，不得核定補助；縣府承辦人須先登錄資格例外及理由。")
            % {"reasons": "、".join(found.reasons)}
        )


def _amount(amounts: Mapping[int, int] | None, line: FundingLine, default: int) -> int:
    value = (amounts or {}).get(line.pk, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise SubsidyError(_("金額必須是不小於 0 的整數（新臺幣元）。"))
    return value


def _note(note: str, action: workflow.Action) -> str:
    text = (note or "").strip()
    if action.needs_note and not text:
        raise SubsidyError(_("%(action)s須填寫理由。") % {"action": action.label})
    return text


@transaction.atomic
def application_transition(
    *,
    application_id: int,
    action: str,
    actor: object,
    note: str = "",
    amounts: Mapping[int, int] | None = None,
    letter_number: str = "",
    letter_date: datetime.date | None = None,
    batch: Batch | None = None,
) -> Application:
    """Take `action` on the application as `actor`. `amounts` maps funding line ids to the approved
    (approve_partly, record_ministry_decision), disbursed (disburse) or spent (submit_closeout) amount.
    Refusals raise PermissionDenied (the wrong role or scope) or SubsidyError (a reason to act on), and
    change nothing."""
    if action not in workflow.ACTIONS:
        raise SubsidyError(_("沒有這個處理動作。"))
    step = workflow.ACTIONS[action]
    try:
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("association__township", "item")
            .get(pk=application_id)
        )
    except Application.DoesNotExist:
        raise SubsidyError(_("找不到這個申請案。")) from None
    decision = workflow.decide(actor, action, application)
    if decision.forbidden:
        raise PermissionDenied(decision.reason)
    if not decision:
        raise SubsidyError(decision.reason)
    text = _note(note, step)
    lines = list(application.funding_lines.select_related("source").order_by("pk"))
    changed: list[FundingLine] = []
    from_state = application.state

    if action == "submit":
        _check_contents(
            year=application.year,
            starts_on=application.starts_on,
            ends_on=application.ends_on,
            costs=[],
            funding=[],
        )
        if not any(line.requested for line in lines):
            raise SubsidyError(_("請填寫向各經費來源申請的金額。"))
        _check_self_funding(application, lines)
    elif action == "start_review":
        if not application.transitions.filter(action="forward").exists():
            raise SubsidyError(_("未經公所初審及層轉的申請案不予受理。"))
    elif action == "override_eligibility":
        application.eligibility_override_reason = text
    elif action in {"approve", "approve_partly", "reject"}:
        for line in lines:
            if action == "approve":
                line.approved = line.requested
            elif action == "reject":
                line.approved = 0
            else:
                line.approved = _amount(amounts, line, line.requested)
            if line.approved > line.requested:
                raise SubsidyError(
                    _("%(source)s核定金額 %(approved)s 元超過申請金額 %(requested)s 元。")
                    % {
                        "source": line.source.name,
                        "approved": f"{line.approved:,}",
                        "requested": f"{line.requested:,}",
                    }
                )
            changed.append(line)
        if action == "approve_partly":
            if all(line.approved == line.requested for line in lines):
                raise SubsidyError(_("核定金額與申請金額相同，請改用「核定補助」。"))
            if not any(line.approved for line in lines):
                raise SubsidyError(_("核定金額全為 0，請改用「不予補助」。"))
        if action != "reject":
            _check_eligibility(application)
            _check_self_funding(application, lines)
            _check_allocations(application, lines)
    elif action == "forward_to_ministry":
        if not any(line.source.goes_to_ministry and line.approved for line in lines):
            raise SubsidyError(_("本案沒有向衛生福利部申請的經費，不需轉陳。"))
    elif action == "record_ministry_decision":
        if not letter_number.strip() or letter_date is None:
            raise SubsidyError(_("請填寫衛生福利部核定函的文號及日期。"))
        application.ministry_letter_number = letter_number.strip()
        application.ministry_letter_date = letter_date
        for line in lines:
            if line.source.goes_to_ministry:
                line.approved = _amount(amounts, line, line.approved or 0)
                if line.approved > line.requested:
                    raise SubsidyError(_("核定金額不可超過申請金額。"))
                changed.append(line)
        _check_allocations(application, lines)
    elif action == "disburse":
        for line in lines:
            line.disbursed = _amount(amounts, line, line.approved or 0)
            if line.disbursed > (line.approved or 0):
                raise SubsidyError(
                    _("%(source)s撥款金額不可超過核定金額 %(approved)s 元。")
                    % {"source": line.source.name, "approved": f"{line.approved or 0:,}"}
                )
            changed.append(line)
    elif action == "submit_closeout":
        for line in lines:
            line.spent = _amount(amounts, line, line.disbursed)
            if line.spent > line.disbursed:
                raise SubsidyError(
                    _("%(source)s實支金額不可超過撥款金額 %(disbursed)s 元。")
                    % {"source": line.source.name, "disbursed": f"{line.disbursed:,}"}
                )
            line.returned = line.disbursed - line.spent
            changed.append(line)

    if changed:
        FundingLine.objects.bulk_update(changed, ["approved", "disbursed", "spent", "returned"])
    if step.target is not None:
        application.state = step.target
    application.updated_at = timezone.now()
    application._history_user = actor  # type: ignore[attr-defined]  # read by simple-history
    application.save()
    Transition.objects.create(
        application=application,
        action=action,
        from_state=from_state,
        to_state=application.state,
        actor=actor,
        note=text,
        batch=batch,
    )
    return application


def allocation_usage(*, county: County, year: int) -> list[dict[str, object]]:
    """Per allocation and kind: allocated, approved, disbursed, spent, returned, balance (allocated −
    approved) and execution rate (spent ÷ allocated), from the committed applications."""
    totals = {
        (row["source_id"], row["kind"]): row
        for row in FundingLine.objects.filter(
            application__county=county, application__year=year, application__state__in=COMMITTED_STATES
        )
        .values("source_id", "kind")
        .annotate(
            approved=Sum("approved"), disbursed=Sum("disbursed"), spent=Sum("spent"), returned=Sum("returned")
        )
        .order_by()
    }
    rows = []
    for allocation in (
        Allocation.objects.filter(source__county=county, year=year)
        .select_related("source")
        .order_by("source__sort_order", "source__name")
    ):
        for kind in ExpenseKind:
            t = totals.get((allocation.source_id, kind.value), {})
            allocated = allocation.amount(kind)
            approved = t.get("approved") or 0
            spent = t.get("spent") or 0
            rows.append(
                {
                    "source": allocation.source,
                    "kind": kind,
                    "allocated": allocated,
                    "approved": approved,
                    "disbursed": t.get("disbursed") or 0,
                    "spent": spent,
                    "returned": t.get("returned") or 0,
                    "balance": allocated - approved,
                    "rate": (spent * 100 / allocated) if allocated else None,
                }
            )
    return rows


@transaction.atomic
def attachment_add(*, application: Application, kind: str, upload: object, actor: object) -> Attachment:
    """Keep an uploaded file under the private root after checking its content (subsidies.files). Clerks
    and county officers add files to the applications they act on."""
    from subsidies.files import check_upload

    if role_of(actor) not in {Role.TOWNSHIP, Role.COUNTY} or not workflow.in_scope(actor, application):
        raise PermissionDenied(_("只能處理所轄範圍內的申請案。"))
    checked = check_upload(upload, name=upload.name, size=upload.size)
    attachment = Attachment(
        application=application,
        kind=kind,
        original_name=upload.name[:200],
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=actor,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    return attachment


# --- configuration pages ---------------------------------------------------------------------------------


def committed_amount(*, source_id: int, year: int, kind: str) -> int:
    """What the committed applications of the year hold of a source's allocation of one kind."""
    return (
        FundingLine.objects.filter(
            source_id=source_id, kind=kind, application__year=year, application__state__in=COMMITTED_STATES
        ).aggregate(total=Sum("approved"))["total"]
        or 0
    )


def check_allocation_floor(allocation: Allocation) -> None:
    """An allocation may not drop below what approved applications already hold of it."""
    for kind in ExpenseKind:
        held = committed_amount(source_id=allocation.source_id, year=allocation.year, kind=kind.value)
        if allocation.amount(kind.value) < held:
            raise SubsidyError(
                _("%(source)s%(kind)s已核定 %(held)s 元，配額不可低於此數。")
                % {"source": allocation.source.name, "kind": kind.label, "held": f"{held:,}"}
            )


@transaction.atomic
def configuration_save(
    *,
    county: County,
    year: int,
    allocations: Mapping[int, tuple[int, int]],
    minimums: Mapping[tuple[int, int], int],
    actor: object,
    version: str | None = None,
) -> None:
    """Set a year's allocations (source id → (recurrent, capital)) and minimums ((source id, item id) →
    percent) for the actor's county. Saves of a county's configuration take turns on the county row (the
    year may have no rows yet to lock), then lock the allocation rows, as approvals do. `version` is the one
    the form showed (`configuration_history`): raises StaleEdit, changing nothing, when the year's
    allocations or minimums changed since."""
    if role_of(actor) not in {Role.COUNTY, Role.ADMIN}:
        raise PermissionDenied(_("只有縣府承辦人及系統管理者可以設定補助經費。"))
    County.objects.select_for_update().get(pk=county.pk)
    check_version(version, *configuration_history(county_id=county.pk, year=year))
    sources = {s.pk: s for s in FundingSource.objects.filter(county=county)}
    items = set(SubsidyItem.objects.filter(county=county).values_list("pk", flat=True))
    locked = {
        a.source_id: a
        for a in Allocation.objects.select_for_update()
        .filter(source__county=county, year=year)
        .order_by("pk")
    }
    for source_id, (recurrent, capital) in allocations.items():
        if source_id not in sources or sources[source_id].kind == FundingSource.Kind.SELF:
            raise SubsidyError(_("請選擇本縣市的補助經費來源（自籌款另外填寫）。"))
        allocation = locked.get(source_id) or Allocation(source=sources[source_id], year=year)
        if allocation.pk and (allocation.recurrent_amount, allocation.capital_amount) == (recurrent, capital):
            continue  # unchanged: no history row, so the version moves only with a change
        allocation.recurrent_amount, allocation.capital_amount = recurrent, capital
        check_allocation_floor(allocation)
        allocation._history_user = actor  # type: ignore[attr-defined]  # read by simple-history
        allocation.save()
    stored = {
        (m.source_id, m.item_id): m
        for m in SelfFundingMinimum.objects.filter(source__county=county, year=year).order_by("pk")
    }
    for (source_id, item_id), percent in minimums.items():
        if source_id not in sources or item_id not in items or not 0 <= percent <= 100:
            raise SubsidyError(_("最低自籌比率須為 0 到 100。"))
        minimum = stored.get((source_id, item_id)) or SelfFundingMinimum(
            source_id=source_id, item_id=item_id, year=year
        )
        if minimum.pk and minimum.percent == percent:
            continue
        minimum.percent = percent
        minimum._history_user = actor  # type: ignore[attr-defined]  # read by simple-history
        minimum.save()


def application_history(application_id: int) -> object:
    """The history rows whose newest gives an application edit form's version (`core.concurrency`): the
    application row, saved by every edit and every transition."""
    return Application.history.filter(id=application_id)


def configuration_history(*, county_id: int, year: int) -> tuple[object, object]:
    """The history rows whose newest give a year's configuration form its version: the year's allocations
    and minimums of the county."""
    return (
        Allocation.history.filter(source__county_id=county_id, year=year),
        SelfFundingMinimum.history.filter(source__county_id=county_id, year=year),
    )


def row_history(row: FundingSource | SubsidyItem) -> object:
    """The history rows whose newest gives a source's or an item's edit form its version."""
    return type(row).history.filter(id=row.pk)


@transaction.atomic
def source_save(
    *,
    county: County,
    actor: object,
    name: str,
    kind: str,
    aliases: str,
    sort_order: int,
    active: bool,
    source: FundingSource | None = None,
    version: str | None = None,
) -> FundingSource:
    """Create a source or change one; `version` is the one the edit form showed (`row_history`): raises
    StaleEdit, changing nothing, when the source changed since."""
    if role_of(actor) not in {Role.COUNTY, Role.ADMIN}:
        raise PermissionDenied(_("只有縣府承辦人及系統管理者可以設定補助經費。"))
    row = (
        FundingSource.objects.select_for_update().get(pk=source.pk)
        if source
        else FundingSource(county=county)
    )
    if row.county_id != county.pk:
        raise PermissionDenied
    if source is not None:
        check_version(version, row_history(row))
    row.name, row.kind, row.aliases, row.sort_order, row.active = (
        name.strip(),
        kind,
        aliases.strip(),
        sort_order,
        active,
    )
    row.full_clean()
    row._history_user = actor  # type: ignore[attr-defined]  # read by simple-history
    row.save()
    return row


@transaction.atomic
def item_save(
    *,
    county: County,
    actor: object,
    name: str,
    kind: str,
    sort_order: int,
    active: bool,
    item: SubsidyItem | None = None,
    version: str | None = None,
) -> SubsidyItem:
    """Create an item or change one; `version` is the one the edit form showed (`row_history`): raises
    StaleEdit, changing nothing, when the item changed since."""
    if role_of(actor) not in {Role.COUNTY, Role.ADMIN}:
        raise PermissionDenied(_("只有縣府承辦人及系統管理者可以設定補助經費。"))
    row = SubsidyItem.objects.select_for_update().get(pk=item.pk) if item else SubsidyItem(county=county)
    if row.county_id != county.pk:
        raise PermissionDenied
    if item is not None:
        check_version(version, row_history(row))
    row.name, row.kind, row.sort_order, row.active = name.strip(), kind, sort_order, active
    row.full_clean()
    row._history_user = actor  # type: ignore[attr-defined]  # read by simple-history
    row.save()
    return row


# --- batches ---------------------------------------------------------------------------------------------


def ministry_line_exists(application: Application) -> bool:
    return application.funding_lines.filter(source__kind=FundingSource.Kind.MINISTRY, approved__gt=0).exists()


@transaction.atomic
def batch_forward(*, actor: object, kind: str, application_ids: Sequence[int], year: int) -> Batch:
    """Forward several applications at once, all or none: a township clerk's to the county (層轉), or a
    county officer's ministry applications to the ministry in the order given, which becomes their rank."""
    if not application_ids:
        raise SubsidyError(_("請勾選要轉送的申請案。"))
    action = "forward" if kind == Batch.Kind.TO_COUNTY else "forward_to_ministry"
    role = role_of(actor)
    if (kind == Batch.Kind.TO_COUNTY and role != Role.TOWNSHIP) or (
        kind == Batch.Kind.TO_MINISTRY and role != Role.COUNTY
    ):
        raise PermissionDenied(_("只能處理所轄範圍內的申請案。"))
    from associations.access import county_id_of

    batch = Batch.objects.create(county_id=county_id_of(actor), kind=kind, year=year, created_by=actor)
    for rank, pk in enumerate(application_ids, start=1):
        application = Application.objects.filter(pk=pk).first()
        if application is None or application.year != year:
            raise SubsidyError(_("找不到這個申請案。"))
        if kind == Batch.Kind.TO_MINISTRY:
            Application.objects.filter(pk=pk).update(rank=rank)
        try:
            application_transition(application_id=pk, action=action, actor=actor, batch=batch)
        except SubsidyError as error:
            raise SubsidyError(f"{application.case_number}：{error}") from error
    return batch


def batch_applications(batch: Batch):
    """The applications of a batch, in the order they were forwarded (the county's rank for the ministry)."""
    return (
        Application.objects.filter(transitions__batch=batch)
        .select_related("association__township", "item")
        .order_by("rank", "transitions__pk")
        .distinct()
    )
