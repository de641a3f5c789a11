"""Bearer tokens: `Authorization: Bearer permc_...`, looked up by their SHA-256."""

import hmac

from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import Token


class BearerTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != b"bearer":
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("malformed Authorization header")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("invalid token") from None
        digest = Token.hash(key)
        token = Token.objects.select_related("user").filter(key_hash=digest).first()
        # compare_digest: the lookup is by hash, but say so where it matters.
        if token is None or not hmac.compare_digest(token.key_hash, digest) or not token.user.is_active:
            raise exceptions.AuthenticationFailed("invalid token")
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed("token expired")
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
