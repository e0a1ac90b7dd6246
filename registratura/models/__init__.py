"""The register of documents (registratură): registers and their gap-free numbers (shared
with the permit module), document kinds with legal deadlines, departments and the register
book itself."""

from registratura.models.documents import Department, Document, DocumentKind
from registratura.models.registry import Register, RegisterCounter, RegistryEntry

__all__ = [
    "Department",
    "Document",
    "DocumentKind",
    "Register",
    "RegisterCounter",
    "RegistryEntry",
]
