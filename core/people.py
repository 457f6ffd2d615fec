"""How a person is named on a page: the full name given to their account (`add_staff --name`, kept whole
in first_name), else their username; nothing for no one."""

from __future__ import annotations


def display_name(user: object) -> str:
    if user is None:
        return ""
    full = user.get_full_name().strip() if hasattr(user, "get_full_name") else ""
    return full or getattr(user, "username", "") or str(user)
