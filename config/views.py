"""The home dashboard: each app's summary for the signed-in user's scope."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from associations import access
from associations.models import Association, County
from associations.staff import working_county_set
from awards.selectors import judge_summary
from core import security
from core.auth import client_address
from core.roles import Role
from grading.charts import grading_charts
from grading.selectors import home_summary
from subsidies.selectors import subsidy_summary


def home(request: HttpRequest) -> HttpResponse:
    role = access.role_of(request.user)
    context: dict[str, object] = {"role": role, "role_label": Role(role).label if role else ""}
    if access.can_use_registry(request.user):
        # One query for the latest register's year, one for everything else of the registry: the
        # associations by township and status, the register's statuses and tiers and its charts
        # (`grading.selectors.year_summary`, shared with the grading overview).
        summary, grading = home_summary(request.user)
        townships = summary.townships
        context["status_counts"] = [
            (status, label, sum(t[f"status_{status}"] for t in townships))
            for status, label in Association.Status.choices
        ]
        context["total"] = sum(t["count"] for t in townships)
        context["townships"] = townships
        context["grading"] = grading
        context["subsidies"] = subsidy_summary(request.user)
        # Charts of the latest register (issue 12 item 8): tiers, statuses and movement by township.
        if grading:
            context["grading_charts"] = grading_charts(summary)
    if role == Role.JUDGE:
        context["award_rounds"] = judge_summary(request.user)
    return render(request, "home.html", context)


@require_POST
def switch_county(request: HttpRequest) -> HttpResponse:
    """An administrator picks the county to work on (the header's county menu); the choice is remembered."""
    if not access.can_switch_county(request.user):
        raise PermissionDenied
    wanted = request.POST.get("county", "")
    counties = access.scope_counties(County.objects.all(), request.user)
    county = counties.filter(pk=int(wanted)).first() if wanted.isdecimal() else None
    if county is None:
        raise Http404
    previous = access.county_of(request.user)
    working_county_set(user=request.user, county=county)
    security.record(
        security.Kind.COUNTY_SWITCH,
        user=request.user,
        address=client_address(request),
        county=county.name,
        previous=previous.name if previous is not None else "",
    )
    # Home, not the page they were on: that page's rows belong to the county they just left.
    return redirect("home")
