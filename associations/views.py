from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.db import transaction
from django.db.models import DateField, Value
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from associations import access, exports, panels, services
from associations.filters import ASSOCIATION_SORTING, AssociationFilter
from associations.forms import AssociationForm, OfficerForm, duplicate_name_error
from associations.history import HistoryPage, association_history
from associations.models import Association, AssociationQuerySet, Officer
from core import submissions
from core.concurrency import version_of
from core.dates import format_roc
from core.exports import FORMATS
from core.listing import PAGE_SIZES, format_row, paginate_keys, pk_url


def _require_registry(request: HttpRequest) -> None:
    if not access.can_use_registry(request.user):
        raise PermissionDenied


def _filtered(
    request: HttpRequest, *, with_chair: bool = True
) -> tuple[AssociationFilter, AssociationQuerySet, str]:
    """The user's associations under the list's filters and sort, and the sort chosen. The current chair
    is a subquery per row: `with_chair=False` leaves it out unless the sort needs it."""
    _require_registry(request)
    sort = ASSOCIATION_SORTING.chosen(request)
    visible = Association.objects.visible_to(request.user)
    if with_chair or sort.removeprefix("-") == "chair":
        visible = visible.with_current_chair()
    filters = AssociationFilter(request.GET or None, queryset=visible, request=request)
    return filters, ASSOCIATION_SORTING.apply(filters.qs, sort), sort


def _list_rows(pks: list[int]) -> AssociationQuerySet:
    """The page's rows with what the list shows: the township and the current chair (one subquery for
    each of these rows only), and only the columns the list shows."""
    return (
        Association.objects.filter(pk__in=pks)
        .with_current_chair()
        .select_related("township")
        .only("name", "term_number", "founded_on", "member_count", "status", "township__name")
    )


#: One row of the association list. The rows are written here with `format_row` (every value escaped)
#: rather than in the template's loop: a template variable costs some 35 Python calls to resolve and
#: render, which at 50 rows of nine values was a quarter of the page's work and held the list under
#: 150 requests a second. The table's header, its empty row and everything else stay in the template.
LIST_ROW = (
    "<tr><td>{township}</td>"
    '<td><a href="{url}">{name}</a></td>'
    "<td>{chair}</td>"
    '<td class="num">{term}</td>'
    "<td>{founded}</td>"
    '<td class="num">{members}</td>'
    '<td><span class="badge status-{status}">{status_label}</span></td></tr>'
)


def _list_rows_html(page: Page) -> list[str]:
    """The page's rows as the list shows them (`LIST_ROW`). The status labels are translated once a page
    (`get_status_display` costs some 170 Python calls a row)."""
    detail_url = pk_url("associations:detail")
    term = _("第 %(n)s 屆")
    status_labels = {value: str(label) for value, label in Association.Status.choices}
    return [
        format_row(
            LIST_ROW,
            url=detail_url(a.pk),
            township=a.township.name,
            name=a.name,
            chair=a.current_chair_name or "—",
            term=term % {"n": a.term_number} if a.term_number else "—",
            founded=format_roc(a.founded_on) or "—",
            members="—" if a.member_count is None else a.member_count,
            status=a.status,
            status_label=status_labels.get(a.status, a.status),
        )
        for a in page
    ]


def association_list(request: HttpRequest) -> HttpResponse:
    filters, associations, sort = _filtered(request, with_chair=False)
    # The sort and the count run on primary keys; only the page's rows are loaded (`paginate_keys`).
    page = paginate_keys(request, associations, _list_rows)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "associations/association_list.html",
        {
            "form": filters.form,
            "page": page,
            "rows": _list_rows_html(page),
            "sort": sort,
            "page_sizes": PAGE_SIZES,
            "query": query.urlencode(),
            "can_create": access.can_create_association(request.user),
        },
    )


def association_export(request: HttpRequest) -> HttpResponse:
    """The rows the list shows for the same filters and order (every page), as .xlsx or .csv."""
    _filters, associations, _sort = _filtered(request)
    fmt = request.GET.get("format")
    return exports.export_response(request, queryset=associations, fmt=fmt if fmt in FORMATS else "xlsx")


def association_detail(request: HttpRequest, pk: int) -> HttpResponse:
    association = access.get_association_for_user(request.user, pk)
    officers, villages = _officers_and_villages(association)
    return render(
        request,
        "associations/association_detail.html",
        {
            "association": association,
            "villages": villages,
            "officers": officers,
            "sections": panels.sections(association=association, user=request.user),
            "can_change": access.can_change_association(request.user, association),
        },
    )


def _officers_and_villages(association: Association) -> tuple[list[Officer], list[str]]:
    """The association's officers (current first, by position, then name) and the names of its villages
    (in the villages' order), read in one query: a UNION of the two with the officers' columns."""
    officers = (
        association.officers.order_by()
        .annotate(part=Value(0))
        .values_list("part", "pk", "position", "name", "phone", "term_start", "term_end", "note")
    )
    villages = (
        association.villages.order_by()
        .annotate(
            part=Value(1),
            position=Value(""),
            phone=Value(""),
            term_start=Value(None, output_field=DateField()),
            term_end=Value(None, output_field=DateField()),
            note=Value(""),
        )
        .values_list("part", "pk", "position", "name", "phone", "term_start", "term_end", "note")
    )
    found: list[Officer] = []
    names: list[str] = []
    rows = officers.union(villages, all=True).order_by("part", "name", "pk")  # villages by name, as listed
    for part, pk, position, name, phone, term_start, term_end, note in rows:
        if part == 0:
            found.append(
                Officer(
                    pk=pk,
                    association=association,
                    position=position,
                    name=name,
                    phone=phone,
                    term_start=term_start,
                    term_end=term_end,
                    note=note,
                )
            )
        else:
            names.append(name)
    found.sort(key=lambda o: (not o.is_current(), Officer.POSITION_ORDER[o.position], o.name))
    return found, names


def association_history_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The association's change history, a page at a time (`?page=`, the newest first): its own page, so
    that the association's page costs the same however long its history is."""
    association = access.get_association_for_user(request.user, pk)
    return render(
        request,
        "associations/association_history.html",
        {
            "association": association,
            "history": _history_page(request, association),
            "can_open_imports": access.can_view_import_records(request.user),
        },
    )


def _history_page(request: HttpRequest, association: Association) -> HistoryPage:
    """The page of the association's history `?page=` names (the newest first); 404 when there is none."""
    wanted = request.GET.get("page", "1")
    try:
        return association_history(association, number=int(wanted) if wanted.isdecimal() else 0)
    except ValueError:
        raise Http404 from None


def association_create(request: HttpRequest) -> HttpResponse:
    if not access.can_create_association(request.user):
        raise PermissionDenied
    form = AssociationForm(request.POST or None, user=request.user, once=True)
    if request.method == "POST" and form.is_valid() and (association := _association_saved(form, request)):
        if isinstance(association, str):
            messages.info(request, _("這份表單已送出過，未重複新增。"))
            return redirect(association or "associations:list")
        messages.success(request, _("已新增「%(name)s」。") % {"name": association.name})
        return redirect(association)
    return render(request, "associations/association_form.html", {"form": form})


def association_update(request: HttpRequest, pk: int) -> HttpResponse:
    association = access.get_association_for_user(request.user, pk, for_change=True)
    version = version_of(*services.association_history(association.pk))
    form = AssociationForm(request.POST or None, instance=association, user=request.user, version=version)
    if request.method == "POST" and form.is_valid() and _association_saved(form, request, association):
        messages.success(request, _("已儲存「%(name)s」的變更。") % {"name": association.name})
        return redirect(association)
    return render(request, "associations/association_form.html", {"form": form, "association": association})


def _association_saved(
    form: AssociationForm, request: HttpRequest, association: Association | None = None
) -> Association | str | None:
    """The saved association, or None with the refusal on the form: a name saved meanwhile by someone
    else (the database's unique key caught it) is shown as the form's own duplicate check shows it, and
    a stale edit says who saved since. A repeated create form gives the address of what it created."""
    values = form.to_values()
    try:
        with transaction.atomic():
            if (earlier := submissions.claim(form.submission_token, user=request.user)) is not None:
                return earlier
            saved = services.association_save(
                association=association, values=values, actor=request.user, version=form.posted_version
            )
            submissions.fulfil(form.submission_token, url=saved.get_absolute_url())
            return saved
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            duplicate = field == "name" and duplicate_name_error(
                values.township, values.name, exclude_pk=association.pk if association else None
            )
            form.add_error(field if field in form.fields else None, duplicate or errors)
        return None


def officer_create(request: HttpRequest, pk: int) -> HttpResponse:
    association = access.get_association_for_user(request.user, pk, for_change=True)
    form = OfficerForm(request.POST or None, instance=Officer(association=association), once=True)
    if request.method == "POST" and form.is_valid():
        saved = _officer_saved(form, request, association=association, values=form.to_values())
        if isinstance(saved, str):
            messages.info(request, _("這份表單已送出過，未重複新增。"))
            return redirect(saved or association.get_absolute_url())
        if saved:
            officer, ended = saved
            messages.success(request, _("已新增幹部「%(officer)s」。") % {"officer": officer} + _ended(ended))
            return redirect(association)
    return render(request, "associations/officer_form.html", {"form": form, "association": association})


def officer_update(request: HttpRequest, pk: int) -> HttpResponse:
    officer = access.get_officer_for_user(request.user, pk, for_change=True)
    version = version_of(*services.officer_history(officer.pk))
    form = OfficerForm(request.POST or None, instance=officer, version=version)
    if request.method == "POST" and form.is_valid():
        saved = _officer_saved(
            form, request, association=officer.association, officer=officer, values=form.to_values()
        )
        if saved:
            officer, ended = saved
            message = _("已儲存幹部「%(officer)s」的變更。") % {"officer": officer} + _ended(ended)
            messages.success(request, message)
            return redirect(officer.association)
    return render(
        request,
        "associations/officer_form.html",
        {"form": form, "association": officer.association, "officer": officer},
    )


def _officer_saved(
    form: OfficerForm, request: HttpRequest, **kwargs: object
) -> tuple[Officer, list[Officer]] | str | None:
    """The service's result, or None with its refusal shown under the field it names; for a repeated
    create form, the address the first one led to."""
    try:
        with transaction.atomic():
            if (earlier := submissions.claim(form.submission_token, user=request.user)) is not None:
                return earlier
            saved = services.officer_save(**kwargs, version=form.posted_version)
            submissions.fulfil(form.submission_token, url=saved[0].association.get_absolute_url())
            return saved
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None


def _ended(ended: list[Officer]) -> str:
    return "".join(
        _("「%(officer)s」的任期已於 %(day)s 結束。") % {"officer": o, "day": format_roc(o.term_end)}
        for o in ended
    )


@require_POST
def officer_delete(request: HttpRequest, pk: int) -> HttpResponse:
    officer = access.get_officer_for_user(request.user, pk, for_change=True)
    association = officer.association
    services.officer_delete(officer=officer)
    messages.success(request, _("已刪除幹部「%(officer)s」。") % {"officer": officer})
    return redirect(association)
