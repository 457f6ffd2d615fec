from django.urls import path

from associations import views

app_name = "associations"

urlpatterns = [
    path("", views.association_list, name="list"),
    path("new/", views.association_create, name="create"),
    path("export/", views.association_export, name="export"),
    path("<int:pk>/", views.association_detail, name="detail"),
    path("<int:pk>/edit/", views.association_update, name="update"),
    path("<int:pk>/officers/new/", views.officer_create, name="officer_create"),
    path("officers/<int:pk>/edit/", views.officer_update, name="officer_update"),
    path("officers/<int:pk>/delete/", views.officer_delete, name="officer_delete"),
]
