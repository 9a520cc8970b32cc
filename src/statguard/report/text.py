"""The terminal summary: verdict, per-rule table, worst units, first violations.

Every line fits `width` columns (80 by default); Chinese characters count as
two columns. Units are listed worst first (most errors, then warnings, then
info), so the reader knows where to look.
"""

from __future__ import annotations

import textwrap
import unicodedata
from typing import TYPE_CHECKING

from statguard.i18n import severity, t
from statguard.numbers import count

if TYPE_CHECKING:
    from statguard.report.model import Report

UNITS_SHOWN = 8
_COLORS = {"error": "\033[31m", "fail": "\033[31m", "warn": "\033[33m", "pass": "\033[32m", "unjudged": "\033[33m"}


def width_of(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clip(text: str, width: int) -> str:
    """`text` on one line, cut with '…' or padded with spaces to exactly `width` columns."""
    text = " ".join(str(text).split())
    if width_of(text) <= width:
        return text + " " * (width - width_of(text))
    out, used = [], 0
    for ch in text:
        w = width_of(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" + " " * (width - used - 1)


def right(text: object, width: int) -> str:
    text = "" if text is None else str(text)
    return " " * max(0, width - width_of(text)) + text if width_of(text) <= width else clip(text, width)


def render_text(report: Report, width: int = 80, limit: int = 20, color: bool = False,
                lang: str | None = None) -> str:
    from statguard.i18n import resolve
    lang = resolve(lang, report.meta.get("lang"))
    lines = headline(report, lang, color)
    from statguard.report.explanation_text import summary_lines
    lines += summary_lines(report)  # explained / unexplained soft violations, explanation problems
    lines += [""] + _rules(report, lang, width)
    lines += screen_lines(report, lang, width, limit)
    lines += _units(report, lang, width)
    lines += _first_violations(report, lang, width, limit)
    lines += _lacking(report, lang, width, limit)
    lines += _outputs(report, lang, width)
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _outputs(report: Report, lang: str, width: int) -> list[str]:
    """Extra files rules wrote (e.g. spot-check samples), so the reader knows where they are."""
    outputs = report.meta.get("outputs") or {}
    lines = []
    for rule_id, out in outputs.items():
        files = ", ".join(str(f) for f in out.get("files", []))
        if "sample_size" in out:
            text = t("output_sample", lang, rule=rule_id, sample=out["sample_size"], frame=out.get("frame_size"),
                     seed=out.get("seed"), files=files)
        else:
            text = t("output_files", lang, rule=rule_id, files=files)
        lines += wrap(text, width, "  ", "      ")
    return ["", t("outputs", lang), *lines] if lines else []


def headline(report: Report, lang: str, color: bool = False) -> list[str]:
    """The pack, then the verdict with its counts: the report's first two lines."""
    from statguard.report.views import verdict
    counts = report.counts_by_severity()
    word = verdict(report)
    text = t(f"verdict.{word}", lang)
    if color:
        text = _COLORS[word] + text + "\033[0m"
    line = text + t("msg.colon", lang) + t("counts_line", lang, errors=count(counts["error"]),
                                          warnings=count(counts["warning"]), info=count(counts["info"]))
    if report.errored:
        line += t("msg.sep", lang) + t("errored_line", lang, n=count(len(report.errored)))
    if report.skipped:
        line += t("msg.sep", lang) + t("skipped_line", lang, n=count(len(report.skipped)))
    from statguard.report.status import unevaluable_line
    unevaluable = unevaluable_line(report, lang)  # on a line of its own: the counts line is long enough
    return [t("pack_line", lang, pack=report.pack), line, *([unevaluable] if unevaluable else [])]


def _rules(report: Report, lang: str, width: int) -> list[str]:
    from statguard.report.status import status_text
    from statguard.report.views import rule_rows
    rows = rule_rows(report)
    statuses = [status_text(r, lang, r["status"], short=True) for r in rows]  # the n/a column has the count
    cols = [("items", 8), ("passes", 8), ("fails", 8), ("not_evaluable", 8)]
    status_w = max([width_of(t("col.status", lang)), *map(width_of, statuses)])
    name_w = max(12, width - 11 - sum(w + 1 for _, w in cols) - status_w)  # the rest of the line: the rule
    head = clip(t("col.rule", lang), name_w) + " " + clip(t("col.severity", lang), 8)
    head += "".join(" " + right(t(f"col.{c}", lang), w) for c, w in cols) + "  " + t("col.status", lang)
    lines = [head]
    for r, status in zip(rows, statuses, strict=True):
        line = clip(str(r["rule_id"]), name_w) + " " + clip(severity(r["severity"], lang), 8)
        line += "".join(" " + right(count(r[c]), w) for c, w in cols)
        lines.append(line + "  " + status)
    for r in rows:
        if r["status"] in ("error", "skipped") or (r["status"] == "empty" and isinstance(r.get("error"), str)):
            # errors are shown whole (wrapped): the path and reason are what the user must act on;
            # a skipped rule's note and that of a rule that evaluated nothing follow a "-"
            mark = "!" if r["status"] == "error" else "-"
            lines += textwrap.wrap(f"{mark} {r['rule_id']}: {r['error']}", width, initial_indent="  ",
                                   subsequent_indent="    ", break_long_words=True, break_on_hyphens=False)
    return lines


def _units(report: Report, lang: str, width: int) -> list[str]:
    from statguard.report.views import unit_rows
    units = unit_rows(report)
    if not units:
        return []
    unit_w = 20
    sev_cols = [(s, 8) for s in ("error", "warning", "info")]
    rest = width - unit_w - sum(w + 1 for _, w in sev_cols) - 2
    head = clip(t("col.unit", lang), unit_w) + "".join(" " + right(severity(s, lang), w) for s, w in sev_cols)
    lines = ["", t("worst_units", lang), head + "  " + t("col.rules_failed", lang)]
    for u in units[:UNITS_SHOWN]:
        line = clip(u["unit"], unit_w) + "".join(" " + right(count(u[s]), w) for s, w in sev_cols)
        lines.append(line + "  " + clip(", ".join(u["rules"]), rest))
    if len(units) > UNITS_SHOWN:
        lines.append(t("more_rows", lang, n=count(len(units) - UNITS_SHOWN)))
    return lines


def _first_violations(report: Report, lang: str, width: int, limit: int) -> list[str]:
    from statguard.report.explanation_text import mark
    from statguard.report.views import display, record_keys, worst_rows
    n = report.violation_count
    if not n:
        if report.errored:
            return ["", t("no_violations_incomplete", lang, n=count(len(report.errored)))]
        return ["", t("no_violations", lang)]
    lines = ["", t("first_violations", lang, n=count(n))]
    for row in worst_rows(report, limit):
        where = " ".join(display(x, grouping=False) for x in (row["unit"], row["period"]) if display(x))
        where = " ".join(w for w in (where, record_keys(row, lang)) if w)
        head = f"[{severity(row['severity'], lang)}] {row['rule_id']}" + (f" {where}" if where else "")
        head += mark(row, lang)
        from statguard.report.views import fix_note
        note = fix_note(row.get("fields_to_fix"), lang)
        message = str(row["message"])
        for colon in (": ", "："):  # a default message begins with the rule's id, which the line already shows
            message = message.removeprefix(f"{row['rule_id']}{colon}")
        lines += wrap(head + t("msg.colon", lang) + message + note, width, "  ", "      ")
    if n > limit:  # say how many are not shown and how to see them all
        lines += wrap(t("more_violations", lang, n=count(n - limit)), width, "  ", "    ")
    return lines


def _lacking(report: Report, lang: str, width: int, limit: int) -> list[str]:
    """The first not-evaluable items when the run listed them (--lacking), else how many there
    are and how to list them."""
    from statguard.report import lacking
    if not report.lacking_listed:
        note = lacking.hint(report, lang)
        return ["", *wrap(note, width, "", "  ")] if note else []
    records = report.lacking_records()
    lines = ["", t("lacking.first", lang, n=count(len(records))) if records else t("lacking.none", lang)]
    for row in records[:limit]:
        where = lacking.where(row)
        head = f"[{row['rule_id']}]" + (f" {where}" if where else "")
        lines += wrap(head + t("msg.colon", lang) + str(row["message"]), width, "  ", "      ")
    if len(records) > limit:
        lines += wrap(t("lacking.more", lang, n=count(len(records) - limit)), width, "  ", "    ")
    if note := lacking.unlisted(report, lang):
        lines += wrap(note, width, "  ", "    ")
    return lines


def wrap(text: str, width: int, first: str, rest: str, max_lines: int = 3) -> list[str]:
    """Wrap `text` to `width` display columns (CJK characters count two), breaking at a
    space when one is near, anywhere in CJK text; lines past `max_lines` end in an ellipsis."""
    words = " ".join(str(text).split())
    lines: list[str] = []
    while words:
        indent = first if not lines else rest
        room = width - width_of(indent)
        if width_of(words) <= room:
            lines.append(indent + words)
            break
        cut, used = 0, 0
        for i, ch in enumerate(words):
            used += width_of(ch)
            if used > room:
                break
            cut = i + 1
        space = words.rfind(" ", 0, cut + 1)
        if space > cut - 16 and space > 0:
            cut = space
        lines.append(indent + words[:cut].rstrip())
        words = words[cut:].lstrip()
        if len(lines) == max_lines and words:  # clip collapses whitespace: keep the indent apart
            last = lines[-1][len(indent):]
            lines[-1] = indent + clip(last + " " + words, width - width_of(indent)).rstrip()
            break
    return lines


def screen_lines(report: Report, lang: str, width: int, limit: int = 20) -> list[str]:
    """The credibility screen's flagged units and their first evidence (statguard.report.suspicion_views)."""
    from statguard.report.suspicion_views import _headline, _num, _signals, ranking
    rank = ranking(report)
    if rank is None:
        return []
    lines = ["", t("h.screen", lang) + t("msg.colon", lang).rstrip(), "  " + _headline(rank, lang)]
    for unit in [u for u in rank["units"] if u["flagged"]][:limit]:
        head = f"  {unit['rank']:>3}. {unit['unit']}"
        if unit["peer_group"]:
            head += f" [{unit['peer_group']}]"
        colon = t("msg.colon", lang)  # "：" in Chinese
        lines += wrap(f"{head} {t('col.suspicion', lang)} {_num(unit['score'])}{colon}{_signals(unit)}", width,
                      "", "        ")
        for e in unit["evidence"][:3]:
            lines += wrap(f"- {e['rule_id']}{' ' + str(e['period']) if e['period'] else ''}{colon}{e['message']}",
                          width, "        ", "          ")
    hidden = rank["flagged"] - min(rank["flagged"], limit)
    if hidden:
        lines.append("  " + t("more_rows", lang, n=hidden))
    return lines
