"""Rule kinds of scope 'time'."""
