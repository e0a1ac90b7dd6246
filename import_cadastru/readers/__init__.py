"""Readers of cadastral and vector files.

Nothing here touches the database or Django models, so the CGXML parser can run in
worker processes; every reader raises `InputRefused` with a message for the officer.
"""

from import_cadastru.readers.errors import InputRefused

__all__ = ["InputRefused"]
