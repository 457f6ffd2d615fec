"""The home dashboard: each app's summary for the signed-in user's scope."""

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from associations import access
from associations.models import Association, Township
from core.roles import Role
from grading.selectors import grading_summary


def home(request: HttpRequest) -> HttpResponse:
    role = access.role_of(request.user)
    context: dict[str, object] = {"role": role, "role_label": Role(role).label if role else ""}
    if access.can_use_registry(request.user):
        visible = Association.objects.visible_to(request.user)
        counts = visible.aggregate(
            total=Count("pk"),
            **{status: Count("pk", filter=Q(status=status)) for status in Association.Status.values},
        )
        context["status_counts"] = [
            (status, label, counts[status]) for status, label in Association.Status.choices
        ]
        context["total"] = counts["total"]
        context["townships"] = (
            access.scope_townships(Township.objects.all(), request.user)
            .filter(associations__in=visible)
            .annotate(count=Count("associations"))
            .order_by("county__name", "sort_order", "name")
        )
        context["grading"] = grading_summary(request.user)
    return render(request, "home.html", context)
