"""Admin: registers are data edited here; numbers are legal records, never edited by hand."""

from __future__ import annotations

from django.contrib import admin

from registratura.models import (
    Department,
    Document,
    DocumentKind,
    Register,
    RegisterCounter,
    RegistryEntry,
)


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


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "email", "active"]


@admin.register(DocumentKind)
class DocumentKindAdmin(admin.ModelAdmin):
    """Legal deadlines are data: changed here when the law changes."""

    list_display = ["name", "code", "deadline_days", "extended_deadline_days", "department"]
    list_filter = ["active"]


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    """Lines of the register book are written by the registratura pages and services."""

    list_display = ["label", "direction", "channel", "kind", "status", "due_date"]
    list_filter = ["direction", "channel", "status", "entry__register"]
    search_fields = ["subject", "correspondent_name"]
    list_select_related = ["entry__register", "kind"]
