"""Argument parsing shared by the grading commands."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from core.dates import ROCDateError, parse_year


def year_argument(value: str) -> int:
    """112, 112年度 or 2023 -> 2023."""
    try:
        return parse_year(value)
    except ROCDateError as exc:
        raise CommandError(str(exc), returncode=2) from exc


def user_argument(username: str | None) -> object:
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"找不到帳號「{username}」。", returncode=2)
    return user


def county_argument(name: str) -> object:
    from associations.staff import county_named

    county = county_named(name)
    if county is None:
        raise CommandError(f"找不到縣市「{name}」。", returncode=2)
    return county
