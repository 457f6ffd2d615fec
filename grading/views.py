"""County and township pages of the compliance check and the tier register. Every read starts from
`Assessment.objects.visible_to(user)` (or the association access helper), and registers and thresholds are
those of the user's county (`access.scope_by_county`); every write calls a service, which acts on the
user's county."""

from __future__ import annotations

import datetime
from html import escape

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Min, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from associations import access
from associations.models import Association, County
from associations.years import always_open, county_years
from core.converters import require_year, roc_query_redirect
from core.dates import format_roc, format_roc_year
from core.exports import FORMATS
from core.listing import PAGE_SIZES, paginate_keys
from core.security import exported_table
from grading import permissions, selectors, services, tasks, todo
from grading.charts import grading_charts
from grading.filters import REGISTER_SORTING, RegisterFilter
from grading.forms import (
    MovementForm,
    OverrideForm,
    ReasonForm,
    ThresholdsForm,
    TodoFilterForm,
)
from grading.guidance import STRATEGIES
from grading.links import Links
from grading.messages import rule_label
from grading.models import (
    Assessment,
    ComplianceStatus,
    RecomputeRun,
    Tier,
    TierChange,
    TierRegister,
    TierThresholds,
)

HISTORY_LIMIT = 100


def _visible(request: HttpRequest) -> object:
    if not access.can_use_registry(request.user):
        raise PermissionDenied
    return Assessment.objects.visible_to(request.user)


def _check_year(request: HttpRequest, year: int) -> None:
    """404 for a year outside the county's data (its earliest year to next year), before anything is
    read or created; the 404 page names the years there are (`core.converters.YearNotFound`). Last, this and
    next year are always open, without the scan of the county's facts that `_years` costs."""
    if not always_open(year):
        require_year(year, _years(request))


def _years(request: HttpRequest) -> range:
    """The county's years: its earliest fact or register to next year (`associations.years`)."""
    county_id = access.county_id_of(request.user)
    years = county_years(county_id)
    kept = (
        TierRegister.objects.filter(county_id=county_id, year__lt=years.stop).aggregate(m=Min("year"))["m"]
        if county_id
        else None
    )
    return range(min(years.start, kept or years.start), years.stop)


def _register(request: HttpRequest, year: int) -> TierRegister:
    """The user's county's register of `year` (unsaved and open when there is none yet)."""
    _check_year(request, year)
    found = access.scope_by_county(TierRegister.objects.all(), request.user).filter(year=year).first()
    return found or TierRegister(county_id=access.county_id_of(request.user), year=year)


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return query.urlencode()


def _recompute_run_context(request: HttpRequest, register: TierRegister) -> dict[str, object]:
    """The county's latest background recompute of the year, for those who may recompute: its progress
    while queued or running, then its outcome."""
    if register.county_id is None or permissions.decide(request.user, "recompute", register).forbidden:
        return {}
    run = (
        RecomputeRun.objects.filter(county_id=register.county_id, year=register.year)
        .select_related("user")
        .first()
    )
    if run is None:
        return {}
    return {"recompute_run": run, "recompute_progress": tasks.progress_context(run)}


def index(request: HttpRequest) -> HttpResponse:
    _visible(request)
    registers = access.scope_by_county(TierRegister.objects.all(), request.user)
    years = _years(request)
    latest = (
        registers.filter(year__gte=years.start, year__lt=years.stop)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return redirect("grading:overview", latest or timezone.localdate().year)


_THRESHOLD_FIELDS = ("potential_min_activities", "developing_min_activities", "volunteer_team_min_size")


def _overview_header(request: HttpRequest, year: int) -> tuple[TierRegister, TierThresholds | None]:
    """The county's register of `year` and its thresholds of the year, in one query: the register's row
    carries the thresholds as subqueries (when there is no register yet, the county's row carries them)."""
    _check_year(request, year)
    county_id = access.county_id_of(request.user)
    thresholds = TierThresholds.objects.filter(county_id=OuterRef("county_id"), year=year)
    extra = {f"_t_{name}": Subquery(thresholds.values(name)[:1]) for name in _THRESHOLD_FIELDS}
    register = (
        access.scope_by_county(TierRegister.objects.all(), request.user)
        .filter(year=year)
        .select_related("finalised_by")
        .annotate(**extra)
        .first()
    )
    source: object = register
    if register is None:
        register = TierRegister(county_id=county_id, year=year)
        source = (
            access.scope_counties(County.objects.all(), request.user)
            .filter(pk=county_id)
            .annotate(county_id=F("pk"), **extra)
            .first()
        )
    found = source is not None and getattr(source, f"_t_{_THRESHOLD_FIELDS[0]}") is not None
    limits = {name: getattr(source, f"_t_{name}") for name in _THRESHOLD_FIELDS} if found else None
    thresholds_row = TierThresholds(county_id=county_id, year=year, **limits) if limits else None
    return register, thresholds_row


def overview(request: HttpRequest, year: int) -> HttpResponse:
    _visible(request)
    register, thresholds = _overview_header(request, year)
    # The township table, its totals, the unassessed count and the charts: one query
    # (`selectors.year_summary`).
    summary = selectors.year_summary(Association.objects.visible_to(request.user), year=year)
    page = Paginator(summary.counts, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    register_url = reverse("grading:register", args=[year])
    for row in page:
        row["row"] = _overview_row(row, register_url)
    context = {
        "year": year,
        "register": register,
        "page": page,
        "totals": summary.totals(),
        "unassessed": summary.unassessed,
        "statuses": ComplianceStatus.choices,
        "tiers": Tier.choices,
        "strategies": STRATEGIES,
        "thresholds": thresholds,
        "actions": permissions.allowed_actions(request.user, register),
        **_recompute_run_context(request, register),
        "reopen_form": ReasonForm(),
        "years": [year - 1, year + 1],
        "charts": grading_charts(summary),
    }
    return render(request, "grading/overview.html", context)


def _grouped(n: int) -> str:
    """`n` as the `intcomma` filter shows it: numbers below 1,000 are never grouped, whatever the locale, so
    only larger ones go through `number_format`."""
    return str(n) if -1000 < n < 1000 else number_format(n, use_l10n=True, force_grouping=True)


def _overview_row(row: dict[str, object], register_url: str) -> SafeString:
    """One township's row of the overview's table: the township linked to its register, its count, its
    counts by status and by tier, and how many were overridden. Built here and escaped as the template
    did (`django.utils.html.escape` is `html.escape`), rather than by a template tag per cell."""
    cells = "".join(f'<td class="num">{_grouped(n)}</td>' for n in [*row["statuses"], *row["tiers"]])
    return mark_safe(  # every text in it is escaped; the figures are integers
        f'<tr><td><a href="{escape(register_url)}?township={escape(str(row["township_id"]))}">'
        f'{escape(str(row["township"]))}</a></td><td class="num">{_grouped(row["total"])}</td>'
        f'{cells}<td class="num">{int(row["overridden"])}</td></tr>'
    )


def _register_filter(request: HttpRequest, year: int) -> RegisterFilter:
    visible = _visible(request).filter(year=year)
    return RegisterFilter(request.GET or None, queryset=visible, request=request)


def register_list(request: HttpRequest, year: int) -> HttpResponse:
    filters = _register_filter(request, year)
    sort = REGISTER_SORTING.chosen(request)
    keys = REGISTER_SORTING.apply(selectors.register_keys(filters.qs, sort=sort), sort)
    # The sort and the count run on primary keys; only the page's rows are loaded (`paginate_keys`).
    page = paginate_keys(
        request, keys, lambda pks: selectors.register_rows(Assessment.objects.filter(pk__in=pks))
    )
    links = Links("grading:assessment", "year", "pk")  # reversed once for the page's rows
    overridden = _("人工調整")
    for assessment in page:
        assessment.row = _register_row(assessment, links, overridden)
    context = {
        "year": year,
        "register": _register(request, year),
        "form": filters.form,
        "page": page,
        "sort": sort,
        "page_sizes": PAGE_SIZES,
        "query": _query(request),
    }
    return render(request, "grading/register.html", context)


def _register_row(assessment: Assessment, links: Links, overridden: str) -> SafeString:
    """One row of the register page: township, name linked to the assessment, chair, status, the failed
    rules' names, suggested tier and tier in force (marked when overridden, the reason on hover). Built
    here and escaped as the template would (`django.utils.html.escape` is `html.escape`): the template's
    per-cell tags were most of a 50-row page's time."""
    association = assessment.association
    failed = [rule_label(str(rule.get("code"))) for rule in assessment.rules if rule.get("outcome") == "fail"]
    rules = "".join(f"<div>{escape(label)}</div>" for label in failed) or "—"
    mark = (
        f' <small title="{escape(assessment.override_reason)}">（{escape(overridden)}）</small>'
        if assessment.override_tier
        else ""
    )
    return mark_safe(  # every text in it is escaped
        f"<tr><td>{escape(association.township.name)}</td>"
        f'<td><a href="{escape(links.url(assessment.year, assessment.association_id))}">'
        f"{escape(association.name)}</a></td>"
        f"<td>{escape(assessment.chair_name or '—')}</td>"
        f'<td><span class="badge status-{escape(assessment.status)}">'
        f"{escape(str(assessment.get_status_display()))}</span></td>"
        f"<td>{rules}</td><td>{escape(str(assessment.get_suggested_tier_display()))}</td>"
        f'<td><span class="badge tier-{escape(assessment.tier_in_force)}">'
        f"{escape(str(assessment.get_tier_display()))}</span>{mark}</td></tr>"
    )


def register_export(request: HttpRequest, year: int) -> HttpResponse:
    filters = _register_filter(request, year)
    _check_year(request, year)  # 404 for a year out of range, as on the register page
    fmt = request.GET.get("format", "xlsx")
    if fmt not in FORMATS:
        raise Http404
    title = _("%(year)s社區分級類型清冊") % {"year": format_roc_year(year)}
    return exported_table(
        request,
        filename=title,
        fmt=fmt,
        headers=selectors.export_headers(),
        rows=selectors.export_rows(filters.qs),
        title=title,
    )


def assessment_detail(request: HttpRequest, year: int, association_pk: int) -> HttpResponse:
    association = access.get_association_for_user(request.user, association_pk)
    _check_year(request, year)
    assessment = get_object_or_404(
        Assessment.objects.select_related("overridden_by"), association=association, year=year
    )
    register = _register(request, year)
    history = (
        TierChange.objects.filter(association=association)
        .select_related("changed_by")
        .order_by("-changed_at", "-pk")[:HISTORY_LIMIT]
    )
    context = {
        "association": association,
        "assessment": assessment,
        "register": register,
        "actions": permissions.allowed_actions(request.user, register),
        "override_form": OverrideForm(initial={"tier": assessment.tier}),
        "clear_form": ReasonForm(),
        "history": history,
        "strategy": next(s for s in STRATEGIES if s.tier == assessment.tier),
    }
    return render(request, "grading/assessment.html", context)


def _assessment_for_change(request: HttpRequest, year: int, association_pk: int) -> Assessment:
    association = access.get_association_for_user(request.user, association_pk, for_change=True)
    _check_year(request, year)
    return get_object_or_404(Assessment, association=association, year=year)


def _run(request: HttpRequest, action: object, success: str) -> None:
    """Run a service; a refusal a person can act on becomes an error message, the rest propagates."""
    try:
        action()
    except services.GradingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)


@require_POST
def assessment_override(request: HttpRequest, year: int, association_pk: int) -> HttpResponse:
    assessment = _assessment_for_change(request, year, association_pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(assessment)
    _run(
        request,
        lambda: services.assessment_override(
            assessment=assessment,
            tier=form.cleaned_data["tier"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
        ),
        _("已調整分級。"),
    )
    return redirect(assessment)


@require_POST
def assessment_override_clear(request: HttpRequest, year: int, association_pk: int) -> HttpResponse:
    assessment = _assessment_for_change(request, year, association_pk)
    reason = request.POST.get("reason", "")
    _run(
        request,
        lambda: services.assessment_override_clear(assessment=assessment, reason=reason, actor=request.user),
        _("已取消調整，恢復建議分級。"),
    )
    return redirect(assessment)


def register_recompute_status(request: HttpRequest, year: int) -> JsonResponse:
    """The county's latest background recompute of the year as JSON, which the overview's progress bar
    polls (not pending when there is none); for those who may recompute only."""
    _visible(request)
    register = _register(request, year)
    if permissions.decide(request.user, "recompute", register).forbidden:
        raise PermissionDenied
    run = RecomputeRun.objects.filter(county_id=register.county_id, year=year).first()
    if run is None:
        return JsonResponse({"state": "", "pending": False, "value": None, "max": 1, "text": ""})
    return JsonResponse(tasks.progress_context(run))


@require_POST
def register_recompute(request: HttpRequest, year: int) -> HttpResponse:
    """Recompute the county's year: inside the request for a smaller county, else queued for the task
    worker (the overview then shows its progress)."""
    _visible(request)
    _check_year(request, year)
    county_id = access.county_id_of(request.user)
    if county_id is not None and tasks.in_background(county_id=county_id):
        _run(
            request,
            lambda: tasks.recompute_queue(county_id=county_id, year=year, actor=request.user),
            _("已排入背景重新計算%(year)s的會務財務狀態與分級，完成後顯示於本頁。")
            % {"year": format_roc_year(year)},
        )
        return redirect("grading:overview", year)

    def recompute() -> None:
        result = services.assessments_recompute(year=year, actor=request.user)
        messages.info(
            request,
            _("共 %(total)d 個協會：新增 %(created)d、更新 %(updated)d、未變動 %(unchanged)d。")
            % {
                "total": result.total,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )

    _run(request, recompute, _("已重新計算%(year)s的會務財務狀態與分級。") % {"year": format_roc_year(year)})
    return redirect("grading:overview", year)


@require_POST
def register_finalise(request: HttpRequest, year: int) -> HttpResponse:
    _visible(request)
    _check_year(request, year)
    _run(
        request,
        lambda: services.register_finalise(year=year, actor=request.user),
        _("%(year)s分級清冊已定案。") % {"year": format_roc_year(year)},
    )
    return redirect("grading:overview", year)


@require_POST
def register_reopen(request: HttpRequest, year: int) -> HttpResponse:
    _visible(request)
    _check_year(request, year)
    reason = request.POST.get("reason", "")
    _run(
        request,
        lambda: services.register_reopen(year=year, reason=reason, actor=request.user),
        _("%(year)s分級清冊已重新開放。") % {"year": format_roc_year(year)},
    )
    return redirect("grading:overview", year)


def thresholds_edit(request: HttpRequest, year: int) -> HttpResponse:
    _visible(request)
    register = _register(request, year)
    decision = permissions.decide(request.user, "edit_thresholds", register)
    if decision.forbidden:
        raise PermissionDenied(decision.reason)
    thresholds = services.thresholds_in_force(county_id=register.county_id, year=year)
    form = ThresholdsForm(request.POST or None, instance=thresholds)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        _run(
            request,
            lambda: services.thresholds_update(year=year, actor=request.user, **values),
            _("已儲存分級門檻，並重新計算建議分級。"),
        )
        return redirect("grading:overview", year)
    context = {"year": year, "form": form, "register": register, "decision": decision}
    return render(request, "grading/thresholds.html", context)


def movement(request: HttpRequest) -> HttpResponse:
    _visible(request)
    if gregorian := roc_query_redirect(request, "from_year", "to_year"):
        return gregorian
    this_year = timezone.localdate().year
    form = MovementForm(
        request.GET or {"from_year": this_year - 1, "to_year": this_year}, years=lambda: _years(request)
    )
    townships, total, page = [], None, None
    if form.is_valid():
        summary = selectors.year_summary(
            Association.objects.visible_to(request.user),
            year=form.cleaned_data["to_year"],
            before=form.cleaned_data["from_year"],
        )
        townships, total = summary.movement, summary.movement_total
    page = Paginator(townships, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    year = form.cleaned_data["to_year"] if form.is_valid() else this_year
    context = {
        "form": form,
        "page": page,
        "total": total,
        "tiers": Tier.choices,
        "query": _query(request),
        "year": year,
    }
    return render(request, "grading/movement.html", context)


def _todo_list(request: HttpRequest) -> tuple[TodoFilterForm, todo.TodoList, datetime.date]:
    """The to-do list as the filters in the query string select it, in the user's scope."""
    _visible(request)
    form = TodoFilterForm(request.GET or None, user=request.user)
    associations = Association.objects.visible_to(request.user).active()
    if township := form.value("township"):
        associations = associations.filter(township=township)
    today = timezone.localdate()
    listed = todo.todo_list(
        associations,
        today=today,
        kind=form.value("kind"),
        state=form.value("state"),
        sort=form.value("sort"),
    )
    return form, listed, today


def todo_page(request: HttpRequest) -> HttpResponse:
    form, listed, today = _todo_list(request)
    groups = listed.groups
    # The page's groups first: the filter's counts are read with them, in the same statement.
    groups.prefetch(request.GET.get("page"), settings.PAGE_SIZE)
    form.show_counts(listed)
    page = Paginator(groups, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "listed": listed,
        "today": today,
        "query": _query(request),
        "year": today.year,
    }
    return render(request, "grading/todo.html", context)


def todo_export(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format", "xlsx")
    if fmt not in FORMATS:
        raise Http404
    _form, listed, today = _todo_list(request)
    title = _("待辦事項_%(day)s") % {"day": format_roc(today, sep="")}
    return exported_table(
        request,
        filename=title,
        fmt=fmt,
        headers=todo.export_headers(),
        rows=todo.export_rows(listed),
        title=title,
    )
