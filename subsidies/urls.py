from django.urls import path

from subsidies import views

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
]
