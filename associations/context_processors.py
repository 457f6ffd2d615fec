from django.http import HttpRequest

from associations import access


def roles(request: HttpRequest) -> dict[str, object]:
    """The role, and the county the user works in: its name heads every page, and administrators get the
    counties to switch between. Nobody else sees another county's name."""
    role = access.role_of(request.user)
    can_use_registry = access.can_use_registry(request.user)
    county = access.county_of(request.user) if can_use_registry else None
    return {
        "portal_role": role,
        "can_use_registry": can_use_registry,
        "can_use_admin": access.can_use_admin(request.user),
        "can_import": access.can_import(request.user),
        "working_county": county,
        "switch_counties": access.switchable_counties(request.user),
    }
