"""permc.django beyond the row-by-row comparison: what filter_queryset refuses, custom
roles in the database, the DRF permission class and the view decorator."""

from __future__ import annotations

import json
from typing import Any

import pytest

VIEW_ALL = {"principal": {"id": "u", "roles": [{"role": "viewer", "scope": {"type": "own"}}]}}


def plan(condition: Any, decision: str = "conditional") -> dict[str, Any]:
    return {"permission": "doc.view", "resource_type": "doc", "decision": decision, "condition": condition, "cel": "", "warnings": []}


def attr(a: str) -> dict[str, str]:
    return {"attr": a}


def const(v: Any, t: str) -> dict[str, Any]:
    return {"value": v, "type": t}


@pytest.mark.parametrize("condition, message", [
    ({"op": "matches", "left": attr("title"), "pattern": "^a"}, "regular expressions"),
    ({"op": "unplanned", "expr": "resource.level + 1 == 2", "want": True, "why": "arithmetic is not supported",
      "what": 'rule "x"', "at": "s.yaml:1:2"}, 's.yaml:1:2: rule "x": cannot translate resource.level \\+ 1 == 2: arithmetic'),
    ({"op": "==", "left": {"size": attr("tags")}, "right": const(1, "int")}, "size\\(\\) of a list"),
    ({"op": "==", "left": attr("nope"), "right": const("x", "string")}, "no model field for attribute 'nope'"),
    ({"op": "==", "left": attr("tags"), "right": const(["a"], "list(string)")}, "comparisons of lists"),
    ({"op": "exists", "var": "t", "in": attr("tags"), "where": {"op": "==", "left": {"var": "t"}, "right": attr("owner")}},
     "only its own element"),
    ({"op": "==", "left": attr("title"), "right": const("AQ==", "bytes")}, "constants of type bytes"),
    ({"op": "in", "left": attr("owner"), "right": attr("tags")}, "membership of a field in a list field"),
    ({"op": "==", "left": attr("level"), "right": const("1", "string")}, "a int field compared with a string constant"),
])
def test_untranslatable(django_setup: None, condition: Any, message: str) -> None:
    from filterapp.models import FIELDS, Doc

    from permc.django import UntranslatableError, filter_queryset

    with pytest.raises(UntranslatableError, match=message):
        filter_queryset(Doc.objects.all(), plan(condition), FIELDS)
    with pytest.raises(UntranslatableError, match=message):
        filter_queryset(Doc.objects.all(), plan({"or": [condition, {"op": "==", "left": attr("public"), "right": const(True, "bool")}]}), FIELDS)


def test_mappings(django_setup: None) -> None:
    from filterapp.models import FIELDS, Doc

    from permc.django import UntranslatableError, filter_queryset

    eq = {"op": "==", "left": attr("tags"), "right": const("x", "string")}
    for fields, message in (({"tags": "tags"}, "names a relation"), ({"tags": "nope"}, "has no field 'nope'"),
                            ({"tags": "title__lower"}, "lookups and transforms"), ({"tags": "org"}, "a int field compared with a string constant")):
        with pytest.raises(UntranslatableError, match=message):
            filter_queryset(Doc.objects.all(), plan(eq), fields)
    qs = Doc.objects.all()
    assert filter_queryset(qs, plan(True, "allowed"), FIELDS).query.where == qs.all().query.where
    assert list(filter_queryset(qs, plan(False, "denied"), {})) == []
    # The JSON of a plan serves as well.
    assert filter_queryset(qs, json.dumps(plan(False, "denied")), {}).count() == 0
    # The id mapped to an integer field compares as its decimal text.
    id_in = {"op": "in", "left": attr("id"), "right": const(["1", "x"], "list(string)")}
    assert "CAST" in str(filter_queryset(qs, plan(id_in), {"id": "pk"}).query).upper()


def test_custom_roles_in_the_database(django_setup: None) -> None:
    from django.core.exceptions import ValidationError

    from permc.django import get_authorizer
    from permc.django.models import CustomRole

    req = {"principal": {"id": "b", "roles": [{"role": "auditor", "scope": {"type": "org", "org": "x"}}]},
           "resource": {"type": "doc", "id": "d", "attributes": {"org": "x"}}, "permission": "doc.edit"}
    a = get_authorizer()
    assert not a.check(req).allowed
    with pytest.raises(ValidationError, match=r'unknown permission \\"doc.eddit\\" \(did you mean \\"doc.edit\\"\?\)|did you mean'):
        CustomRole(name="auditor", permissions=["doc.eddit"]).save()
    bad = CustomRole(name="viewer", permissions=["doc.view"])
    with pytest.raises(ValidationError, match="viewer"):
        bad.full_clean()
    role = CustomRole.objects.create(name="auditor", permissions=["doc.*"], scopes=["org"])
    assert a.check(req).allowed  # reloaded on commit
    role.scopes = ["own"]
    role.save()
    assert not a.check(req).allowed
    role.delete()
    assert json.loads(a.roles) == []


def test_drf_permission_and_decorator(django_setup: None) -> None:
    from django.test import RequestFactory
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from permc.django.drf import permc_permission
    from permc.django.views import permission_required

    def subject(request: Any) -> dict[str, Any] | None:
        user = request.META.get("HTTP_X_USER")
        if not user:
            return None
        return {"principal": {"id": user, "roles": [{"role": "editor", "scope": {"type": "own"}}]}}

    def doc(owner: str) -> dict[str, Any]:
        return {"type": "doc", "id": "d1", "attributes": {"owner": owner, "tags": []}}

    class DocView(APIView):
        authentication_classes: list[Any] = []
        permission_classes = [permc_permission({"GET": "doc.view", "PATCH": "doc.edit"}, subject=subject,
                                               view_resource=lambda request, view: doc(view.kwargs["owner"]))]

        def get(self, request: Any, owner: str) -> Response:
            return Response({"ok": True, "reason": request.permc_decision.reason.kind})

        def patch(self, request: Any, owner: str) -> Response:
            return Response({"ok": True})

        def delete(self, request: Any, owner: str) -> Response:
            return Response({"ok": True})

    rf = RequestFactory()
    view = DocView.as_view()
    assert view(rf.get("/", HTTP_X_USER="ann"), owner="ann").status_code == 200
    assert view(rf.patch("/", HTTP_X_USER="ann"), owner="ann").status_code == 200
    denied = view(rf.get("/", HTTP_X_USER="bob"), owner="ann")
    assert denied.status_code == 403 and "doc.view denied (no_grant)" in denied.render().content.decode()
    assert view(rf.get("/"), owner="ann").status_code in (401, 403)
    assert view(rf.delete("/", HTTP_X_USER="ann"), owner="ann").status_code == 403  # no permission named: refused

    @permission_required("doc.edit", subject=subject, resource=lambda request, owner: doc(owner) if owner != "gone" else None)
    def edit(request: Any, owner: str) -> Any:
        from django.http import JsonResponse

        return JsonResponse({"ok": request.permc_decision.allowed})

    assert edit(rf.post("/", HTTP_X_USER="ann"), owner="ann").status_code == 200
    r = edit(rf.post("/", HTTP_X_USER="bob"), owner="ann")
    assert r.status_code == 403 and json.loads(r.content) == {"detail": "doc.edit denied", "reason": "no_grant"}
    assert edit(rf.post("/"), owner="ann").status_code == 401
    assert edit(rf.post("/", HTTP_X_USER="ann"), owner="gone").status_code == 404

