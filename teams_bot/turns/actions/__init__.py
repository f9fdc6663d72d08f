"""Card actions, one table per feature: verb -> (the permission it needs, handler)."""
