"""Reports: the Violation/Report model and one writer per format."""
