"""Admin: the kinds and documents are data edited here (the registers in registratura);
applications are read here and changed only through the workflow services (API)."""

from __future__ import annotations

from django.contrib import admin

from permits.models import (
    Application,
    ApplicationEvent,
    ApplicationKind,
    ApplicationParcel,
    AssemblyRun,
    Attachment,
    Dossier,
    IssuedAct,
    RequiredDocument,
)


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0


@admin.register(ApplicationKind)
class ApplicationKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "family", "deadline_days", "register", "act_register", "active"]
    list_filter = ["family", "active"]
    inlines = [RequiredDocumentInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Numbers, events and dossiers are legal records: never edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ParcelInline(admin.TabularInline):
    model = ApplicationParcel
    extra = 0
    fields = ["siruta", "cadastral_number", "land_book_number"]
    readonly_fields = fields
    can_delete = False


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    fields = ["at", "action", "from_state", "to_state", "actor", "role", "reason"]
    readonly_fields = fields
    can_delete = False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "state", "due_date", "needs_reanalysis", "created_at"]
    list_filter = ["state", "kind", "needs_reanalysis"]
    search_fields = ["parcels__cadastral_number", "registration__number"]
    exclude = ["access_key_hash"]
    inlines = [ParcelInline, EventInline]

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser or super().has_view_permission(request, obj)


@admin.register(IssuedAct)
class IssuedActAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "issued_at", "valid_until", "extended_until"]


@admin.register(AssemblyRun)
class AssemblyRunAdmin(ReadOnlyAdmin):
    list_display = ["application", "status", "progress", "reason", "created_at", "finished_at"]
    list_filter = ["status"]


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = ["application", "version", "pages", "sha256", "created_at"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["application", "document", "content_type", "size", "uploaded_at"]
