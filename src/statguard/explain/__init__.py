"""Explanations: a unit's written answers to violations of soft rules.

Every rule is hard or soft (`Rule.is_hard`: `hard:` if given, else severity
error is hard and warning soft; info is never hard). A violation of a soft
rule that an explanation answers no longer fails the run; a hard rule's
violations fail whatever is written. Explanations come from files (YAML, CSV,
XLSX with English or Chinese headers), from Python values, or from columns of
the submitted data; problems with them are reported as violations of the
pseudo-rule `explanations` (see statguard.explain.match).
"""

from __future__ import annotations

from statguard.explain.match import PSEUDO_RULE, attach
from statguard.explain.model import Explanation
from statguard.explain.read import gather, read_explanations
from statguard.explain.spec import ExplanationSpec, parse_spec

__all__ = ["PSEUDO_RULE", "Explanation", "ExplanationSpec", "attach", "gather", "parse_spec",
           "read_explanations"]
