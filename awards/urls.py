from django.urls import path

from awards import views
from awards.round_import import round_create_view

app_name = "awards"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", round_create_view, name="create"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/start/", views.round_start, name="start"),
    path("<int:pk>/publish/", views.round_publish, name="publish"),
    path("<int:pk>/judges/", views.judge_assign, name="assign_judge"),
    path("<int:pk>/nominate/", views.entry_nominate, name="nominate"),
    path("<int:pk>/results/", views.results, name="results"),
    path("entries/<int:pk>/score/", views.entry_score, name="score"),
    path("entries/<int:pk>/sheet/", views.entry_sheet, name="sheet"),
    path("entries/<int:pk>/accept/", views.entry_accept, name="accept"),
    path("entries/<int:pk>/conflict/", views.conflict_declare, name="declare_conflict"),
    path("conflicts/<int:pk>/clear/", views.conflict_clear, name="clear_conflict"),
    path("sheets/<int:pk>/change/", views.sheet_change, name="change_sheet"),
    path("criteria/<int:pk>/revise/", views.criterion_revise, name="revise_criterion"),
]
