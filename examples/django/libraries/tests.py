"""The example's API through Django's test client: every library listed is one a
check allows (and no other), pagination by the database, checked detail and edit,
custom roles from the database, and the third-party-auth endpoint with good, forged,
expired and wrongly filtered tokens."""

import datetime

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone
from rest_framework.test import APIClient

from permc.django import get_authorizer, reload_roles
from permc.django.models import CustomRole

from .authz import library_resource
from .models import Library, LibraryTag, Membership, Organization, RoleAssignment, Token


class API(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed", libraries=60, stdout=open("/dev/null", "w"))
        User = get_user_model()
        cls.users = {u.username: u for u in User.objects.all()}
        cls.keys = {}
        for name, user, kw in (
            ("alice", "alice", {"scopes": ["libraries:write"]}),
            ("alice-read", "alice", {"scopes": ["libraries:read"]}),
            ("bob", "bob", {"scopes": ["libraries:read"]}),
            ("carol-mitx", "carol", {"scopes": ["libraries:read"], "filters": ["org:MITx"]}),
            ("carol", "carol", {"scopes": ["libraries:read", "libraries:write"]}),
            ("tpa-ubc", "carol", {"scopes": ["tpa:read"], "filters": ["tpa_provider:saml-ubc"]}),
            ("tpa-noscope", "carol", {"scopes": ["libraries:read"], "filters": ["tpa_provider:saml-ubc"]}),
            ("tpa-alice", "alice", {"scopes": ["tpa:read"], "filters": ["tpa_provider:saml-ubc"]}),
            ("expired", "carol", {"scopes": ["tpa:read"], "filters": ["tpa_provider:saml-ubc"], "lifetime": datetime.timedelta(seconds=-1)}),
            ("elsewhere", "carol", {"scopes": ["libraries:read"], "allowed_ips": ["10.9.0.0/16"]}),
        ):
            _, cls.keys[name] = Token.issue(cls.users[user], "t-" + name, **kw)
        # The seed's custom roles are committed only when the test ends: load them now.
        reload_roles()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        reload_roles()  # the database's roles again

    def client_for(self, token):
        c = APIClient()
        c.credentials(HTTP_AUTHORIZATION=f"Bearer {self.keys.get(token, token)}")
        return c

    def listed(self, token, **params):
        slugs, offset = [], 0
        while True:
            r = self.client_for(token).get("/api/libraries/", {"limit": 25, "offset": offset, **params})
            self.assertEqual(r.status_code, 200, r.content)
            page = r.json()
            slugs += [lib["slug"] for lib in page["results"]]
            if not page["next"]:
                self.assertEqual(len(slugs), page["count"])
                return slugs
            offset += 25

    def allowed_by_checks(self, token_name):
        token = Token.objects.get(name="t-" + token_name)
        u = token.user
        subject = {
            "principal": {"id": u.username, "attributes": {"is_staff": u.is_staff, "orgs": sorted(m.org.slug for m in u.memberships.all())},
                          "roles": [{"role": a.role, "scope": a.scope} for a in u.role_assignments.order_by("pk")]},
            "credential": {"scopes": token.scopes, "filters": token.filters, "attributes": {"allowed_ips": token.allowed_ips}},
            "context": {"time": timezone.now(), "ip": "127.0.0.1"},
        }
        authz = get_authorizer()
        return sorted(lib.slug for lib in Library.objects.prefetch_related("tags").select_related("org")
                      if authz.check({**subject, "resource": library_resource(lib), "permission": "library.view"}).allowed)

    def test_list_is_what_checks_allow(self):
        seen = set()
        for token in ("alice", "alice-read", "bob", "carol", "carol-mitx", "elsewhere", "tpa-ubc"):
            got = self.listed(token)
            self.assertEqual(got, sorted(got), "ordered by the database")
            self.assertEqual(got, self.allowed_by_checks(token), token)
            seen.add(len(got))
        self.assertGreater(len(seen), 3, "the tokens see different libraries")
        self.assertEqual(self.listed("carol"), sorted(Library.objects.values_list("slug", flat=True)))
        self.assertEqual(self.listed("elsewhere"), [])  # the IP allowlist denies everything
        self.assertTrue(all(s.startswith("mitx-") for s in self.listed("carol-mitx")))

    def test_the_list_uses_a_plan(self):
        plan = get_authorizer().plan({"principal": {"id": "bob", "roles": [{"role": "reviewer", "scope": {"type": "libraries", "ids": ["x"]}}]}}, "library.view")
        self.assertEqual(plan.decision, "conditional")
        self.assertIn('resource.id == "x"', plan.cel)

    def test_detail_and_edit(self):
        mit = Library.objects.filter(org__slug="MITx").exclude(tags__name="archived").first()
        hx = Library.objects.filter(org__slug="HarvardX", public=False).first()
        archived = Library.objects.filter(org__slug="MITx", tags__name="archived").first()
        self.assertEqual(self.client_for("alice").get(f"/api/libraries/{mit.slug}/").status_code, 200)
        r = self.client_for("alice").patch(f"/api/libraries/{mit.slug}/", {"title": "Renamed"}, format="json")
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(Library.objects.get(pk=mit.pk).title, "Renamed")
        r = self.client_for("alice").patch(f"/api/libraries/{archived.slug}/", {"title": "x"}, format="json")
        self.assertEqual(r.status_code, 403)
        self.assertIn("deny_rule", r.json()["detail"])
        # A read-only token narrows alice's author role.
        r = self.client_for("alice-read").patch(f"/api/libraries/{mit.slug}/", {"title": "x"}, format="json")
        self.assertEqual((r.status_code, r.json()["detail"]), (403, "library.edit denied (credential)"))
        self.assertEqual(self.client_for("alice").get(f"/api/libraries/{hx.slug}/").status_code, 403)
        self.assertEqual(self.client_for("alice").get("/api/libraries/no-such-library/").status_code, 404)
        self.assertEqual(APIClient().get(f"/api/libraries/{mit.slug}/").status_code, 401)

    def test_custom_roles_from_the_database(self):
        lib = Library.objects.filter(org__slug="BU", public=False).exclude(slug="bu-000002").first()  # not bob's as reviewer
        RoleAssignment.objects.create(user=self.users["bob"], role="auditor", scope={"type": "org", "org": "BU"})
        self.assertEqual(self.client_for("bob").get(f"/api/libraries/{lib.slug}/").status_code, 403)
        # The roles reload when the transaction commits (here: when the block ends).
        with self.captureOnCommitCallbacks(execute=True):
            role = CustomRole.objects.create(name="auditor", permissions=["library.view"], scopes=["org"])
        self.assertEqual(self.client_for("bob").get(f"/api/libraries/{lib.slug}/").status_code, 200)
        self.assertIn(lib.slug, self.listed("bob"))
        with self.captureOnCommitCallbacks(execute=True):
            role.delete()
        self.assertEqual(self.client_for("bob").get(f"/api/libraries/{lib.slug}/").status_code, 403)
        self.assertNotIn(lib.slug, self.listed("bob"))

    def test_third_party_auth_users(self):
        url = "/api/third_party_auth/v0/providers/{}/users"
        r = self.client_for("tpa-ubc").get(url.format("saml-ubc"))
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual([u["username"] for u in r.json()["users"]], ["saml-ubc-user0", "saml-ubc-user1", "saml-ubc-user2"])
        # A token whose filter names another provider.
        r = self.client_for("tpa-ubc").get(url.format("saml-mit"))
        self.assertEqual((r.status_code, r.json()["detail"]), (403, "tpa_provider.read denied (credential)"))
        # A token without the tpa:read scope; a user who is not staff.
        self.assertEqual(self.client_for("tpa-noscope").get(url.format("saml-ubc")).status_code, 403)
        self.assertEqual(self.client_for("tpa-alice").get(url.format("saml-ubc")).status_code, 403)
        # Forged, expired, malformed and missing tokens.
        forged = self.keys["tpa-ubc"][:-4] + ("AAAA" if not self.keys["tpa-ubc"].endswith("AAAA") else "BBBB")
        for token, detail in ((forged, "invalid token"), ("expired", "token expired"), ("permc_\u00e9", "invalid token")):
            r = self.client_for(token).get(url.format("saml-ubc"))
            self.assertEqual((r.status_code, r.json()["detail"]), (401, detail))
        self.assertEqual(APIClient().get(url.format("saml-ubc")).status_code, 401)
        c = APIClient()
        c.credentials(HTTP_AUTHORIZATION="Bearer a b")
        self.assertEqual(c.get(url.format("saml-ubc")).status_code, 401)
        # A provider that does not exist: the check passes (the filter names it), the lookup does not.
        self.assertEqual(self.client_for("tpa-ubc").get(url.format("saml-ubc")).status_code, 200)
        Token.objects.filter(name="t-tpa-ubc").update(filters=["tpa_provider:saml-gone"])
        self.assertEqual(self.client_for("tpa-ubc").get(url.format("saml-gone")).status_code, 404)
