from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.i18n import set_language

from config import views


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("county/", views.switch_county, name="switch_county"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("associations/", include("associations.urls")),
    path("grading/", include("grading.urls")),
    path("subsidies/", include("subsidies.urls")),
    path("awards/", include("awards.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
