"""Turning the failing items of a plan into violation records (their shared pieces: statguard.report.violations)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from statguard.checks.plan import DETAIL, EXPECTED, IMBALANCE, KEY, OBSERVED, PERIOD, UNIT, VAL, Items
from statguard.i18n import t
from statguard.pack.model import Rule
from statguard.report.model import VIOLATION_COLUMNS
from statguard.report.violations import _dicts, _plain_column, _translated_details
from statguard.templates import render_columns, template_for

if TYPE_CHECKING:
    import pandas as pd

    from statguard.report.masking import Masker


def violations_of(rule: Rule, fails: Items | pd.DataFrame, lang: str | None = None,
                  default: str | dict[str, str] | None = None, masker: Masker | None = None) -> dict[str, list[Any]]:
    """One violation record per failing item, with the rule's message rendered, as columns
    (VIOLATION_COLUMNS -> values); `fails` comes from the engine (Items) or from a kind's own
    Python work (a DataFrame).

    The rule's own template wins; else the kind's default (`default`, per language); else a generic one.
    With a `masker` (statguard.report.masking), the message and detail show personal columns masked;
    keys, unit and values stay real here, for what is matched on them later in the run
    (explanations, persistence), and are masked with the report (`mask_report`).
    """
    items = fails if isinstance(fails, Items) else items_of(fails)
    n = len(items)
    if not n:
        return {c: [] for c in VIOLATION_COLUMNS}
    plain = items.columns
    key_cols = [c for c in plain if c.startswith(KEY)]
    val_cols = [c for c in plain if c.startswith(VAL)]
    template = template_for(rule.message, lang) or template_for(default, lang)
    sources = ", ".join(rule.sources)
    none: list[Any] = [None] * n
    data: dict[str, list[Any]] = {
        "rule_id": [rule.id] * n, "kind": [rule.kind] * n, "severity": [rule.severity] * n, "source": [sources] * n,
        "keys": _dicts(plain, key_cols, KEY, n), "values": _dicts(plain, val_cols, VAL, n)}
    for name, column in (("unit", UNIT), ("period", PERIOD), ("observed", OBSERVED), ("expected", EXPECTED),
                         ("imbalance", IMBALANCE), ("detail", DETAIL)):
        data[name] = plain.get(column, none)
    shown = _shown_columns(rule, data, plain, masker) if masker is not None else (data, plain)
    data["detail"] = _translated_details(shown[0], lang)
    columns = _template_columns(rule, {**shown[0], "detail": data["detail"]}, shown[1], key_cols, val_cols, n, lang)
    data["message"] = (render_columns(template, columns, n, t("value.missing", lang)) if template is not None
                       else _default_messages(rule, plain, columns, n, lang))
    data["hard"], data["explained"] = [rule.is_hard] * n, [False] * n  # explanations are attached later
    return {c: data.get(c, none) for c in VIOLATION_COLUMNS}


def _shown_columns(rule: Rule, data: dict[str, list[Any]], plain: dict[str, list[Any]],
                   masker: Masker) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """`data` and `plain` as a message shows them: personal keys, values and unit masked."""
    shown_plain = {c: masker.shown(c[len(KEY):] if c.startswith(KEY) else c[len(VAL):], v)
                   if c.startswith((KEY, VAL)) else v for c, v in plain.items()}
    shown = dict(data)
    shown["keys"] = [masker.record(k, {}) for k in data["keys"]]
    shown["values"] = [masker.record(v, {}) for v in data["values"]]
    how = masker.unit_how(rule.sources)
    if how:
        from statguard.report.masking import mask
        shown["unit"] = [mask(u, how) for u in data["unit"]]
    return shown, shown_plain


def items_of(frame: pd.DataFrame) -> Items:
    """A kind's failing-items frame as plain columns (column-wise: far faster than per cell)."""
    return Items({c: _plain_column(frame[c]) for c in frame.columns}, len(frame))


def _template_columns(rule: Rule, data: dict[str, list[Any]], plain: dict[str, list[Any]],
                      key_cols: list[str], val_cols: list[str], n: int, lang: str | None) -> dict[str, list[Any]]:
    """Placeholder name -> its n values: the rule's id and description, then the item's keys,
    then its values, then its figures (a later name shadows an earlier one, as in a message's
    documented placeholders: {unit} is the unit even if a key column is called unit)."""
    columns: dict[str, list[Any]] = {"id": [rule.id] * n, "rule": [rule.id] * n,
                                     "description": [rule.described(lang)] * n}
    columns.update({c[len(KEY):]: plain[c] for c in key_cols})
    columns.update({c[len(VAL):]: plain[c] for c in val_cols})
    for name in ("unit", "period", "observed", "expected", "imbalance", "detail"):
        columns[name] = data[name]
    return columns


def _default_messages(rule: Rule, plain: dict[str, list[Any]], columns: dict[str, list[Any]], n: int,
                      lang: str | None) -> list[str]:
    """The generic message of each item: its figures that have a value (never "expected NA" for
    a kind whose item has no expected value), rendered per group of items with the same ones."""
    figures = [name for name in ("observed", "expected", "imbalance", "detail")
               if {"observed": OBSERVED, "expected": EXPECTED, "imbalance": IMBALANCE, "detail": DETAIL}[name] in plain]
    groups: dict[tuple[str, ...], list[int]] = {}
    for i in range(n):
        groups.setdefault(tuple(f for f in figures if columns[f][i] is not None), []).append(i)
    if len(groups) == 1:
        (present,) = groups
        return render_columns(_default_template(rule, set(present), lang), columns, n, t("value.missing", lang))
    out: list[str] = [""] * n
    for present, rows in groups.items():
        subset = {name: [values[i] for i in rows] for name, values in columns.items()}
        texts = render_columns(_default_template(rule, set(present), lang), subset, len(rows), t("value.missing", lang))
        for i, text in zip(rows, texts, strict=True):
            out[i] = text
    return out


def _default_template(rule: Rule, present: set[str], lang: str | None = None) -> str:
    """The rule's description with the figures in `present`, in the report's language (statguard.i18n)."""
    from statguard.i18n import figure_word, t
    head = rule.described(lang) or rule.id
    parts = [figure_word("msg", name, rule.kind, lang) for name in ("observed", "expected", "imbalance")
             if name in present]
    if "detail" in present:
        parts.append("{detail}")
    return head + (t("msg.colon", lang) + t("msg.sep", lang).join(parts) if parts else "")


def lacking_of(rule: Rule, items: Items, lang: str | None = None) -> dict[str, list[Any]]:
    """One record per not-evaluable item of `rule`, as columns (LACKING_COLUMNS -> values).
    `missing` names the values of the item that are absent (its figures that were not reported)."""
    from statguard.report.lacking import LACKING_COLUMNS, message
    n = len(items)
    plain = items.columns
    none: list[Any] = [None] * n
    data: dict[str, list[Any]] = {
        "rule_id": [rule.id] * n, "kind": [rule.kind] * n, "severity": [rule.severity] * n,
        "source": [", ".join(rule.sources)] * n,
        "keys": _dicts(plain, [c for c in plain if c.startswith(KEY)], KEY, n),
        "values": _dicts(plain, [c for c in plain if c.startswith(VAL)], VAL, n)}
    for name, column in (("unit", UNIT), ("period", PERIOD), ("observed", OBSERVED), ("expected", EXPECTED),
                         ("detail", DETAIL)):
        data[name] = plain.get(column, none)
    data["detail"] = _translated_details({**data, "imbalance": none}, lang) if n else []
    data["missing"] = [[name for name, value in values.items() if value is None] for values in data["values"]]
    data["message"] = [message(missing, detail, lang, rule.kind)
                       for missing, detail in zip(data["missing"], data["detail"], strict=True)]
    # in one order on every engine (their items have no imbalance to order by): by unit, period, keys
    order = sorted(range(n), key=lambda i: tuple(repr(data[c][i]) for c in ("unit", "period", "keys", "values")))
    return {c: [data[c][i] for i in order] for c in LACKING_COLUMNS}
