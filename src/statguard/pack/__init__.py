"""Rule packs: YAML loading with positions, includes, the pack model, the JSON Schema."""

from statguard.pack.loader import load_pack
from statguard.pack.model import Column, Pack, Rule, Source

__all__ = ["Column", "Pack", "Rule", "Source", "load_pack"]
