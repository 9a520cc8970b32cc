"""Loading a rule pack: YAML files and includes read into the pack model (statguard.pack), every
rule's parameters checked against its kind (statguard.checks) and dry-planned, declared types
checked on an empty DuckDB table (dryrun), and the JSON Schema of packs made from the kinds."""

from statguard.load.loader import load_pack

__all__ = ["load_pack"]
