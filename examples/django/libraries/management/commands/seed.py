"""Fills the example's database: organizations, libraries, users with roles, tokens,
the custom roles of roles.json, and third-party-auth providers. Prints the tokens."""

import json
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from permc.django.models import CustomRole

from ...models import Library, LibraryTag, Membership, Organization, Provider, ProviderUser, RoleAssignment, Token


class Command(BaseCommand):
    help = "Creates example organizations, libraries, users, roles, tokens and providers."

    def add_arguments(self, parser):
        parser.add_argument("--libraries", type=int, default=30, help="how many libraries (default 30)")

    @transaction.atomic
    def handle(self, *args, libraries, **options):
        User = get_user_model()
        for role in json.loads((settings.BASE_DIR / "roles.json").read_text()):
            CustomRole.objects.update_or_create(name=role["name"], defaults={
                "description": role.get("description", ""), "permissions": role["permissions"], "scopes": role.get("scopes")})
        orgs = [Organization.objects.get_or_create(slug=s, defaults={"name": s})[0] for s in ("MITx", "HarvardX", "BU")]
        r = random.Random(1)
        new = [Library(slug=f"{orgs[i % 3].slug.lower()}-{i:06d}", org=orgs[i % 3], title=f"Library {i}", public=i % 10 == 0)
               for i in range(libraries)]
        Library.objects.bulk_create(new, ignore_conflicts=True, batch_size=5000)
        tags = [LibraryTag(library=lib, name="archived") for lib in Library.objects.all() if r.random() < 0.1]
        LibraryTag.objects.bulk_create(tags, ignore_conflicts=True, batch_size=5000)

        def user(name, *, staff=False, orgs=(), roles=()):
            u, _ = User.objects.get_or_create(username=name, defaults={"is_staff": staff})
            u.set_password(name)
            u.save()
            for o in orgs:
                Membership.objects.get_or_create(user=u, org=Organization.objects.get(slug=o))
            for role, scope in roles:
                RoleAssignment.objects.get_or_create(user=u, role=role, scope=scope)
            return u

        alice = user("alice", orgs=["MITx"], roles=[("library_author", {"type": "org", "org": "MITx"})])
        bob = user("bob", roles=[("reviewer", {"type": "libraries", "ids": ["harvardx-000001", "bu-000002"]})])
        carol = user("carol", staff=True)
        user("admin", staff=True).is_superuser = True
        User.objects.filter(username="admin").update(is_superuser=True)
        for pid in ("saml-ubc", "saml-mit"):
            p, _ = Provider.objects.get_or_create(provider_id=pid, defaults={"name": pid})
            for i in range(3):
                ProviderUser.objects.get_or_create(provider=p, username=f"{pid}-user{i}", remote_id=f"{pid}:{i}")
        for owner, name, kw in (
            (alice, "alice-read", {"scopes": ["libraries:read"]}),
            (alice, "alice-write", {"scopes": ["libraries:write"]}),
            (carol, "carol-mitx", {"scopes": ["libraries:read"], "filters": ["org:MITx"]}),
            (carol, "tpa-ubc", {"scopes": ["tpa:read"], "filters": ["tpa_provider:saml-ubc"]}),
            (bob, "bob-read", {"scopes": ["libraries:read"]}),
        ):
            _, key = Token.issue(owner, name, **kw)
            self.stdout.write(f"{name:12} {key}")
        self.stdout.write(f"{Library.objects.count()} libraries; users alice, bob, carol (passwords = names), admin")
