"""Admin: registers are data edited here; numbers are legal records, never edited by hand."""

from __future__ import annotations

from django.contrib import admin

from registratura.models import Register, RegisterCounter, RegistryEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """Numbers and register entries are legal records: read here, written by services."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Register)
class RegisterAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "prefix"]


@admin.register(RegisterCounter)
class RegisterCounterAdmin(ReadOnlyAdmin):
    list_display = ["register", "year", "last_number", "last_at"]


@admin.register(RegistryEntry)
class RegistryEntryAdmin(ReadOnlyAdmin):
    list_display = ["label", "registered_at", "reference"]
    list_filter = ["register", "year"]
