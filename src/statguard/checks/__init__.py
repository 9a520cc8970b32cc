"""Rule kinds, one module each, grouped by scope (record, cross_source, ...)."""
