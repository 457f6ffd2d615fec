from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone


def portal(request: HttpRequest) -> dict[str, object]:
    return {
        "PORTAL_TITLE": settings.PORTAL_TITLE,
        "PORTAL_COUNTY": settings.PORTAL_COUNTY,
        # Shown only on paper: the day a page was printed, in the county's own calendar.
        "PRINTED_ON": timezone.localdate(),
    }
