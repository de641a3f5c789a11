from django.contrib import admin

from .models import Library, LibraryTag, Membership, Organization, Provider, ProviderUser, RoleAssignment, Token

for model in (Organization, Library, LibraryTag, Membership, RoleAssignment, Token, Provider, ProviderUser):
    admin.site.register(model)
