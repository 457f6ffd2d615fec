from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, object]:
    return {"PORTAL_TITLE": settings.PORTAL_TITLE, "PORTAL_COUNTY": settings.PORTAL_COUNTY}
