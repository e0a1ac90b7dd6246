"""The register of documents (registratură): registers and their gap-free numbers, shared
with the permit module."""

from registratura.models.registry import Register, RegisterCounter, RegistryEntry

__all__ = ["Register", "RegisterCounter", "RegistryEntry"]
