"""Publishing the spatial database: MapServer mapfiles, the /ows access check, the pool."""
