"""Turning the failing items of a plan into violation records."""

from __future__ import annotations

from typing import Any

import pandas as pd

from statguard.checks.plan import DETAIL, EXPECTED, IMBALANCE, KEY, OBSERVED, PERIOD, UNIT, VAL
from statguard.pack.model import Rule
from statguard.report.messages import renderer, template_for
from statguard.report.model import VIOLATION_COLUMNS, _plain


def violations_of(rule: Rule, fails: pd.DataFrame, lang: str | None = None,
                  default: str | dict[str, str] | None = None) -> pd.DataFrame:
    """One violation row per failing item, with the rule's message rendered.

    The rule's own template wins; else the kind's default (`default`, per language); else a generic one.
    """
    if not len(fails):
        return pd.DataFrame(columns=VIOLATION_COLUMNS)
    key_cols = [c for c in fails.columns if c.startswith(KEY)]
    val_cols = [c for c in fails.columns if c.startswith(VAL)]
    template = template_for(rule.message, lang) or template_for(default, lang) or _default_template(rule, fails, lang)
    sources = ", ".join(rule.sources)
    render_one = renderer(template)
    plain = {c: _plain_column(fails[c]) for c in fails.columns}  # column-wise: far faster than per cell
    none = [None] * len(fails)
    rows = []
    for i in range(len(fails)):
        keys = {c[len(KEY):]: plain[c][i] for c in key_cols}
        values = {c[len(VAL):]: plain[c][i] for c in val_cols}
        row = {
            "rule_id": rule.id, "kind": rule.kind, "severity": rule.severity, "source": sources,
            "unit": plain.get(UNIT, none)[i], "period": plain.get(PERIOD, none)[i],
            "keys": keys, "values": values,
            "observed": plain.get(OBSERVED, none)[i], "expected": plain.get(EXPECTED, none)[i],
            "imbalance": plain.get(IMBALANCE, none)[i], "detail": plain.get(DETAIL, none)[i],
        }
        row["message"] = render_one(_template_values(rule, row))
        row.update(hard=rule.is_hard, explained=False)  # explanations are attached later (statguard.explain)
        rows.append(row)
    return pd.DataFrame(rows, columns=VIOLATION_COLUMNS)


def _template_values(rule: Rule, row: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {"id": rule.id, "rule": rule.id, "description": rule.description}
    values.update(row["keys"])
    values.update(row["values"])
    for name in ("unit", "period", "observed", "expected", "imbalance", "detail"):
        values[name] = row[name]
    return values


def _default_template(rule: Rule, fails: pd.DataFrame, lang: str | None = None) -> str:
    """The rule's description with its figures, in the report's language (statguard.i18n)."""
    from statguard.i18n import t
    head = rule.description or rule.id
    parts = []
    if OBSERVED in fails.columns:
        parts.append(t("msg.observed", lang))
    if EXPECTED in fails.columns:
        parts.append(t("msg.expected", lang))
    if IMBALANCE in fails.columns:
        parts.append(t("msg.imbalance", lang))
    if DETAIL in fails.columns:
        parts.append("{detail}")
    return head + (t("msg.colon", lang) + t("msg.sep", lang).join(parts) if parts else "")


def _plain_column(column: pd.Series) -> list[Any]:
    """The column's values made plain (as `_plain` does per value), converting whole
    numeric columns at once."""
    kind = column.dtype.kind
    if kind in "iub":
        return column.tolist()
    if kind == "f":
        return [None if v != v or v in (float("inf"), float("-inf")) else v for v in column.tolist()]
    if pd.api.types.is_string_dtype(column) and column.dtype != object:
        return column.astype(object).where(column.notna(), None).tolist()
    return [_plain(v) for v in column.tolist()]
