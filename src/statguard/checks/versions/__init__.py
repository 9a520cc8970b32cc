"""Rule kinds of scope 'versions'."""
