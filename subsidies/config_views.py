"""The county's funding configuration pages: sources, items, a year's allocations and minimums, and the
copy of last year's configuration. For county officers and administrators, of their working county."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BigIntegerField, Value
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from associations import access
from core.concurrency import StaleEdit, version_of
from core.dates import format_roc_year
from subsidies import permissions, services
from subsidies.forms import ConfigurationForm, ItemForm, SourceForm
from subsidies.models import Allocation, FundingSource, SelfFundingMinimum, SubsidyItem
from subsidies.selectors import require_subsidy_year
from subsidies.services import SubsidyError


def _county(request: HttpRequest):
    permissions.require_staff(request.user)
    if not permissions.can_configure(request.user):
        raise PermissionDenied(_("只有縣府承辦人及系統管理者可以設定補助經費。"))
    county = access.county_of(request.user)
    if county is None:
        raise PermissionDenied
    return county


def configuration_index(request: HttpRequest) -> HttpResponse:
    _county(request)
    return redirect("subsidies:config", timezone.localdate().year)


def configuration(request: HttpRequest, year: int) -> HttpResponse:
    county = _county(request)
    require_subsidy_year(year, county.pk)
    # Every source once (the page lists them all; the form leaves out self-funding), and this year's and last
    # year's allocations in one query (last year's only to offer copying them).
    all_sources = list(FundingSource.objects.filter(county=county))
    sources = [source for source in all_sources if source.kind != FundingSource.Kind.SELF]
    items = list(SubsidyItem.objects.filter(county=county))
    both_years, minimums = _amounts(county.pk, year)
    allocations = {a.source_id: a for a in both_years if a.year == year}
    form = ConfigurationForm(
        request.POST if request.method == "POST" else None,
        sources=sources,
        items=items,
        allocations=allocations,
        minimums=minimums,
        version=version_of(*services.configuration_history(county_id=county.pk, year=year)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.configuration_save(
                county=county,
                year=year,
                allocations=form.allocations(),
                minimums=form.minimums(),
                actor=request.user,
                version=form.posted_version,
            )
        except StaleEdit as error:
            form.add_error(None, error)
        except SubsidyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已儲存%(year)s的補助經費設定。") % {"year": format_roc_year(year)})
            return redirect("subsidies:config", year)
    return render(
        request,
        "subsidies/configuration.html",
        {
            "year": year,
            "form": form,
            "items": items,
            "all_sources": all_sources,
            "configured": bool(allocations),
            "previous_configured": any(a.year == year - 1 for a in both_years),
        },
    )


def _amounts(county_id: int, year: int) -> tuple[list[Allocation], dict[tuple[int, int], int]]:
    """The county's allocations of `year` and the year before, and its minimums of `year` by (source,
    item), in one query: the two tables' rows side by side (UNION ALL), a minimum's columns empty on an
    allocation's row and the other way round."""
    none = Value(None, output_field=BigIntegerField())
    allocations = (
        Allocation.objects.filter(source__county_id=county_id, year__in=[year, year - 1])
        .annotate(minimum_item=none, minimum_percent=none)
        .values_list(
            "source_id", "year", "recurrent_amount", "capital_amount", "minimum_item", "minimum_percent"
        )
        .order_by()
    )
    minimums = (
        SelfFundingMinimum.objects.filter(source__county_id=county_id, year=year)
        .annotate(recurrent=none, capital=none)
        .values_list("source_id", "year", "recurrent", "capital", "item_id", "percent")
        .order_by()
    )
    found, percents = [], {}
    for source_id, row_year, recurrent, capital, item_id, percent in allocations.union(minimums, all=True):
        if item_id is None:
            found.append(
                Allocation(
                    source_id=source_id, year=row_year, recurrent_amount=recurrent, capital_amount=capital
                )
            )
        else:
            percents[(source_id, item_id)] = percent
    return found, percents


@require_POST
def configuration_copy(request: HttpRequest, year: int) -> HttpResponse:
    """This year's configuration from last year's (rows this year already has are kept)."""
    county = _county(request)
    require_subsidy_year(year, county.pk)
    services.configuration_ensure(county=county, year=year - 1)
    created = services.configuration_copy(county=county, from_year=year - 1, to_year=year)
    services.configuration_ensure(county=county, year=year)
    messages.success(
        request,
        _("已從%(from)s複製 %(n)d 筆設定。") % {"from": format_roc_year(year - 1), "n": created},
    )
    return redirect("subsidies:config", year)


def _row_page(request: HttpRequest, *, form_class, row, save, title: str) -> HttpResponse:
    county = _county(request)
    version = version_of(services.row_history(row)) if row is not None else None
    form = form_class(request.POST if request.method == "POST" else None, instance=row, version=version)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items()}
        if row is not None:
            values["version"] = form.posted_version
        try:
            save(county=county, actor=request.user, **values)
        except (SubsidyError, ValidationError) as error:
            form.add_error(None, error if isinstance(error, ValidationError) else str(error))
        else:
            messages.success(request, _("已儲存。"))
            return redirect("subsidies:config_index")
    return render(request, "subsidies/config_row_form.html", {"form": form, "title": title})


def source_create(request: HttpRequest) -> HttpResponse:
    return _row_page(
        request, form_class=SourceForm, row=None, save=services.source_save, title=_("新增經費來源")
    )


def source_update(request: HttpRequest, pk: int) -> HttpResponse:
    source = permissions.get_source_for_user(request.user, pk)
    return _row_page(
        request,
        form_class=SourceForm,
        row=source,
        save=lambda **kw: services.source_save(source=source, **kw),
        title=source.name,
    )


def item_create(request: HttpRequest) -> HttpResponse:
    return _row_page(request, form_class=ItemForm, row=None, save=services.item_save, title=_("新增補助項目"))


def item_update(request: HttpRequest, pk: int) -> HttpResponse:
    item = permissions.get_item_for_user(request.user, pk)
    return _row_page(
        request,
        form_class=ItemForm,
        row=item,
        save=lambda **kw: services.item_save(item=item, **kw),
        title=item.name,
    )
