"""Command-line interface; `statguard.cli.main.main` is the console script."""
