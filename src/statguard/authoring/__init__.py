"""Tools for rule authors: inferring a pack from data (init), explaining a rule (explain)."""
