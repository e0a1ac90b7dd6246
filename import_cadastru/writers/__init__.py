"""Set-based writers: from TEMP staging tables into the spatial tables, in SQL."""
