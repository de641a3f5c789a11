"""The API: libraries listed as the database filters them by the caller's query
plan, a library read and edited after a check, and the third-party-auth providers'
users behind the tpa:read scope and a tpa_provider filter."""

from django.shortcuts import get_object_or_404
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from permc.django import get_authorizer
from permc.django.access import plan_filter, subject_of
from permc.django.drf import permc_permission

from .authz import LIBRARY_FIELDS, library_resource, subject
from .models import Library, Provider


class LibrarySerializer(serializers.ModelSerializer):
    org = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = Library
        fields = ["slug", "org", "title", "public", "tags"]
        read_only_fields = ["slug"]


class LibraryList(generics.ListAPIView):
    """GET /api/libraries/: the libraries the caller may view, paginated by the
    database (?limit=&offset=)."""

    serializer_class = LibrarySerializer
    permission_classes = [permc_permission("library.view", subject=subject)]

    def get_queryset(self):
        libraries = Library.objects.select_related("org").prefetch_related("tags").order_by("slug")
        return plan_filter(libraries, get_authorizer(), subject_of(self.request, subject), "library.view", "library", LIBRARY_FIELDS)


class LibraryDetail(generics.RetrieveUpdateAPIView):
    """GET /api/libraries/<slug>/ (library.view) and PATCH (library.edit)."""

    serializer_class = LibrarySerializer
    lookup_field = "slug"
    queryset = Library.objects.select_related("org").prefetch_related("tags")
    permission_classes = [permc_permission({"GET": "library.view", "PUT": "library.edit", "PATCH": "library.edit"},
                                           subject=subject, resource=library_resource)]


def provider_resource(request, view):
    return {"type": "tpa_provider", "id": view.kwargs["provider_id"]}


class ProviderUsers(APIView):
    """GET /api/third_party_auth/v0/providers/<provider_id>/users: the users linked
    to a provider, for tokens with the tpa:read scope and the filter
    tpa_provider:<provider_id> (and platform staff)."""

    permission_classes = [permc_permission("tpa_provider.read", subject=subject, view_resource=provider_resource)]

    def get(self, request, provider_id):
        provider = get_object_or_404(Provider, provider_id=provider_id)
        users = provider.users.order_by("username")
        return Response({"provider": provider_id, "users": [{"username": u.username, "remote_id": u.remote_id} for u in users]})
