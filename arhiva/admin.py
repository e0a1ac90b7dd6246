"""Admin of the archive's data: the nomenclator arhivistic and the kinds of acts are
edited here; acts, links and decisions are read-only records (made by the import, the
officers' pages and the disposal service)."""

from django.contrib import admin

from arhiva.models import (
    ArchiveDocument,
    ArchiveImport,
    DisposalDecision,
    DocumentKind,
    RetentionClass,
)


@admin.register(RetentionClass)
class RetentionClassAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "years"]


@admin.register(DocumentKind)
class DocumentKindAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "retention"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ArchiveDocument)
class ArchiveDocumentAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "act_date", "placement", "retention", "disposal"]
    list_filter = ["kind", "placement", "retention"]
    search_fields = ["number", "address"]
    exclude = ["location"]


@admin.register(ArchiveImport)
class ArchiveImportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "source", "status", "imported", "unchanged", "failed"]


@admin.register(DisposalDecision)
class DisposalDecisionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "decided_at", "decided_by", "reference"]
