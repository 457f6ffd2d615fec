from django.urls import path

from grading import views
from grading.admin_import import compliance_import_staff_view

app_name = "grading"

urlpatterns = [
    path("", views.index, name="index"),
    path("movement/", views.movement, name="movement"),
    path("todo/", views.todo_page, name="todo"),
    path("todo/export/", views.todo_export, name="todo_export"),
    path("import/", compliance_import_staff_view, name="import"),
    path("<int:year>/", views.overview, name="overview"),
    path("<int:year>/register/", views.register_list, name="register"),
    path("<int:year>/register/export/", views.register_export, name="export"),
    path("<int:year>/recompute/", views.register_recompute, name="recompute"),
    path("<int:year>/recompute/status/", views.register_recompute_status, name="recompute_status"),
    path("<int:year>/finalise/", views.register_finalise, name="finalise"),
    path("<int:year>/reopen/", views.register_reopen, name="reopen"),
    path("<int:year>/thresholds/", views.thresholds_edit, name="thresholds"),
    path("<int:year>/associations/<int:association_pk>/", views.assessment_detail, name="assessment"),
    path(
        "<int:year>/associations/<int:association_pk>/override/",
        views.assessment_override,
        name="override",
    ),
    path(
        "<int:year>/associations/<int:association_pk>/clear-override/",
        views.assessment_override_clear,
        name="clear_override",
    ),
]
