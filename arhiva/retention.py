"""Disposal of archived acts whose retention period has run out.

Nothing is deleted by a schedule: an officer records a decision (who, when, why, the
reference of the approving minutes), and only then are the acts' files and page texts
removed. The acts' metadata stays, pointing at the decision, as the register of what was
disposed of. Files are removed after the commit, so a rolled-back decision loses nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from arhiva import selectors
from arhiva.models import ArchiveDocument, ArchivePage, DisposalDecision
from layers.access import is_officer

log = logging.getLogger(__name__)


class DisposalRefused(Exception):
    """The decision cannot be recorded as asked (acts still under retention, no reason)."""


@transaction.atomic
def record_disposal(
    *, user, document_ids: list[int], reason: str, reference: str = ""
) -> DisposalDecision:
    """Record the decision and dispose of the acts it names; all of them or none."""
    if not is_officer(user):
        raise PermissionDenied(_("Doar funcționarii pot decide eliminarea actelor."))
    if not reason.strip():
        raise DisposalRefused(_("Motivarea deciziei este obligatorie."))
    ids = sorted(set(document_ids))
    if not ids:
        raise DisposalRefused(_("Decizia trebuie să cuprindă cel puțin un act."))
    allowed = set(
        selectors.disposable()
        .filter(pk__in=ids)
        .select_for_update(of=("self",))
        .values_list("pk", flat=True)
    )
    refused = [pk for pk in ids if pk not in allowed]
    if refused:
        labels = ", ".join(
            str(d) for d in ArchiveDocument.objects.filter(pk__in=refused).select_related("kind")
        ) or ", ".join(map(str, refused))
        raise DisposalRefused(
            _(
                "Nu pot fi eliminate (termen de păstrare neîmplinit, permanente, deja eliminate "
                "sau inexistente): %(acts)s"
            )
            % {"acts": labels}
        )
    decision = DisposalDecision.objects.create(
        decided_by=user, reason=reason.strip(), reference=reference.strip()[:120]
    )
    documents = ArchiveDocument.objects.filter(pk__in=ids)
    paths = set(documents.exclude(pdf="").values_list("pdf", flat=True))
    # a file two acts share (the same scan filed twice) stays while one of them is kept
    shared = set(
        ArchiveDocument.objects.filter(pdf__in=paths)
        .exclude(pk__in=ids)
        .values_list("pdf", flat=True)
    )
    files = [Path(settings.MEDIA_ROOT) / p for p in sorted(paths - shared)]
    ArchivePage.objects.filter(document__in=ids).delete()
    documents.update(disposal=decision, pdf="")
    transaction.on_commit(lambda: _remove_files(files, decision.pk))
    return decision


def _remove_files(files: list[Path], decision_id: int) -> None:
    for path in files:
        path.unlink(missing_ok=True)
    log.info("Disposal decision %s: %d files removed", decision_id, len(files))
