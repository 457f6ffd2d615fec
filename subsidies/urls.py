from django.urls import path

from core.converters import gregorian_twins
from subsidies import config_views, views

app_name = "subsidies"

urlpatterns = [
    path("", views.application_list, name="list"),
    path("queue/", views.application_queue, name="queue"),
    path("new/", views.application_create, name="create"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/edit/", views.application_update, name="update"),
    path("<int:pk>/act/", views.application_transition, name="transition"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("batch/", views.batch_page, name="batch"),
    path("batch/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("budget/", views.budget_index, name="budget_index"),
    path("budget/<roc_year:year>/", views.budget, name="budget"),
    path("config/", config_views.configuration_index, name="config_index"),
    path("config/<roc_year:year>/", config_views.configuration, name="config"),
    path("config/<roc_year:year>/copy/", config_views.configuration_copy, name="config_copy"),
    path("config/sources/new/", config_views.source_create, name="source_create"),
    path("config/sources/<int:pk>/", config_views.source_update, name="source_update"),
    path("config/items/new/", config_views.item_create, name="item_create"),
    path("config/items/<int:pk>/", config_views.item_update, name="item_update"),
]
# Years in URLs are ROC (…/115/); each route's Gregorian form (…/2026/) redirects to it: core/converters.py
urlpatterns += gregorian_twins(urlpatterns, app_name)
