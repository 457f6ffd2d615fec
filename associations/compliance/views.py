"""Pages where township staff record the yearly compliance facts: an association's checklist for a year, and
the township grid where a whole township's year is recorded in one sitting, one row saved at a time."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, CharField, DateField, Exists, F, Max, OuterRef, Value
from django.forms import Field, Form
from django.forms.utils import flatatt
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from associations import access
from associations.compliance import hooks, services
from associations.compliance.forms import (
    ElectionForm,
    IntervalForm,
    MeetingForm,
    ProgrammeForm,
    YearlyFilingForm,
    YearRowForm,
)
from associations.compliance.values import RowChanges
from associations.filters import GRID_SORTING, GridFilter
from associations.models import Association, Election, Meeting, ProgrammeProfile, Township, YearlyFiling
from associations.years import (
    always_open,
    association_years,
    county_year_columns,
    county_years,
    county_years_of,
)
from core import submissions
from core.concurrency import version_of
from core.converters import YearNotFound, require_year, roc_query_redirect
from core.dates import ROCDateError, format_roc, format_roc_year, parse_year, year_in_range
from core.forms import GuardedForm
from core.listing import PAGE_SIZES, paginate_counted


def _require_registry(request: HttpRequest) -> None:
    if not access.can_use_registry(request.user):
        raise PermissionDenied


def _check_year(year: int) -> int:
    """A year the portal can handle at all (民國元年 to 2100), before the association's or county's own
    range is looked up; refused with the friendly 404 (`core.converters.YearNotFound`)."""
    if not year_in_range(year):
        raise YearNotFound.outside(year)
    return year


# --- an association's yearly checklist --------------------------------------------------------------------


def _checklist_forms(association: Association, year: int, data: dict | None = None, only: str = "") -> dict:
    """The checklist's forms, unbound; the one named `only` is bound to `data`."""
    filing = association.yearly_filings.filter(year=year).first() or YearlyFiling(
        association=association, year=year
    )
    profile = ProgrammeProfile.objects.filter(association=association).first() or ProgrammeProfile(
        association=association
    )
    filing_version = version_of(*services.filing_history(association.pk, year))
    programme_version = version_of(*services.programme_history(association.pk))
    makers = {
        "meeting": lambda d: MeetingForm(
            d, instance=Meeting(association=association), year=year, prefix="meeting", once=True
        ),
        "filing": lambda d: YearlyFilingForm(d, instance=filing, prefix="filing", version=filing_version),
        "election": lambda d: ElectionForm(
            d, instance=Election(association=association), prefix="election", once=True
        ),
        "programme": lambda d: ProgrammeForm(
            d, instance=profile, prefix="programme", version=programme_version
        ),
        "interval": lambda d: IntervalForm(d, instance=association, prefix="interval"),
    }
    return {name: make(data if name == only else None) for name, make in makers.items()}


def _save_checklist_form(name: str, form: Form, association: Association, year: int, actor: object) -> None:
    """The service for the checklist form `name`, given the form's values."""
    one = {"association": association, "actor": actor}
    version = getattr(form, "posted_version", None)  # the interval form carries none
    savers = {
        "meeting": lambda: services.meeting_save(**one, values=form.to_values()),
        "filing": lambda: services.yearly_filing_save(
            **one, year=year, values=form.to_values(), version=version
        ),
        "election": lambda: services.election_save(**one, year=year, values=form.to_values()),
        "programme": lambda: services.programme_save(
            **one, year=year, values=form.to_values(), version=version
        ),
        "interval": lambda: services.interval_save(
            **one, year=year, months=form.cleaned_data["board_meeting_interval_months"]
        ),
    }
    savers[name]()


#: `_saved`'s answer for a create form posted again with the token of one already saved.
REPEATED = "repeated"


def _saved(
    form: Form,
    save: Callable[[], object],
    *,
    token: object = None,
    user: object = None,
    url: str = "",
) -> bool | str:
    """Run a validated form's service; a refusal it raises (nothing written) is shown on the form, by the
    field it names when the form has that field. With a create form's one-time `token`, a repeat saves
    nothing and answers REPEATED."""
    try:
        with transaction.atomic():
            if submissions.claim(token, user=user) is not None:
                return REPEATED
            save()
            submissions.fulfil(token, url=url)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return False
    return True


def checklist(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    _require_registry(request)
    year = _check_year(year)
    association = access.get_association_for_user(request.user, pk, for_change=request.method == "POST")
    # Before anything is read or judged: a mistyped year creates nothing.
    require_year(year, association_years(association))
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = _checklist_forms(association, year, request.POST, action)
    if request.method == "POST":
        form = forms.get(action)
        if form is None:
            raise Http404
        here = reverse("associations:compliance", args=[association.pk, year]) + f"#{action}"
        if form.is_valid() and (
            saved := _saved(
                form,
                lambda: _save_checklist_form(action, form, association, year, request.user),
                token=form.submission_token if isinstance(form, GuardedForm) else None,
                user=request.user,
                url=here,
            )
        ):
            if saved == REPEATED:
                messages.info(request, _("這份表單已送出過，未重複新增。"))
            else:
                messages.success(request, _("已儲存。"))
            return redirect(here)
    context = {
        "association": association,
        "year": year,
        "forms": forms,
        "meetings": association.meetings.filter(held_on__year=year).order_by("held_on", "kind"),
        "elections": association.elections.order_by("-term_ends_on", "-pk"),
        "judgement": hooks.judgements(association_ids=[association.pk], year=year).get(association.pk),
        "can_change": access.can_change_association(request.user, association),
        "years": [year - 1, year + 1],
    }
    return render(request, "associations/compliance_checklist.html", context)


def _election_year(request: HttpRequest, election: Election) -> int:
    """The checklist year a link or form carries (`?year=115` or a posted `year`, ROC as the pages write it;
    2026 is read alike), else the year the election's term ends. A year outside the association's years
    is the friendly 404, before anything is written or judged."""
    posted = (request.POST.get("year") or request.GET.get("year") or "").strip()
    if not (posted.isascii() and posted.isdecimal()):
        return election.term_ends_on.year
    try:
        year = parse_year(posted)
    except ROCDateError as exc:
        raise YearNotFound(str(exc)) from None
    require_year(year, association_years(election.association))
    return year


def _record_save(record: Meeting | Election, form: Form, year: int, actor: object) -> None:
    one = {
        "association": record.association,
        "values": form.to_values(),
        "actor": actor,
        "version": form.posted_version,  # type: ignore[attr-defined]
    }
    if isinstance(record, Meeting):
        services.meeting_save(**one, meeting=record)
    else:
        services.election_save(**one, election=record, year=year)


def _record_form(request: HttpRequest, model: type, form_class: type, pk: int, title: str) -> HttpResponse:
    record = access.get_association_record_for_user(request.user, model, pk, for_change=True)
    # A meeting belongs to the year it was held; an election spans several, so it is edited for the year
    # of the checklist the clerk came from.
    year = record.held_on.year if isinstance(record, Meeting) else _election_year(request, record)
    history = services.meeting_history if isinstance(record, Meeting) else services.election_history
    form = form_class(request.POST or None, instance=record, version=version_of(*history(record.pk)))
    save = partial(_record_save, record, form, year, request.user)
    if request.method == "POST" and form.is_valid() and _saved(form, save):
        messages.success(request, _("已儲存。"))
        return redirect("associations:compliance", record.association_id, year)
    context = {"form": form, "association": record.association, "year": year, "title": title}
    return render(request, "associations/compliance_record_form.html", context)


def meeting_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _record_form(request, Meeting, MeetingForm, pk, _("編輯會議"))


def election_update(request: HttpRequest, pk: int) -> HttpResponse:
    if gregorian := roc_query_redirect(request, "year"):
        return gregorian
    return _record_form(request, Election, ElectionForm, pk, _("編輯改選紀錄"))


@require_POST
def meeting_delete(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access.get_association_record_for_user(request.user, Meeting, pk, for_change=True)
    association_id, year = meeting.association_id, meeting.held_on.year
    services.meeting_delete(meeting=meeting, actor=request.user)
    messages.success(request, _("已刪除會議。"))
    return redirect("associations:compliance", association_id, year)


@require_POST
def election_delete(request: HttpRequest, pk: int) -> HttpResponse:
    election = access.get_association_record_for_user(request.user, Election, pk, for_change=True)
    year = _election_year(request, election)
    association_id = election.association_id
    services.election_delete(election=election, year=year, actor=request.user)
    messages.success(request, _("已刪除改選紀錄。"))
    return redirect("associations:compliance", association_id, year)


# --- the township grid ------------------------------------------------------------------------------------


def _grid_township(request: HttpRequest, year: int) -> tuple[Township | None, list[Township]]:
    """The grid's township (`?township=`, else the first with an association to check) and the townships
    the user may choose, in one query; a year the county has no data for is refused first (the friendly 404),
    from columns of the same query when the year is not always open."""
    townships = access.scope_townships(Township.objects.all(), request.user)
    wanted = request.GET.get("township")
    county_id = access.county_id_of(request.user)
    if not always_open(year) and county_id is not None:
        townships = townships.annotate(**county_year_columns(county_id))
    if not wanted:
        # The first township (in the county's order) that has an association to check, not an empty one:
        # whether each has one is a column of the same query.
        working = Association.objects.visible_to(request.user).active().filter(township=OuterRef("pk"))
        townships = townships.annotate(working=Exists(working))
    listed = list(townships)
    if not always_open(year):
        # The user's townships are all of their county; without one, its years are read alone.
        require_year(year, county_years_of(listed[0]) if listed else county_years(county_id))
    if not wanted:
        return next((t for t in listed if t.working), listed[0] if listed else None), listed
    chosen = next((t for t in listed if str(t.pk) == wanted), None)
    if chosen is None:
        raise Http404  # another township's grid, or no township at all: as if it did not exist
    return chosen, listed


@dataclass(frozen=True)
class _Column:
    """A cell of the grid's rows: the row form's field, and the parts of its input that every row writes
    alike, escaped once for the page (`_cells`)."""

    name: str
    label: str
    field: Field
    #: The input's other attributes (class, autocomplete, maxlength) and its aria-label, escaped.
    attrs: str
    aria_label: str


def _grid_columns(year: int) -> list[_Column]:
    """The row form's fields, read once for the page. An unbound row is drawn from them as plain inputs
    (`_cells`) rather than as a form of its own: 25 forms of eight widgets, each rendered through the
    widget templates, were most of the page's cost. A row the clerk posted with errors is shown as its form
    (`YearRowForm`), with its messages."""
    form = YearRowForm(year=year, html_form="row")
    columns = []
    for bound in form.visible_fields():
        attrs = {k: v for k, v in bound.field.widget.attrs.items() if k not in ("form", "aria-label")}
        columns.append(
            _Column(bound.name, str(bound.label), bound.field, flatatt(attrs), escape(bound.label))
        )
    return columns


def _cells(
    columns: list[_Column],
    association_id: int,
    version: str,
    initial: dict[str, object],
    joint_days: list[datetime.date],
) -> SafeString:
    """The row's cells: its inputs with the values its form would show (`YearRowForm.initial_for`), written
    as the form's widgets write them (each row is its own <form>, which the inputs name), the version the
    row shows (for the refusal of a stale save), and the joint meetings under the cells that count them.
    Written here, once a row: 200 inputs through the template engine cost more than the rest of the page."""
    pk = int(association_id)
    joint = "".join(f'<p class="joint">{escape(_("聯席"))} {format_roc(day)}</p>' for day in joint_days)
    cells = []
    for c in columns:
        value = c.field.widget.format_value(c.field.prepare_value(initial.get(c.name)))
        shown = f' value="{escape(value)}"' if value else ""
        hidden = (
            f'<input type="hidden" name="a{pk}-edit_version" value="{escape(version)}" form="row-form-{pk}"'
            f' id="id_a{pk}-edit_version">'
            if not cells
            else ""
        )
        cells.append(
            f'<td>{hidden}<input type="text" name="a{pk}-{c.name}"{shown}{c.attrs} form="row-form-{pk}"'
            f' aria-label="{c.aria_label}" id="id_a{pk}-{c.name}">'
            f"{joint if c.name in YearRowForm.JOINT_FIELDS else ''}</td>"
        )
    return mark_safe("".join(cells))  # every part escaped: here and in `_grid_columns`


def _grid_facts(ids: list[int], year: int) -> tuple[dict[int, list[Meeting]], dict[int, YearlyFiling], dict]:
    """The facts the rows show, in one query over the three fact tables (a UNION ALL): the year's meetings,
    the year's filing and the latest term end of the elections, of the associations `ids`."""
    date, text, flag = DateField(), CharField(), BooleanField()
    meetings = Meeting.objects.filter(association_id__in=ids, held_on__year=year).annotate(
        part=Value(0),
        t=F("kind"),
        d1=F("held_on"),
        d2=F("minutes_filed_on"),
        b=F("quorum_met"),
    )
    filings = YearlyFiling.objects.filter(association_id__in=ids, year=year).annotate(
        part=Value(1),
        t=F("note"),
        d1=F("plan_budget_filed_on"),
        d2=F("report_accounts_filed_on"),
        b=Value(None, flag),
    )
    elections = (
        Election.objects.filter(association_id__in=ids)
        .order_by()
        .values("association_id")
        .annotate(
            part=Value(2),
            t=Value("", text),
            d1=Max("term_ends_on"),  # the latest term
            d2=Value(None, date),
            b=Value(None, flag),
        )
    )
    columns = ("association_id", "part", "t", "d1", "d2", "b")
    found: dict[int, list[Meeting]] = {}
    filed: dict[int, YearlyFiling] = {}
    term_ends: dict[int, datetime.date] = {}
    if not ids:
        return found, filed, term_ends
    union = (
        meetings.order_by()
        .values_list(*columns)
        .union(filings.order_by().values_list(*columns), elections.values_list(*columns), all=True)
    )
    for association_id, part, t, d1, d2, b in union:
        if part == 0:
            meeting = Meeting(
                association_id=association_id, kind=t, held_on=d1, minutes_filed_on=d2, quorum_met=b
            )
            found.setdefault(association_id, []).append(meeting)
        elif part == 1:
            filed[association_id] = YearlyFiling(
                association_id=association_id,
                year=year,
                note=t,
                plan_budget_filed_on=d1,
                report_accounts_filed_on=d2,
            )
        else:
            term_ends[association_id] = d1
    return found, filed, term_ends


def _grid_rows(
    associations: list[Association], year: int, columns: list[_Column], bound: tuple[int, YearRowForm] | None
) -> list[dict]:
    ids = [a.pk for a in associations]
    meetings, filings, term_ends = _grid_facts(ids, year)
    judgements = hooks.judgements(association_ids=ids, year=year, with_rules=False)  # the status only
    rows = []
    for association in associations:
        row = {"association": association, "judgement": judgements.get(association.pk), "form": None}
        if bound and bound[0] == association.pk:
            row["form"] = bound[1]
        else:
            held = meetings.get(association.pk, [])
            row["initial"] = YearRowForm.initial_for(
                meetings=held, filing=filings.get(association.pk), term_ends_on=term_ends.get(association.pk)
            )
            row["version"] = services.year_row_version(association)
            joint = sorted(m.held_on for m in held if m.kind == Meeting.Kind.JOINT)
            row["cells"] = _cells(columns, association.pk, row["version"], row["initial"], joint)
        rows.append(row)
    return rows


#: The grid's rows a page unless the clerk chooses more: each row is eight inputs, and 50 rows (400
#: inputs) made it the slowest page to render when each was a form widget.
GRID_PAGE_SIZE = 25


def grid_current(request: HttpRequest) -> HttpResponse:
    """The grid of the year being checked: the year just ended until its report is due (end of March),
    then the current year."""
    _require_registry(request)
    today = timezone.localdate()
    year = today.year - 1 if today.month <= 3 else today.year
    query = request.GET.urlencode()
    return redirect(reverse("associations:compliance_grid", args=[year]) + (f"?{query}" if query else ""))


def grid(request: HttpRequest, year: int) -> HttpResponse:
    _require_registry(request)
    year = _check_year(year)
    # Last, this and next year need no scan of the county's facts; another year is checked with the townships.
    township, townships = _grid_township(request, year)
    bound = None
    if request.method == "POST":
        bound, response = _grid_save(request, year)
        if response is not None:
            return response
    associations = (
        Association.objects.visible_to(request.user).active().filter(township=township)
        if township
        else Association.objects.none()
    )
    filters = GridFilter(request.GET or None, queryset=associations, request=request)
    sort = GRID_SORTING.chosen(request)
    # One query: the page's associations (the name is all a row shows of them), their count, and each row's
    # version (for the refusal of a stale save).
    shown = (
        GRID_SORTING.apply(filters.qs, sort).only("name").annotate(**services.year_row_version_columns(year))
    )
    page = paginate_counted(request, shown, default_size=GRID_PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    columns = _grid_columns(year)
    context = {
        "year": year,
        "township": township,
        "townships": townships,
        "search": filters.form["q"],
        "sort": sort,
        "page_sizes": PAGE_SIZES,
        "page": page,
        "query": query.urlencode(),
        "rows": _grid_rows(list(page.object_list), year, columns, bound),
        "headers": [column.label for column in columns],
        "years": [year - 1, year + 1],
        "title": _("%(year)s會務財務清查") % {"year": format_roc_year(year)},
    }
    return render(request, "associations/compliance_grid.html", context)


def _grid_save(request: HttpRequest, year: int) -> tuple[tuple[int, YearRowForm] | None, HttpResponse | None]:
    try:
        pk = int(request.POST.get("association", ""))
    except ValueError:
        raise Http404 from None
    association = access.get_association_for_user(request.user, pk, for_change=True)
    joint = association.meetings.filter(kind=Meeting.Kind.JOINT, held_on__year=year)
    form = YearRowForm(
        request.POST,
        year=year,
        prefix=f"a{pk}",
        html_form=f"row-form-{pk}",
        joint_days=list(joint.values_list("held_on", flat=True)),
    )
    if form.is_valid():
        try:
            changes = services.year_row_save(
                association=association,
                year=year,
                row=form.to_row(),
                keep_blank=False,
                actor=request.user,
                version=form.posted_version,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _saved_row_message(association, changes))
            return None, redirect(f"{request.get_full_path()}#row-{pk}")
    messages.error(
        request, _("「%(name)s」有錯誤，尚未儲存；請修正標示的欄位。") % {"name": association.name}
    )
    first = next((name for name in form.errors if name in form.fields), None)
    if first:
        form.fields[first].widget.attrs["autofocus"] = True
    return (pk, form), None


def _saved_row_message(association: Association, changes: RowChanges) -> str:
    """「已儲存」, naming every meeting the save moved or deleted, so no removal goes unseen."""
    kinds = dict(Meeting.Kind.choices)
    parts = [_("已儲存「%(name)s」。") % {"name": association.name}]
    if changes.meetings_moved:
        moved = "、".join(
            _("%(kind)s %(old)s 改為 %(new)s")
            % {"kind": kinds[k], "old": format_roc(old), "new": format_roc(new)}
            for k, old, new in changes.meetings_moved
        )
        parts.append(_("已更正：%(moved)s（會議紀錄與備註保留）。") % {"moved": moved})
    if changes.meetings_removed:
        removed = "、".join(f"{kinds[k]} {format_roc(day)}" for k, day in changes.meetings_removed)
        parts.append(_("已刪除會議：%(removed)s。") % {"removed": removed})
    return "".join(parts)
