"""Rule packs: the pack model (sources, columns, rules), YAML reading with positions, the
settings of its sections. Loading a pack checks its rules against the kinds, so it lives a
layer up, in statguard.load (`statguard.load_pack`)."""

from statguard.pack.model import Column, Pack, Rule, Source

__all__ = ["Column", "Pack", "Rule", "Source"]
