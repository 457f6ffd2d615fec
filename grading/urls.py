from django.urls import path

from core.converters import gregorian_twins
from grading import views
from grading.admin_import import compliance_import_staff_view

app_name = "grading"

urlpatterns = [
    path("", views.index, name="index"),
    path("movement/", views.movement, name="movement"),
    path("todo/", views.todo_page, name="todo"),
    path("todo/export/", views.todo_export, name="todo_export"),
    path("import/", compliance_import_staff_view, name="import"),
    path("<roc_year:year>/", views.overview, name="overview"),
    path("<roc_year:year>/register/", views.register_list, name="register"),
    path("<roc_year:year>/register/export/", views.register_export, name="export"),
    path("<roc_year:year>/recompute/", views.register_recompute, name="recompute"),
    path("<roc_year:year>/recompute/status/", views.register_recompute_status, name="recompute_status"),
    path("<roc_year:year>/finalise/", views.register_finalise, name="finalise"),
    path("<roc_year:year>/reopen/", views.register_reopen, name="reopen"),
    path("<roc_year:year>/thresholds/", views.thresholds_edit, name="thresholds"),
    path("<roc_year:year>/associations/<int:association_pk>/", views.assessment_detail, name="assessment"),
    path(
        "<roc_year:year>/associations/<int:association_pk>/override/",
        views.assessment_override,
        name="override",
    ),
    path(
        "<roc_year:year>/associations/<int:association_pk>/clear-override/",
        views.assessment_override_clear,
        name="clear_override",
    ),
]
# Years in URLs are ROC (…/115/); each route's Gregorian form (…/2026/) redirects to it: core/converters.py
urlpatterns += gregorian_twins(urlpatterns, app_name)
