"""Rule kinds of scope 'record'."""
