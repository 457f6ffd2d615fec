"""The subsidy desk's staff pages. Every read starts from `Application.objects.visible_to(user)` or the
fetch-and-authorise helpers of `subsidies.permissions`; every write calls a service, which decides."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from associations import access
from core.concurrency import StaleEdit, version_of
from core.converters import YearNotFound, roc_query_redirect
from core.dates import ROCDateError, parse_year, roc_year
from core.exports import FORMATS
from core.listing import paginate_keys, pk_url
from core.roles import COUNTY_WIDE_ROLES, Role
from core.security import exported_table
from grading.eligibility import standing_of
from subsidies import exports, permissions, services, workflow
from subsidies.budget import chart_bars, execution
from subsidies.files import AttachmentRefused
from subsidies.forms import (
    ApplicationFilterForm,
    ApplicationForm,
    AttachmentForm,
    CostLineFormSet,
    TransitionForm,
)
from subsidies.models import (
    EDITABLE_STATES,
    Application,
    Batch,
    ExpenseKind,
    FundingSource,
    State,
    SubsidyItem,
    Transition,
)
from subsidies.selectors import require_subsidy_year
from subsidies.services import SubsidyError, batch_applications

#: Actions whose form asks an amount per funding line, and which amount it is.
AMOUNT_ACTIONS = {
    "approve_partly": gettext_lazy("核定金額"),
    "record_ministry_decision": gettext_lazy("衛福部核定金額"),
    "disburse": gettext_lazy("撥款金額"),
    "submit_closeout": gettext_lazy("實支金額"),
}


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def application_rows(queryset):
    """What the lists show, in one query: township, item, and the requested and approved totals."""
    return queryset.select_related("association__township", "item").annotate(
        requested_total=Sum("funding_lines__requested"), approved_total=Sum("funding_lines__approved")
    )


#: Each state's label, read once: `get_state_display` hashes every choice's lazy label on each call.
STATE_LABELS = dict(State.choices)


def _list_rows(pks: list[int]) -> list[Application]:
    """The page's rows with what the list shows: township, association, item, the requested and approved
    totals (summed for these rows only), and only the columns the list shows."""
    rows = list(
        Application.objects.filter(pk__in=pks)
        .select_related("association__township", "item")
        .only(
            "case_number",
            "year",
            "title",
            "state",
            "association__name",
            "association__township__name",
            "item__name",
        )
        .annotate(
            requested_total=Sum("funding_lines__requested"), approved_total=Sum("funding_lines__approved")
        )
        .order_by()
    )
    # Each row's link from one reverse() (80 µs each, a fifth of the page's time for 50 rows).
    detail_url = pk_url("subsidies:detail")
    for row in rows:
        row.state_label = STATE_LABELS.get(row.state, row.state)
        row.detail_url = detail_url(row.pk)
    return rows


def _list(request: HttpRequest, *, queue: bool) -> HttpResponse:
    permissions.require_staff(request.user)
    if gregorian := roc_query_redirect(request, "year"):
        return gregorian
    form = ApplicationFilterForm(request.GET or None, user=request.user)
    applications = Application.objects.visible_to(request.user)
    if queue:
        role = access.role_of(request.user)
        applications = applications.filter(state__in=workflow.QUEUE_STATES.get(role, frozenset()))
    # The filters, sort and count run on primary keys; only the page's rows are loaded (`paginate_keys`).
    page = paginate_keys(request, form.filter(applications), _list_rows)
    return render(
        request,
        "subsidies/application_list.html",
        {
            "form": form,
            "page": page,
            "query": _query(request),
            "queue": queue,
            "can_create": permissions.can_enter_applications(request.user),
        },
    )


def application_list(request: HttpRequest) -> HttpResponse:
    return _list(request, queue=False)


def application_queue(request: HttpRequest) -> HttpResponse:
    """「待我處理」: the applications waiting for a step the user's role takes."""
    return _list(request, queue=True)


def _timeline(application: Application) -> list[Transition]:
    """The application's steps, oldest first, each with the labels of its states (`STATE_LABELS`)."""
    steps = list(application.transitions.select_related("actor").order_by("at", "pk"))
    for step in steps:
        step.from_label = STATE_LABELS.get(step.from_state, step.from_state)
        step.to_label = STATE_LABELS.get(step.to_state, step.to_state)
    return steps


def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = permissions.get_application_for_user(
        request.user, pk, with_assessment=True, with_cost_lines=True, with_funding_lines=True
    )
    lines = application.funding_line_rows
    costs = application.cost_line_rows
    actions = [
        {
            "action": action,
            "amount_label": AMOUNT_ACTIONS.get(action.name),
            "letter": action.name == "record_ministry_decision",
        }
        for action in workflow.allowed_actions(request.user, application)
    ]
    return render(
        request,
        "subsidies/application_detail.html",
        {
            "application": application,
            "lines": lines,
            "costs": costs,
            "cost_totals": {
                kind.label: sum(c.amount for c in costs if c.kind == kind.value) for kind in ExpenseKind
            },
            "totals": {
                "requested": sum(line.requested for line in lines),
                "approved": sum(line.approved or 0 for line in lines),
                "disbursed": sum(line.disbursed for line in lines),
                "spent": sum(line.spent for line in lines),
                "returned": sum(line.returned for line in lines),
            },
            "timeline": _timeline(application),
            "state_label": STATE_LABELS.get(application.state, application.state),
            "attachments": application.attachments.all(),
            # Joined with the application (`with_assessment`); a NULL join leaves no attribute.
            "standing": standing_of(
                application.association_id, application.year, getattr(application, "year_assessment", None)
            ),
            "actions": actions,
            "transition_form": TransitionForm(),
            "attachment_form": AttachmentForm(),
            "can_edit": permissions.can_enter_applications(request.user)
            and workflow.in_scope(request.user, application)
            and application.state in EDITABLE_STATES,
            "can_attach": workflow.in_scope(request.user, application),
        },
    )


def _form_page(request: HttpRequest, application: Application | None) -> HttpResponse:
    if not permissions.can_enter_applications(request.user):
        raise PermissionDenied(_("申請案由公所承辦人代協會填寫。"))
    county_id = access.county_id_of(request.user)
    initial_costs = (
        [
            {"id": c.pk, "kind": c.kind, "description": c.description, "amount": c.amount}
            for c in application.cost_line_rows
        ]
        if application
        else None
    )
    initial = (
        {
            "association": application.association_id,
            "year": application.year,
            "item": application.item_id,
            "title": application.title,
            "starts_on": application.starts_on,
            "ends_on": application.ends_on,
            "self_funded": application.self_funded,
        }
        if application
        else None
    )
    data = request.POST if request.method == "POST" else None
    version = version_of(services.application_history(application.pk)) if application else None
    form = ApplicationForm(
        data,
        initial=initial,
        user=request.user,
        county_id=county_id,
        application=application,
        version=version,
    )
    costs = CostLineFormSet(data, initial=initial_costs, prefix="cost")
    if data is not None and form.is_valid() and costs.is_valid():
        lines = [line for line in (f.line() for f in costs.forms) if line is not None]
        try:
            saved = services.application_save(
                actor=request.user,
                association=application.association if application else form.cleaned_data["association"],
                year=application.year if application else form.cleaned_data["year"],
                item=form.cleaned_data["item"],
                title=form.cleaned_data["title"],
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                self_funded=form.cleaned_data["self_funded"],
                costs=lines,
                funding=form.funding(),
                application=application,
                version=form.posted_version,
            )
        except StaleEdit as error:
            form.add_error(None, error)
        except SubsidyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已儲存申請案 %(case)s。") % {"case": saved.case_number})
            return redirect(saved)
    return render(
        request,
        "subsidies/application_form.html",
        {
            "form": form,
            "costs": costs,
            "application": application,
            "has_items": SubsidyItem.objects.filter(county_id=county_id).exists(),
        },
    )


def application_create(request: HttpRequest) -> HttpResponse:
    permissions.require_staff(request.user)
    return _form_page(request, None)


def application_update(request: HttpRequest, pk: int) -> HttpResponse:
    application = permissions.get_application_for_user(request.user, pk, with_cost_lines=True)
    if not workflow.in_scope(request.user, application):
        raise PermissionDenied
    return _form_page(request, application)


def _amounts(request: HttpRequest, application: Application) -> dict[int, int]:
    amounts = {}
    for line_id in application.funding_lines.values_list("pk", flat=True):
        raw = (request.POST.get(f"amount_{line_id}") or "").replace(",", "").strip()
        if raw:
            if not raw.isdigit():
                raise SubsidyError(_("金額必須是不小於 0 的整數（新臺幣元）。"))
            amounts[line_id] = int(raw)
    return amounts


@require_POST
def application_transition(request: HttpRequest, pk: int) -> HttpResponse:
    application = permissions.get_application_for_user(request.user, pk)
    action = request.POST.get("action", "")
    form = TransitionForm(request.POST)
    if action not in workflow.ACTIONS:
        raise Http404
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(application)
    try:
        services.application_transition(
            application_id=application.pk,
            action=action,
            actor=request.user,
            note=form.cleaned_data["note"],
            amounts=_amounts(request, application),
            letter_number=form.cleaned_data["letter_number"],
            letter_date=form.cleaned_data["letter_date"],
        )
    except SubsidyError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("已%(action)s：%(case)s。")
            % {"action": workflow.ACTIONS[action].label, "case": application.case_number},
        )
    return redirect(application)


@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    application = permissions.get_application_for_user(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("請選擇附件類別及檔案。"))
        return redirect(application)
    try:
        services.attachment_add(
            application=application,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            actor=request.user,
        )
    except AttachmentRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已上傳附件。"))
    return redirect(application)


def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = permissions.get_attachment_for_user(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )


def budget_index(request: HttpRequest) -> HttpResponse:
    permissions.require_staff(request.user)
    return redirect("subsidies:budget", timezone.localdate().year)


def budget(request: HttpRequest, year: int) -> HttpResponse:
    """Budget execution per source and kind and per township, with a chart; allocations are the
    county's, shown to county officers and administrators."""
    permissions.require_staff(request.user)
    require_subsidy_year(year, access.county_id_of(request.user))
    show_allocations = access.role_of(request.user) in COUNTY_WIDE_ROLES
    result = execution(
        applications=Application.objects.visible_to(request.user),
        year=year,
        county_id=access.county_id_of(request.user),
        show_allocations=show_allocations,
    )
    return render(
        request,
        "subsidies/budget.html",
        {
            "year": year,
            "result": result,
            "chart": chart_bars(result.sources),
            "show_allocations": show_allocations,
        },
    )


def _batch_year(request: HttpRequest) -> int:
    """The batch page's year: `?year=115` (or the posted `year`), ROC as the page writes it, this year when
    none is given; a year the county has no data for is the friendly 404."""
    text = (request.GET.get("year") or request.POST.get("year") or "").strip()
    if not text:
        return timezone.localdate().year
    try:
        year = parse_year(text)
    except ROCDateError as exc:
        raise YearNotFound(str(exc)) from None
    require_subsidy_year(year, access.county_id_of(request.user))
    return year


def batch_page(request: HttpRequest) -> HttpResponse:
    """Batch forwarding: a clerk's township's applications in first review go to the county together; the
    county's decided ministry applications go to the ministry in the order the officer ranks them."""
    permissions.require_staff(request.user)
    role = access.role_of(request.user)
    if role not in {Role.TOWNSHIP, Role.COUNTY}:
        raise PermissionDenied(_("批次轉送由公所承辦人及縣府承辦人辦理。"))
    kind = Batch.Kind.TO_COUNTY if role == Role.TOWNSHIP else Batch.Kind.TO_MINISTRY
    if gregorian := roc_query_redirect(request, "year"):
        return gregorian
    year = _batch_year(request)
    candidates = application_rows(Application.objects.visible_to(request.user).filter(year=year))
    if kind == Batch.Kind.TO_COUNTY:
        candidates = candidates.filter(state__in=[State.SUBMITTED, State.RETURNED_TO_TOWNSHIP])
    else:
        candidates = candidates.filter(
            state__in=[State.APPROVED, State.PARTLY_APPROVED],
            funding_lines__source__kind=FundingSource.Kind.MINISTRY,
            funding_lines__approved__gt=0,
        ).distinct()
    candidates = candidates.order_by("rank", "number")
    if request.method == "POST":
        chosen = []
        for pk in request.POST.getlist("application"):
            if pk.isdigit():
                rank_text = request.POST.get(f"rank_{pk}", "")
                chosen.append((int(rank_text) if rank_text.isdigit() else 10**6, int(pk)))
        visible = set(candidates.values_list("pk", flat=True))
        ordered = [pk for _rank, pk in sorted(chosen) if pk in visible]
        try:
            batch = services.batch_forward(actor=request.user, kind=kind, application_ids=ordered, year=year)
        except SubsidyError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已轉送 %(n)d 件申請案。") % {"n": len(ordered)})
            return redirect("subsidies:batch_detail", batch.pk)
    batches = access.scope_by_county(Batch.objects.all(), request.user).filter(year=year, kind=kind)
    if kind == Batch.Kind.TO_COUNTY:
        batches = batches.filter(created_by=request.user) | batches.filter(
            transitions__application__association__township_id=access.township_id_of(request.user)
        )
    return render(
        request,
        "subsidies/batch.html",
        {
            "kind": kind,
            "year": year,
            "candidates": candidates,
            "batches": batches.distinct().order_by("-created_at")[:20],
        },
    )


def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch and its export (?format=xlsx or csv): the applications it forwarded, in order."""
    permissions.require_staff(request.user)
    batch = permissions.get_batch_for_user(request.user, pk)
    applications = batch_applications(batch).filter(
        pk__in=Application.objects.visible_to(request.user).values("pk")
    )
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        with_rank = batch.kind == Batch.Kind.TO_MINISTRY
        return exported_table(
            request,
            filename=f"{batch.get_kind_display()}{roc_year(batch.year)}-{batch.pk}",
            fmt=fmt,
            headers=(["排序", *exports.HEADERS] if with_rank else exports.HEADERS),
            rows=exports.rows(exports.prefetch(applications), with_rank=with_rank),
        )
    return render(request, "subsidies/batch_detail.html", {"batch": batch, "applications": applications})
