"""One-time tokens of create forms: a double-clicked or re-sent form creates one row, and the repeat is sent
where the first went. The token is claimed in the same transaction as the create, so a create that fails
frees it, and a second request with the token waits on the unique index until the first commits."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction

from core.models import SubmissionToken


def claim(token: uuid.UUID | None, *, user: object) -> str | None:
    """Claim `token` inside the caller's transaction. None when it is new (or there is none); else the
    address the earlier submission recorded ("" if it recorded none)."""
    if token is None:
        return None
    try:
        with transaction.atomic():
            SubmissionToken.objects.create(token=token, user=user if getattr(user, "pk", None) else None)
    except IntegrityError:
        return SubmissionToken.objects.filter(token=token).values_list("url", flat=True).first() or ""
    return None


def fulfil(token: uuid.UUID | None, *, url: str) -> None:
    """Record where the submission holding `token` led, for its repeats."""
    if token is not None:
        SubmissionToken.objects.filter(token=token).update(url=url)
