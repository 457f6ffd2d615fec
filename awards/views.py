"""Staff pages of the award. Every read starts from `awards.permissions` (rounds, entries, conflicts, sheets
and criteria fetched and authorised together: 404 outside the user's scope); every write calls a service."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from associations import access
from associations.access import role_of
from associations.models import Association
from awards import permissions, services
from awards.exports import results_headers, results_rows
from awards.forms import AssignJudgeForm, CriterionForm, ReasonForm
from awards.models import AwardGroup, AwardRound, Conflict, Entry, ScoreSheet
from awards.results import GroupResult, RowFormat, published_rows, round_results
from awards.selectors import published_page
from core.exports import FORMATS
from core.listing import PAGE_SIZES, paginate, paginate_counted, pk_url
from core.roles import COUNTY_WIDE_ROLES, Role
from core.security import exported_table

EVENT_LIMIT = 50


def _run(request: HttpRequest, action: Callable[[], object], success: str) -> bool:
    try:
        action()
    except services.AwardError as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, success)
    return True


def index(request: HttpRequest) -> HttpResponse:
    if not permissions.can_use_awards(request.user):
        raise PermissionDenied
    rounds = (
        permissions.scope_rounds(AwardRound.objects.all(), request.user)
        .annotate(
            entry_count=Count("entries", filter=Q(entries__state=Entry.State.ACCEPTED), distinct=True),
            judge_count=Count("judges", distinct=True),
        )
        .order_by("-year", "code")
    )
    can_create = access.can_import(request.user)  # a round is set up from a workbook, as an import is
    return render(request, "awards/index.html", {"rounds": rounds, "can_create": can_create})


#: The round page's sections (`?section=`): everyone sees the entries and the criteria; the county's
#: officers also the judges, the conflicts, the submitted sheets and the history. One section at a time,
#: and long tables a page at a time, so that the page costs the same for a round of 5 entries or 500.
SECTIONS = ("entries", "criteria")
COUNTY_SECTIONS = (*SECTIONS, "judges", "conflicts", "sheets", "events")
SECTION_LABELS = {
    "entries": _lazy("參選名單"),
    "criteria": _lazy("組別與評分項目"),
    "judges": _lazy("評審"),
    "conflicts": _lazy("利益迴避"),
    "sheets": _lazy("已送出的評分表"),
    "events": _lazy("異動紀錄"),
}


#: An entry row's links, reversed once per page (`core.listing.pk_url`) and then filled in per row (a
#: reverse per link per row was a fifth of the page's time).
ENTRY_LINKS = ("score", "sheet", "accept", "declare_conflict")


def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    award_round, groups = permissions.get_round_with_groups_for_user(user, pk)
    role = role_of(user)
    county_view = role in COUNTY_WIDE_ROLES
    sections = COUNTY_SECTIONS if county_view else SECTIONS
    section = request.GET.get("section", "")
    section = section if section in sections else sections[0]
    actions = permissions.allowed_actions(user, award_round)
    context: dict[str, object] = {
        "round": award_round,
        "groups": groups,
        "actions": actions,
        "county_view": county_view,
        "can_see_results": permissions.can_see_results(user, award_round),
        "section": section,
        "sections": [(name, SECTION_LABELS[name]) for name in sections],
        "page_sizes": PAGE_SIZES,
    }
    if section == "entries":
        entries = (
            permissions.scope_entries(award_round.entries.all(), user)
            .select_related("group", "township", "association")
            .only("round_id", "group__name", "township__name", "association__name", "state")
            .order_by("group__sort_order", "group_id", "township__sort_order", "township__name", "pk")
        )
        if role == Role.JUDGE:  # their own sheet's state, beside each entry they may score
            entries = entries.annotate(
                own_sheet_state=Subquery(
                    ScoreSheet.objects.filter(entry=OuterRef("pk"), judge_id=user.pk).values("state")[:1]
                )
            )
        page = context["page"] = context["entries"] = paginate_counted(request, entries)
        can_score, can_accept = "score" in actions, "accept" in actions
        can_declare = "declare_conflict" in actions
        judge_options = ""
        if county_view and can_declare:
            judges = list(award_round.judges.select_related("judge").order_by("judge__username"))
            context["judges"] = judges
            judge_options = context["judge_options"] = format_html_join(
                "",
                '<option value="{}">{}</option>',
                ((a.judge_id, a.judge.get_full_name() or a.judge.username) for a in judges),
            )
        context["can_score"], context["can_accept"], context["can_declare"] = (
            can_score,
            can_accept,
            can_declare,
        )
        context["entry_rows"] = _entry_rows(
            request,
            page,
            can_score=can_score,
            can_accept=can_accept,
            county_view=county_view,
            declare_with=judge_options if county_view else None,
            can_declare=can_declare,
        )
        if "nominate" in actions:
            context["nominees"] = (
                Association.objects.visible_to(user)
                .active()
                .filter(township__county_id=award_round.county_id)
                .exclude(award_entries__round=award_round)
                .select_related("township")
                .order_by("township__sort_order", "name")
            )
    elif section == "judges":
        judges = list(award_round.judges.select_related("judge").order_by("judge__username"))
        context["judges"] = judges
        if "assign_judge" in actions:
            context["assign_form"] = AssignJudgeForm(exclude=[a.judge_id for a in judges])
    elif section == "conflicts":
        context["clear_form"] = ReasonForm()
        context["page"] = context["conflicts"] = paginate_counted(
            request,
            Conflict.objects.filter(entry__round=award_round)
            .select_related("entry__association", "entry__township", "judge", "cleared_by")
            .order_by("cleared_at", "entry_id", "judge__username", "pk"),
        )
    elif section == "sheets":
        context["page"] = context["sheets"] = paginate_counted(
            request,
            ScoreSheet.objects.filter(entry__round=award_round, state=ScoreSheet.State.SUBMITTED)
            .select_related("entry__association", "entry__township", "judge")
            .order_by("entry_id", "judge__username", "pk"),
        )
    elif section == "events":
        context["events"] = award_round.events.select_related(
            "actor", "entry__association", "entry__township"
        )[:EVENT_LIMIT]
    return render(request, "awards/round.html", context)


def _entry_rows(
    request: HttpRequest,
    entries: Iterable[Entry],
    *,
    can_score: bool,
    can_accept: bool,
    county_view: bool,
    declare_with: str | None,
    can_declare: bool,
) -> list[SafeString]:
    """The round page's entry rows, built in Python (escaped as the template escaped them): each row's
    labels, links and forms in the template were most of the page's time. The labels are translated
    once a page, the links reversed once (`pk_url`); `declare_with`: the options of the
    judges a county officer records a conflict for (none: no such form)."""
    e = html.escape
    labels = {value: e(str(label)) for value, label in Entry.State.choices}
    own = {"submitted": "・" + e(_("已送出")), "draft": "・" + e(_("草稿"))}
    csrf = csrf_input(request)
    url = {name: pk_url(f"awards:{name}") for name in ENTRY_LINKS}
    score_label, sheet_label, accept_label = e(_("評分")), e(_("評分表")), e(_("受理"))
    judge_label, record_label = e(_("評審")), e(_("登錄迴避"))
    confirm, declare_label = e(_("申報迴避後將看不到也不能評分此參選者，確定嗎？")), e(_("申報迴避"))
    with_sheet = can_score or county_view
    declare_for = can_declare and county_view and bool(declare_with)
    declare = can_declare and not county_view
    rows = []
    for entry in entries:
        pk, name = entry.pk, e(entry.display_name)
        cells = [
            f"\n    <tr><td>{e(entry.group.name)}</td><td>{e(entry.township.name)}</td><td>{name}</td>\n"
            f"      <td>{labels[entry.state]}{own.get(getattr(entry, 'own_sheet_state', None), '')}</td>\n"
            '      <td class="buttons">\n        ',
            f'<a class="button" href="{e(url["score"](pk))}">{score_label}</a>' if can_score else "",
            "\n        ",
            f'<a href="{e(url["sheet"](pk))}">{sheet_label}</a>' if with_sheet else "",
            "\n        ",
        ]
        if can_accept and entry.state == Entry.State.NOMINATED:
            cells.append(
                f'<form method="post" action="{e(url["accept"](pk))}">{csrf}'
                f'<button type="submit">{accept_label}</button></form>'
            )
        cells.append("\n        ")
        if declare_for:
            cells.append(
                f'<form method="post" action="{e(url["declare_conflict"](pk))}" class="buttons">{csrf}'
                f'<label class="visually-hidden" for="judge-{pk}">{judge_label}</label>'
                f'<select id="judge-{pk}" name="judge">{declare_with}</select>'
                f'<button type="submit" class="link">{record_label}</button></form>'
            )
        cells.append("\n        ")
        if declare:
            cells.append(
                f'<form method="post" action="{e(url["declare_conflict"](pk))}" '
                f'data-confirm="{confirm}">{csrf}'
                f'<button type="submit" class="link">{declare_label}</button></form>'
            )
        cells.append("\n      </td></tr>\n  ")
        rows.append(mark_safe("".join(cells)))
    return rows


@require_POST
def round_start(request: HttpRequest, pk: int) -> HttpResponse:
    award_round = permissions.get_round_for_user(request.user, pk)
    _run(
        request,
        lambda: services.round_start_scoring(actor=request.user, award_round=award_round),
        _("已開始評分，評分項目已凍結。"),
    )
    return redirect(award_round)


@require_POST
def round_publish(request: HttpRequest, pk: int) -> HttpResponse:
    award_round = permissions.get_round_for_user(request.user, pk)
    if _run(
        request,
        lambda: services.round_publish(actor=request.user, award_round=award_round),
        _("已公布結果。"),
    ):
        return redirect("awards:results", award_round.pk)
    return redirect(award_round)


@require_POST
def judge_assign(request: HttpRequest, pk: int) -> HttpResponse:
    award_round = permissions.get_round_for_user(request.user, pk)
    if not permissions.decide(request.user, "assign_judge", award_round).allowed:
        raise PermissionDenied
    form = AssignJudgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("請選擇評審。"))
        return redirect(award_round)
    _run(
        request,
        lambda: services.judge_assign(
            actor=request.user, award_round=award_round, judge=form.cleaned_data["judge"]
        ),
        _("已指派評審。"),
    )
    return redirect(award_round)


@require_POST
def entry_nominate(request: HttpRequest, pk: int) -> HttpResponse:
    award_round = permissions.get_round_for_user(request.user, pk)
    if not permissions.decide(request.user, "nominate", award_round).allowed:
        raise PermissionDenied
    group = AwardGroup.objects.filter(round=award_round, pk=_int(request.POST.get("group"))).first()
    if group is None:
        messages.error(request, _("請選擇組別。"))
        return redirect(award_round)
    association = None
    if not group.for_townships:
        association = (
            Association.objects.visible_to(request.user)
            .select_related("township")
            .filter(pk=_int(request.POST.get("association")))
            .first()
        )
        if association is None:
            messages.error(request, _("請選擇協會。"))
            return redirect(award_round)
    _run(
        request,
        lambda: services.entry_nominate(actor=request.user, group=group, association=association),
        _("已推薦參選。"),
    )
    return redirect(award_round)


def _int(value: object) -> int:
    return int(value) if isinstance(value, str) and value.isdecimal() else 0


@require_POST
def entry_accept(request: HttpRequest, pk: int) -> HttpResponse:
    entry = permissions.get_entry_for_user(request.user, pk)
    _run(request, lambda: services.entry_accept(actor=request.user, entry=entry), _("已受理參選。"))
    return redirect(entry.round)


@require_POST
def conflict_declare(request: HttpRequest, pk: int) -> HttpResponse:
    """A judge declares their own conflict with an entry; a county officer one of a judge of the round."""
    entry = permissions.get_entry_for_user(request.user, pk)
    if role_of(request.user) == Role.JUDGE:
        judge = request.user
    else:
        assignment = (
            entry.round.judges.filter(judge_id=_int(request.POST.get("judge")))
            .select_related("judge")
            .first()
        )
        if assignment is None:
            raise Http404
        judge = assignment.judge
    detail = request.POST.get("detail", "")[:200]
    _run(
        request,
        lambda: services.conflict_declare(actor=request.user, entry=entry, judge=judge, detail=detail),
        _("已登錄迴避。"),
    )
    return redirect(entry.round)


@require_POST
def conflict_clear(request: HttpRequest, pk: int) -> HttpResponse:
    conflict = permissions.get_conflict_for_user(request.user, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    _run(
        request,
        lambda: services.conflict_clear(actor=request.user, conflict=conflict, reason=reason),
        _("已解除迴避。"),
    )
    return redirect(conflict.entry.round)


def entry_score(request: HttpRequest, pk: int) -> HttpResponse:
    """The judge's scoring page: every current criterion in order, a draft until submitted."""
    entry = permissions.get_entry_for_user(request.user, pk)
    if role_of(request.user) != Role.JUDGE:
        raise PermissionDenied
    criteria = services.current_criteria(entry.group_id)
    sheet, values = _own_sheet(entry, request.user)
    error = ""
    if request.method == "POST":
        raw = {c.pk: request.POST.get(f"c{c.pk}", "") for c in criteria}
        submit = "submit" in request.POST
        try:
            services.sheet_save(
                actor=request.user,
                entry=entry,
                points=raw,
                submit=submit,
                comment=request.POST.get("comment", ""),
            )
        except services.AwardError as exc:
            error = str(exc)
            values = {**values, **{c.position: raw[c.pk] for c in criteria}}
        else:
            messages.success(request, _("評分已送出。") if submit else _("草稿已儲存。"))
            return redirect("awards:score", entry.pk)
    rows = [(c, values.get(c.position, "")) for c in criteria]
    context = {
        "entry": entry,
        "round": entry.round,
        "rows": rows,
        "sheet": sheet,
        "error": error,
        "can_score": permissions.decide(request.user, "score", entry.round).allowed,
    }
    return render(request, "awards/score.html", context)


def _own_sheet(entry: Entry, judge: object) -> tuple[ScoreSheet | None, dict[int, object]]:
    """The judge's sheet of `entry` (None before their first save) and its points by criterion position, in
    one query: the sheet LEFT JOIN its scores, a row per score (one row of NULL scores for an empty sheet)."""
    fields = [f.attname for f in ScoreSheet._meta.concrete_fields]
    rows = list(
        ScoreSheet.objects.filter(entry=entry, judge=judge)
        .order_by()
        .values_list(*fields, "scores__criterion__position", "scores__points")
    )
    if not rows:
        return None, {}
    sheet = ScoreSheet.from_db(ScoreSheet.objects.db, fields, rows[0][: len(fields)])
    values = {row[-2]: row[-1] for row in rows if row[-2] is not None}
    return sheet, values


def _sheet_values(sheet: ScoreSheet | None) -> dict[int, object]:
    if sheet is None:
        return {}
    return {score.criterion.position: score.points for score in sheet.scores.select_related("criterion")}


def entry_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable score sheet (評分表) for a site visit: the judge's own (filled in so far), or a blank
    one for a county officer to hand out."""
    entry = permissions.get_entry_for_user(request.user, pk)
    role = role_of(request.user)
    if role not in {Role.JUDGE, *COUNTY_WIDE_ROLES}:
        raise PermissionDenied
    sheet = ScoreSheet.objects.filter(entry=entry, judge=request.user).first() if role == Role.JUDGE else None
    values = _sheet_values(sheet)
    criteria = services.current_criteria(entry.group_id)
    rows = [(c, values.get(c.position, "")) for c in criteria]
    total = sum(points for points in values.values()) if values else ""
    max_total = sum(c.max_points for c in criteria)
    judge_name = services.person_name(request.user) if role == Role.JUDGE else ""
    context = {"entry": entry, "round": entry.round, "rows": rows, "total": total, "max_total": max_total}
    context["judge_name"] = judge_name
    return render(request, "awards/sheet_print.html", context)


def sheet_change(request: HttpRequest, pk: int) -> HttpResponse:
    """A county officer corrects a submitted sheet, with a reason kept in the round's history."""
    sheet = permissions.get_sheet_for_user(request.user, pk)
    award_round = sheet.entry.round
    if not permissions.decide(request.user, "change_score", award_round).allowed:
        raise PermissionDenied
    scores = list(sheet.scores.select_related("criterion").order_by("criterion__position"))
    error = ""
    if request.method == "POST":
        raw = {s.criterion_id: request.POST.get(f"c{s.criterion_id}", "") for s in scores}
        try:
            services.score_change(
                actor=request.user, sheet=sheet, points=raw, reason=request.POST.get("reason", "")
            )
        except services.AwardError as exc:
            error = str(exc)
        else:
            messages.success(request, _("分數已修改。"))
            return redirect(award_round)
    return render(
        request,
        "awards/sheet_change.html",
        {"sheet": sheet, "round": award_round, "scores": scores, "error": error},
    )


def criterion_revise(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = permissions.get_criterion_for_user(request.user, pk)
    award_round = criterion.group.round
    if not permissions.decide(request.user, "revise_criterion", award_round).allowed:
        raise PermissionDenied
    initial = {
        "name": criterion.name,
        "max_points": criterion.max_points,
        "description": criterion.description,
    }
    form = CriterionForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(
            request,
            lambda: services.criterion_revise(actor=request.user, criterion=criterion, **form.cleaned_data),
            _("評分項目已更新。"),
        )
    ):
        return redirect(award_round)
    return render(
        request, "awards/criterion_form.html", {"form": form, "criterion": criterion, "round": award_round}
    )


def results(request: HttpRequest, pk: int) -> HttpResponse:
    award_round, groups = permissions.get_round_with_groups_for_user(request.user, pk)
    if not permissions.can_see_results(request.user, award_round):
        raise PermissionDenied
    fmt = request.GET.get("format")
    if fmt:
        if fmt not in FORMATS:
            raise Http404
        title = _("%(name)s成績") % {"name": award_round.name}
        return exported_table(
            request,
            filename=title,
            fmt=fmt,
            headers=results_headers(),
            rows=results_rows(award_round),
            title=title[:31],
        )
    if award_round.is_published:
        # What publication computed and kept (AwardResult), read a page at a time in the ranking's order.
        judges = list(
            get_user_model().objects.filter(award_assignments__round=award_round).order_by("username")
        )
        page, with_results = published_page(request, award_round, [group.pk for group in groups])
        rows = published_rows(award_round, page, judges)
        computed = [GroupResult(group, list(group.criteria.all()), judges, []) for group in groups]
    else:
        # The ranking is the whole group's (computed here, before publication); the table shows a page of it.
        computed = round_results(award_round, groups)
        page = paginate(request, [(group.group.pk, line) for group in computed for line in group.lines])
        shown_lines = RowFormat().rows(line for _group_pk, line in page)
        rows = [(group_pk, row) for (group_pk, _line), row in zip(page, shown_lines, strict=True)]
        with_results = {group.group.pk for group in computed if group.lines}
    # Each group's part of the page under its own heading; a group without accepted entries says so.
    shown: dict[int, list[object]] = {}
    for group_pk, line in rows:
        shown.setdefault(group_pk, []).append(line)
    context = {
        "round": award_round,
        "groups": [
            (group, shown.get(group.group.pk, []))
            for group in computed
            if group.group.pk in shown or group.group.pk not in with_results
        ],
        "page": page,
        "page_sizes": PAGE_SIZES,
        "show_judge_names": permissions.can_see_all_sheets(request.user, award_round),
        "actions": permissions.allowed_actions(request.user, award_round),
    }
    return render(request, "awards/results.html", context)
