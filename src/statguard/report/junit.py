"""The JUnit XML report: one test case per rule, for CI test-report viewers.

A rule fails its test case when it has violations at or above the fail-on
severity (report.meta["fail_on"], default error); the failure message names
the count and the first violation, the body lists the first violations. A rule
that could not run is an <error>. Violations below the fail-on level are listed
in the case's <system-out>, so they are visible without failing the build.
The output follows the widely used Jenkins junit-10 schema (the tests validate
it against tests/schemas/junit-10.xsd).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

from statguard.i18n import resolve, severity, t
from statguard.numbers import count
from statguard.report.model import FAIL_LEVELS, RANK
from statguard.report.writers import writer

if TYPE_CHECKING:
    import pandas as pd

    from statguard.report.model import Report

LISTED = 20  # violations written out per test case
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: Any) -> str:
    return _NOT_XML.sub("", "" if text is None else str(text))


def _line(row: dict[str, Any], lang: str) -> str:
    from statguard.report.views import display
    where = " ".join(display(x, grouping=False) for x in (row["unit"], row["period"]) if display(x))
    where = f"{where}{t('msg.colon', lang)}" if where else ""
    from statguard.report.views import fix_note
    return f"[{severity(row['severity'], lang)}] {where}{row['message']}{fix_note(row.get('fields_to_fix'), lang)}"


def _listing(rows: pd.DataFrame, lang: str) -> str:
    lines = [_line(r, lang) for r in rows.head(LISTED).to_dict("records")]
    if len(rows) > LISTED:
        lines.append(t("more_rows", lang, n=count(len(rows) - LISTED)))
    return _clean("\n".join(lines))


def _timestamp(started: Any) -> str | None:
    """ISO 8601 without the zone, as the schema's pattern wants."""
    match = re.match(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", str(started or ""))
    return match.group(0) if match else None


def _case(suite: ET.Element, rule: dict[str, Any], mine: pd.DataFrame, level: int, classname: str,
          lang: str, lacked: list[dict[str, Any]] | None = None) -> str:
    """Append the test case of one rule; returns its outcome: 'error', 'failure', 'skipped' (not run,
    or it checked nothing) or 'pass'. `lacked`: its not-evaluable items, when the run listed them."""
    case = ET.SubElement(suite, "testcase", name=_clean(rule["rule_id"]), classname=_clean(classname),
                         time=f"{float(rule.get('seconds') or 0):.3f}")
    if rule.get("skipped") is True:
        ET.SubElement(case, "skipped", message=_clean(str(rule["error"])))
        return "skipped"
    if rule["errored"]:
        message = t("rule_not_run", lang, error=rule["error"])
        ET.SubElement(case, "error", message=_clean(message), type="RuleError").text = _clean(rule["error"])
        return "error"
    from statguard.report.status import rule_status, status_text
    status = rule_status(rule)
    if status in ("empty", "unevaluable"):  # it judged nothing: not a pass (CI viewers show it skipped; no exit
        # code changes)
        error = rule.get("error")
        why = status_text(rule, lang, status)
        if isinstance(error, str) and error:
            why += t("msg.colon", lang) + error
        ET.SubElement(case, "skipped", message=_clean(why))
        return "skipped"
    gating = mine[mine["severity"].map(RANK) >= level] if len(mine) else mine
    if len(gating):
        worst = gating.iloc[0]
        message = t("n_violations", lang, n=count(len(gating)), severity=severity(worst["severity"], lang))
        message += t("msg.colon", lang) + _line(worst.to_dict(), lang)
        failure = ET.SubElement(case, "failure", message=_clean(message), type=str(worst["severity"]))
        failure.text = _listing(gating, lang)
    rest = mine.drop(gating.index) if len(gating) else mine
    out = [_listing(rest, lang)] if len(rest) else []
    if int(rule.get("not_evaluable") or 0):  # passed only what it could evaluate: say so, and list them when asked
        out.append(_clean(status_text(rule, lang, status)))
        if lacked is not None:
            out.append(_lacking_listing(lacked, lang))
    if out:
        ET.SubElement(case, "system-out").text = "\n".join(out)
    return "failure" if len(gating) else "pass"


def _lacking_listing(records: list[dict[str, Any]], lang: str) -> str:
    from statguard.report.lacking import where
    lines = []
    for r in records[:LISTED]:
        place = where(r)
        lines.append(f"{place}{t('msg.colon', lang) if place else ''}{r['message']}")
    if len(records) > LISTED:
        lines.append(t("more_rows", lang, n=count(len(records) - LISTED)))
    return _clean("\n".join(lines))


@writer("junit", ".xml")
def render_junit(report: Report, lang: str | None = None) -> str:
    from statguard.report.views import fail_on, worst_first
    lang = resolve(lang, report.meta.get("lang"))
    level = FAIL_LEVELS[fail_on(report)]
    seconds = f"{float(report.meta.get('seconds') or 0):.3f}"
    root = ET.Element("testsuites", name=_clean(f"statguard: {report.pack}"))
    suite = ET.SubElement(root, "testsuite", name=_clean(report.pack or "statguard"))
    props = ET.SubElement(suite, "properties")
    for name in ("statguard", "fail_on", "lang", "pack_path"):
        if report.meta.get(name) is not None:
            ET.SubElement(props, "property", name=name, value=_clean(report.meta[name]))
    by_rule = {k: g for k, g in worst_first(report.violations).groupby("rule_id", sort=False)}
    empty = report.violations.iloc[0:0]
    lacked: dict[str, list[dict[str, Any]]] = {}
    for record in report.lacking_records() if report.lacking_listed else []:
        lacked.setdefault(record["rule_id"], []).append(record)
    outcomes = [_case(suite, rule, by_rule.get(rule["rule_id"], empty), level,
                      f"statguard.{report.pack}.{rule['kind']}", lang,
                      lacked.get(rule["rule_id"], []) if report.lacking_listed else None)
                for rule in report.summary.to_dict("records")]
    counts = {"tests": str(len(outcomes)), "failures": str(outcomes.count("failure")),
              "errors": str(outcomes.count("error"))}
    root.attrib.update(counts, time=seconds)
    suite.attrib.update(counts, skipped=str(outcomes.count("skipped")), time=seconds)
    if ranking_text := _screen_text(report, lang):
        ET.SubElement(suite, "system-out").text = _clean(ranking_text)
    if stamp := _timestamp(report.meta.get("started")):
        suite.set("timestamp", stamp)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _screen_text(report: Report, lang: str) -> str | None:
    """The ranking as plain text (JUnit's suite output)."""
    from statguard.report.text import screen_lines
    lines = screen_lines(report, lang, 100, limit=1000)
    return "\n".join(lines).strip() or None
