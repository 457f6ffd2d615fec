from django.urls import path

from associations import views
from associations.admin_import import roster_import_staff_view
from associations.compliance import views as compliance_views
from core.converters import gregorian_twins

app_name = "associations"

urlpatterns = [
    path("", views.association_list, name="list"),
    path("new/", views.association_create, name="create"),
    path("export/", views.association_export, name="export"),
    path("import/", roster_import_staff_view, name="import"),
    path("<int:pk>/", views.association_detail, name="detail"),
    path("<int:pk>/history/", views.association_history_page, name="history"),
    path("<int:pk>/edit/", views.association_update, name="update"),
    path("<int:pk>/officers/new/", views.officer_create, name="officer_create"),
    path("officers/<int:pk>/edit/", views.officer_update, name="officer_update"),
    path("officers/<int:pk>/delete/", views.officer_delete, name="officer_delete"),
    # Yearly compliance facts (會務財務清查): associations/compliance/views.py
    path("<int:pk>/compliance/<roc_year:year>/", compliance_views.checklist, name="compliance"),
    path("compliance/", compliance_views.grid_current, name="compliance_grid_current"),
    path("compliance/<roc_year:year>/", compliance_views.grid, name="compliance_grid"),
    path("meetings/<int:pk>/edit/", compliance_views.meeting_update, name="meeting_update"),
    path("meetings/<int:pk>/delete/", compliance_views.meeting_delete, name="meeting_delete"),
    path("elections/<int:pk>/edit/", compliance_views.election_update, name="election_update"),
    path("elections/<int:pk>/delete/", compliance_views.election_delete, name="election_delete"),
]
# Years in URLs are ROC (…/115/); each route's Gregorian form (…/2026/) redirects to it: core/converters.py
urlpatterns += gregorian_twins(urlpatterns, app_name)
