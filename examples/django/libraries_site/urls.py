from django.contrib import admin
from django.urls import path

from libraries import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/libraries/", views.LibraryList.as_view(), name="library-list"),
    path("api/libraries/<str:slug>/", views.LibraryDetail.as_view(), name="library-detail"),
    path("api/third_party_auth/v0/providers/<str:provider_id>/users", views.ProviderUsers.as_view(), name="provider-users"),
]
