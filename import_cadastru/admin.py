"""Import runs in the admin: read-only records."""

from django.contrib import admin

from import_cadastru.models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "created_at",
        "target",
        "status",
        "requested_by",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "warnings",
        "dry_run",
    )
    list_filter = ("status", "target", "origin", "dry_run")
    search_fields = ("requested_by", "file_hash")
    readonly_fields = [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
