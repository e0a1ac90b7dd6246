"""Permit applications: kinds and registers (data), applications and their history,
issued acts and generated dossiers."""

from permits.models.applications import (
    Applicant,
    Application,
    ApplicationEvent,
    ApplicationParcel,
    Attachment,
    IssuedAct,
    Purpose,
)
from permits.models.dossiers import AssemblyRun, Dossier, ImmutableError
from permits.models.kinds import ApplicationKind, RequiredDocument

__all__ = [
    "Applicant",
    "Application",
    "ApplicationEvent",
    "ApplicationKind",
    "ApplicationParcel",
    "AssemblyRun",
    "Attachment",
    "Dossier",
    "ImmutableError",
    "IssuedAct",
    "Purpose",
    "RequiredDocument",
]
