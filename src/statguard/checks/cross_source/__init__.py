"""Rule kinds of scope 'cross_source'."""
