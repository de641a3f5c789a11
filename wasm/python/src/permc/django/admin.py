from __future__ import annotations

from django.contrib import admin

from .models import CustomRole


@admin.register(CustomRole)
class CustomRoleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Invalid roles are refused with the module's message (CustomRole.clean)."""

    list_display = ("name", "description", "updated_at")
    search_fields = ("name",)
