from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from associations import access, exports, panels, services
from associations.forms import AssociationFilterForm, AssociationForm, OfficerForm
from associations.history import describe
from associations.models import Association, Officer
from core.exports import FORMATS

HISTORY_LIMIT = 100


def _require_registry(request: HttpRequest) -> None:
    if not access.can_use_registry(request.user):
        raise PermissionDenied


def association_list(request: HttpRequest) -> HttpResponse:
    _require_registry(request)
    form = AssociationFilterForm(request.GET or None, user=request.user)
    associations = form.filter(
        Association.objects.visible_to(request.user).select_related("township").with_current_chair()
    )
    page = Paginator(associations, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "associations/association_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_create": access.can_create_association(request.user),
        },
    )


def association_export(request: HttpRequest) -> HttpResponse:
    """The rows the list shows for the same filters (every page), as .xlsx or .csv."""
    _require_registry(request)
    form = AssociationFilterForm(request.GET or None, user=request.user)
    associations = form.filter(Association.objects.visible_to(request.user))
    fmt = request.GET.get("format")
    return exports.export_response(queryset=associations, fmt=fmt if fmt in FORMATS else "xlsx")


def association_detail(request: HttpRequest, pk: int) -> HttpResponse:
    association = access.get_association_for_user(request.user, pk)
    officers = sorted(
        association.officers.all(),
        key=lambda o: (not o.is_current(), Officer.POSITION_ORDER[o.position], o.name),
    )
    return render(
        request,
        "associations/association_detail.html",
        {
            "association": association,
            "villages": association.villages.all(),
            "officers": officers,
            "history": _history(association),
            "sections": panels.sections(association=association, user=request.user),
            "can_change": access.can_change_association(request.user, association),
        },
    )


def _history(association: Association) -> list:
    village_rows = Association.history.model._meta.get_field("historicalassociation_villages").related_model
    records = (
        association.history.select_related("history_user")
        .prefetch_related(
            Prefetch(
                "historicalassociation_villages_set",
                queryset=village_rows.objects.select_related("village"),
                to_attr="village_rows",
            )
        )
        .order_by("-history_date")[:HISTORY_LIMIT]
    )
    officer_records = (
        Officer.history.filter(association_id=association.pk)
        .select_related("history_user")
        .order_by("-history_date")[:HISTORY_LIMIT]
    )
    entries = describe(records, subject=lambda r: _("協會資料"), m2m={"village_rows": _("涵蓋村里")})
    entries += describe(officer_records, subject=lambda r: f"{r.get_position_display()} {r.name}")
    return sorted(entries, key=lambda e: e.when, reverse=True)[:HISTORY_LIMIT]


def association_create(request: HttpRequest) -> HttpResponse:
    if not access.can_create_association(request.user):
        raise PermissionDenied
    form = AssociationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        association = services.association_save(values=form.to_values(), actor=request.user)
        messages.success(request, _("已新增「%(name)s」。") % {"name": association.name})
        return redirect(association)
    return render(request, "associations/association_form.html", {"form": form})


def association_update(request: HttpRequest, pk: int) -> HttpResponse:
    association = access.get_association_for_user(request.user, pk, for_change=True)
    form = AssociationForm(request.POST or None, instance=association, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.association_save(association=association, values=form.to_values(), actor=request.user)
        messages.success(request, _("已儲存「%(name)s」的變更。") % {"name": association.name})
        return redirect(association)
    return render(request, "associations/association_form.html", {"form": form, "association": association})


def officer_create(request: HttpRequest, pk: int) -> HttpResponse:
    association = access.get_association_for_user(request.user, pk, for_change=True)
    form = OfficerForm(request.POST or None, instance=Officer(association=association))
    if request.method == "POST" and form.is_valid():
        officer = services.officer_save(association=association, values=form.to_values())
        messages.success(request, _("已新增幹部「%(officer)s」。") % {"officer": officer})
        return redirect(association)
    return render(request, "associations/officer_form.html", {"form": form, "association": association})


def officer_update(request: HttpRequest, pk: int) -> HttpResponse:
    officer = access.get_officer_for_user(request.user, pk, for_change=True)
    form = OfficerForm(request.POST or None, instance=officer)
    if request.method == "POST" and form.is_valid():
        officer = services.officer_save(
            association=officer.association, officer=officer, values=form.to_values()
        )
        messages.success(request, _("已儲存幹部「%(officer)s」的變更。") % {"officer": officer})
        return redirect(officer.association)
    return render(
        request,
        "associations/officer_form.html",
        {"form": form, "association": officer.association, "officer": officer},
    )


@require_POST
def officer_delete(request: HttpRequest, pk: int) -> HttpResponse:
    officer = access.get_officer_for_user(request.user, pk, for_change=True)
    association = officer.association
    services.officer_delete(officer=officer)
    messages.success(request, _("已刪除幹部「%(officer)s」。") % {"officer": officer})
    return redirect(association)
