"""Rule kinds of scope 'hierarchy'."""
