"""What permc needs from this application: who is asking (principal, credential,
context), and how a Library row is a permc resource."""

from django.utils import timezone

from permc.django import resource

from .models import Token

# Where each attribute of a library is: its id is the slug, its org the org's slug,
# its tags one LibraryTag row each. filter_queryset and resource() read the same map.
LIBRARY_FIELDS = {"id": "slug", "org": "org__slug", "public": "public", "tags": "tags__name"}


def library_resource(library):
    return resource(library, "library", LIBRARY_FIELDS)


def subject(request):
    """The principal (the user, its organizations and role assignments), the
    credential (the bearer token's scopes, filters and IP allowlist) and the context
    (the time and the client's address) of a request; None when nobody is signed in."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    principal = {
        "id": user.get_username(),
        "attributes": {
            "is_staff": user.is_staff,
            "orgs": sorted(m.org.slug for m in user.memberships.select_related("org")),
        },
        "roles": [{"role": a.role, "scope": a.scope} for a in user.role_assignments.order_by("pk")],
    }
    out = {"principal": principal, "context": {"time": timezone.now(), "ip": request.META.get("REMOTE_ADDR", "")}}
    token = getattr(request, "auth", None)
    if isinstance(token, Token):
        out["credential"] = {"scopes": token.scopes, "filters": token.filters, "attributes": {"allowed_ips": token.allowed_ips}}
    return out
