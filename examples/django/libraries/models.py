"""Organizations own content libraries; users belong to organizations and hold role
assignments; API clients hold bearer tokens that narrow what their user may do; the
platform's third-party-auth providers link users."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class Organization(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.slug


class Library(models.Model):
    slug = models.CharField(max_length=200, unique=True)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="libraries")
    title = models.CharField(max_length=200)
    public = models.BooleanField(default=False)

    class Meta:
        ordering = ["slug"]
        verbose_name_plural = "libraries"

    def __str__(self) -> str:
        return self.slug


class LibraryTag(models.Model):
    """One tag of a library ("archived" makes it read-only): the permc attribute
    tags, a list(string), one row per element."""

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=100)

    class Meta:
        unique_together = [("library", "name")]


class Membership(models.Model):
    """A user belongs to an organization: the principal attribute orgs."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)


class RoleAssignment(models.Model):
    """A role (built in, or a custom role of permc.django's CustomRole) at a scope,
    as a permc request carries it: {"type": "org", "org": "MITx"}."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=100)
    scope = models.JSONField()


class Token(models.Model):
    """A bearer token, as an API client holds it: only its SHA-256 is stored. Its
    OAuth scopes and filters (and IP allowlist) narrow what its user may do; it stops
    working when it expires."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    filters = models.JSONField(default=list)
    allowed_ips = models.JSONField(default=list)
    expires_at = models.DateTimeField()

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name, *, scopes=(), filters=(), allowed_ips=(), lifetime=timezone.timedelta(days=30)):
        """Makes a token and returns it with its key, which is shown once."""
        key = "permc_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=cls.hash(key), scopes=list(scopes),
                                   filters=list(filters), allowed_ips=list(allowed_ips), expires_at=timezone.now() + lifetime)
        return token, key


class Provider(models.Model):
    provider_id = models.SlugField(unique=True)
    name = models.CharField(max_length=200)


class ProviderUser(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="users")
    username = models.CharField(max_length=150)
    remote_id = models.CharField(max_length=200)
