"""REST API of permit applications (DRF, documented by drf-spectacular)."""
