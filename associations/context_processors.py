from django.http import HttpRequest

from associations import access


def roles(request: HttpRequest) -> dict[str, object]:
    role = access.role_of(request.user)
    return {
        "portal_role": role,
        "can_use_registry": access.can_use_registry(request.user),
        "can_use_admin": access.can_use_admin(request.user),
    }
