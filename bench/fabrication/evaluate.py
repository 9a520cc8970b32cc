#!/usr/bin/env python3
"""Evaluate a rule pack on the planted-fabrication benchmark, next to two baselines.

    python bench/fabrication/evaluate.py --pack rules/credibility --settings easy default hard \\
        --seeds 101 102 103 [--units 300] [--flag-on warning] [--out results.json]

Per setting and seed the data are generated (or reused from --data-dir), the pack runs as
`python -m statguard check PACK --source NAME=FILE ... --format json --fail-on never`
(timed), and a unit counts as flagged when it has a violation at or above --flag-on (or,
with --score-threshold, a suspicion score at or above it). Reported per setting, over all
seeds: unit-level recall, false-positive rate, precision, recall per planted kind, and per
rule how many fabricated and honest units it flagged. The baselines, computed here with
numpy/pandas on the same data: per-unit Benford first digit with MAD > 0.015 (benford-py's
nonconformity threshold), and the plain checks (value ranges, parts = totals within the
reported rounding, a +-50% month-on-month change).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402
from plant import KINDS  # noqa: E402

TABLES = ["figures", "parts", "revisions", "claims", "insurance", "counties", "indicators"]
SEVERITY = {"info": 1, "warning": 2, "error": 3}
BENFORD = np.log10(1 + 1 / np.arange(1, 10))


# ---------------------------------------------------------------- data and the pack run

def dataset(setting: str, seed: int, units: int, claims: int, fmt: str, root: Path, reuse: bool) -> Path:
    out = root / f"{setting}-seed{seed}-units{units}-{fmt}"
    meta = out / "meta.json"
    want = dict(setting=setting, seed=seed, units=units, format=fmt, claims_target=claims)
    if reuse and meta.exists():
        have = json.loads(meta.read_text())
        if all(have.get(k) == v for k, v in want.items()):
            return out
    generate.generate(setting, seed, units, out, fmt, claims)
    return out


def declared_sources(pack: str) -> list[str]:
    """The sources the pack declares (statguard refuses data for undeclared ones)."""
    try:
        import statguard

        return [s for s in TABLES if s in statguard.load_pack(pack).sources]
    except Exception as exc:  # a pack statguard cannot load: let the run itself report it
        print(f"note: could not list the pack's sources ({exc}); passing all seven", file=sys.stderr)
        return TABLES


def run_pack(pack: str, data: Path, fmt: str, sources: list[str], report: Path, threads: int | None) -> float:
    cmd = [sys.executable, "-m", "statguard", "check", pack]
    for s in sources:
        cmd += ["--source", f"{s}={data / f'{s}.{fmt}'}"]
    cmd += ["--format", "json", "--output", str(report), "--fail-on", "never"]
    if threads:
        cmd += ["--threads", str(threads)]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if done.returncode != 0 or not report.exists():
        sys.exit(f"statguard failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr}")
    if done.stderr.strip():
        print(done.stderr.strip(), file=sys.stderr)
    return seconds


# ---------------------------------------------------------------- report -> flagged units

def violation_units(v: dict, known: set[str]) -> set[str]:
    """The units a violation names: its unit, and any key or value whose column name says unit
    (e.g. a pair of units with copied figures: unit, other_unit)."""
    found = {v["unit"]} if v.get("unit") in known else set()
    for part in ("keys", "values"):
        for k, x in (v.get(part) or {}).items():
            if isinstance(x, str) and x in known and ("unit" in k.lower() or "单位" in k):
                found.add(x)
    return found


def unit_scores(report: dict) -> dict[str, float] | None:
    """Hook: per-unit suspicion scores, when the report carries them (higher = more suspicious).

    Looked for in report['screen'] or report['meta']['screen'] as {'units': [{'unit', 'score'}]};
    adapt this when the screen's report format is settled."""
    for holder in (report, report.get("meta") or {}):
        screen = holder.get("screen") if isinstance(holder, dict) else None
        if isinstance(screen, dict) and isinstance(screen.get("units"), list):
            return {r["unit"]: float(r.get("score", r.get("suspicion", 0)) or 0) for r in screen["units"]}
    return None


def flags_from_report(report: dict, known: set[str], flag_on: str, threshold: float | None):
    """Flagged units, and per rule (id, kind) the units it flagged."""
    per_rule: dict[tuple[str, str], set[str]] = defaultdict(set)
    for v in report.get("violations", []):
        if SEVERITY.get(v.get("severity"), 0) >= SEVERITY[flag_on]:
            per_rule[(v["rule_id"], v.get("kind") or "")] |= violation_units(v, known)
    flagged = set().union(*per_rule.values()) if per_rule else set()
    if threshold is not None:
        scores = unit_scores(report)
        if scores is None:
            print("note: --score-threshold given but the report has no per-unit scores; flagging by violations",
                  file=sys.stderr)
        else:
            flagged = {u for u, s in scores.items() if s >= threshold and u in known}
    elif isinstance(report.get("screen"), dict):  # the pack ranks units itself: its flags are the verdict
        flagged = {u["unit"] for u in report["screen"]["units"] if u.get("flagged") and u["unit"] in known}
    errored = [s["rule_id"] for s in report.get("summary", []) if s.get("errored")]
    return flagged, per_rule, errored


# ---------------------------------------------------------------- baselines

def first_digits(values: np.ndarray) -> np.ndarray:
    a = np.abs(values[np.isfinite(values) & (values != 0)])
    return (a / 10.0 ** np.floor(np.log10(a))).astype(int).clip(1, 9)


def baseline_benford(figures: pd.DataFrame, mad_limit: float = 0.015) -> set[str]:
    """Per unit, first digits of all its figures; flagged when Nigrini's MAD exceeds the limit."""
    out = set()
    for unit, vals in figures.groupby("unit")["value"]:
        d = first_digits(vals.to_numpy(dtype=float))
        if len(d):
            p = np.bincount(d, minlength=10)[1:] / len(d)
            if np.abs(p - BENFORD).mean() > mad_limit:
                out.add(unit)
    return out


def baseline_plain(figures: pd.DataFrame, parts: pd.DataFrame, indicators: pd.DataFrame) -> dict[str, set[str]]:
    """Ranges (non-negative flows, stocks and parts; rates in 0-100), parts = totals within the
    rounding of the reported figures (half a unit of the last decimal for each figure), and a
    month-on-month change beyond +-50%."""
    kind = dict(zip(indicators["indicator"], indicators["kind"], strict=True))
    dec = dict(zip(indicators["indicator"], indicators["decimals"].astype(int), strict=True))
    f = figures.assign(kind=figures["indicator"].map(kind))
    bad = ((f["kind"] != "rate") & (f["value"] < 0)) | ((f["kind"] == "rate") & ~f["value"].between(0, 100))
    rng = set(f.loc[bad, "unit"]) | set(parts.loc[parts["value"] < 0, "unit"])
    s = parts.groupby(["unit", "month", "total_indicator"], as_index=False).agg(parts=("value", "sum"),
                                                                               n=("value", "size"))
    s = s.merge(figures, left_on=["unit", "month", "total_indicator"], right_on=["unit", "month", "indicator"])
    tol = 0.5 * 10.0 ** -s["total_indicator"].map(dec) * (s["n"] + 1) + 1e-9
    pw = set(s.loc[(s["value"] - s["parts"]).abs() > tol, "unit"])
    g = figures.sort_values(["unit", "indicator", "month"])
    prev = g.groupby(["unit", "indicator"])["value"].shift()
    change = g["value"] / prev - 1
    mom = set(g.loc[(prev > 0) & (change.abs() > 0.5), "unit"])
    return {"range": rng, "parts": pw, "mom": mom}


# ---------------------------------------------------------------- metrics

def confusion(flagged: set[str], truth: pd.DataFrame) -> dict:
    fab = set(truth.loc[truth["fabricated"] == 1, "unit"])
    honest = set(truth["unit"]) - fab
    out = dict(tp=len(flagged & fab), fp=len(flagged & honest), fn=len(fab - flagged), tn=len(honest - flagged))
    per_kind = {}
    for k in KINDS:
        units = set(truth.loc[truth["kinds"].fillna("").str.split(";").apply(lambda ks, k=k: k in ks), "unit"])
        per_kind[k] = [len(units & flagged), len(units)]
    out["per_kind"] = per_kind
    errs = truth.set_index("unit")["honest_errors"].fillna("")
    out["fp_honest_errors"] = dict(Counter(
        ",".join(sorted({e.split(":")[0] for e in errs[u].split(";") if e})) or "none" for u in flagged & honest))
    return out


def add(total: dict, part: dict) -> None:
    for k in ("tp", "fp", "fn", "tn"):
        total[k] = total.get(k, 0) + part[k]
    for k, (hit, n) in part["per_kind"].items():
        h, m = total.setdefault("per_kind", {}).get(k, [0, 0])
        total["per_kind"][k] = [h + hit, m + n]
    for k, n in part["fp_honest_errors"].items():
        total.setdefault("fp_honest_errors", {})[k] = total.setdefault("fp_honest_errors", {}).get(k, 0) + n


def rates(c: dict) -> dict:
    ratio = lambda a, b: round(a / b, 3) if b else None  # noqa: E731
    return dict(recall=ratio(c["tp"], c["tp"] + c["fn"]), fpr=ratio(c["fp"], c["fp"] + c["tn"]),
                precision=ratio(c["tp"], c["tp"] + c["fp"]), flagged=c["tp"] + c["fp"],
                kind_recall={k: ratio(h, n) for k, (h, n) in c.get("per_kind", {}).items()})


# ---------------------------------------------------------------- the run

def evaluate_one(args, setting: str, seed: int, sources: list[str]) -> dict:
    data = dataset(setting, seed, args.units, args.claims, args.format, args.data_dir, not args.regenerate)
    truth = pd.read_csv(data / "truth.csv", dtype={"kinds": str, "honest_errors": str})
    known = set(truth["unit"])
    report_path = data / f"report-{Path(args.pack).name or 'pack'}.json"
    seconds = run_pack(args.pack, data, args.format, sources, report_path, args.threads)
    report = json.loads(report_path.read_text(encoding="utf-8"))
    flagged, per_rule, errored = flags_from_report(report, known, args.flag_on, args.score_threshold)
    read = pd.read_parquet if args.format == "parquet" else pd.read_csv
    figures, parts, indicators = (read(data / f"{t}.{args.format}") for t in ("figures", "parts", "indicators"))
    plain = baseline_plain(figures, parts, indicators)
    methods = {"statguard": flagged, "benford": baseline_benford(figures), "plain": set().union(*plain.values()),
               "plain:range": plain["range"], "plain:parts": plain["parts"], "plain:mom": plain["mom"]}
    fab = set(truth.loc[truth["fabricated"] == 1, "unit"])
    rules = {f"{rid}\t{kind}": dict(true=len(us & fab), false=len(us - fab)) for (rid, kind), us in per_rule.items()}
    return dict(seconds=round(seconds, 3), report_seconds=report.get("meta", {}).get("seconds"), errored=errored,
                methods={m: confusion(f, truth) for m, f in methods.items()}, rules=rules,
                missed=sorted(fab - flagged), false_flags=sorted(flagged - fab))


def summarise(runs: list[dict]) -> dict:
    methods: dict[str, dict] = {}
    rules: dict[str, dict] = {}
    for r in runs:
        for m, c in r["methods"].items():
            add(methods.setdefault(m, {}), c)
        for rule, c in r["rules"].items():
            t = rules.setdefault(rule, dict(true=0, false=0))
            t["true"] += c["true"]
            t["false"] += c["false"]
    return dict(methods={m: {**c, **rates(c)} for m, c in methods.items()}, rules=rules,
                seconds_median=statistics.median(r["seconds"] for r in runs))


LABELS = {"statguard": "statguard {pack}", "benford": "Benford MAD > 0.015 (per unit)", "plain": "plain checks (any)",
          "plain:range": "plain: ranges", "plain:parts": "plain: parts = totals", "plain:mom": "plain: +-50% m/m"}


def markdown(results: dict, pack: str, flag_on: str) -> str:
    lines = []
    head = "| setting | method | recall | FPR | precision | flagged | " + " | ".join(KINDS) + " |"
    lines += [head, "|" + "---|" * (6 + len(KINDS))]
    for setting, s in results["settings"].items():
        for m, c in s["methods"].items():
            label = LABELS[m].format(pack=f"`{pack}` (>= {flag_on})")
            kinds = " | ".join(_fraction(c["per_kind"][k]) for k in KINDS)
            lines.append(f"| {setting} | {label} | {_num(c['recall'])} | {_num(c['fpr'])} | {_num(c['precision'])} "
                         f"| {c['flagged']} | {kinds} |")
    lines += ["", "| setting | statguard seconds (median) | fabricated units | honest units "
              "| false flags by honest error |", "|---|---|---|---|---|"]
    for setting, s in results["settings"].items():
        c = s["methods"]["statguard"]
        fp = ", ".join(f"{k} {n}" for k, n in sorted(c.get("fp_honest_errors", {}).items())) or "-"
        lines.append(f"| {setting} | {s['seconds_median']:.2f} | {c['tp'] + c['fn']} | {c['fp'] + c['tn']} | {fp} |")
    lines += ["", "| rule | kind | " + " | ".join(f"{s}: fabricated / honest" for s in results["settings"]) + " |",
              "|---|---|" + "---|" * len(results["settings"])]
    all_rules = sorted({r for s in results["settings"].values() for r in s["rules"]})
    for rule in all_rules:
        rid, kind = rule.split("\t")
        cells = []
        for s in results["settings"].values():
            c = s["rules"].get(rule, dict(true=0, false=0))
            cells.append(f"{c['true']} / {c['false']}")
        lines.append(f"| {rid} | {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def _fraction(hn: list[int]) -> str:
    return f"{hn[0]}/{hn[1]}" if hn[1] else "-"


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pack", required=True, help="rule pack (YAML file or directory)")
    ap.add_argument("--settings", nargs="+", default=["easy", "default", "hard"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[101, 102, 103])
    ap.add_argument("--units", type=int, default=300)
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/statguard-fabrication"))
    ap.add_argument("--regenerate", action="store_true", help="generate even when the data exist")
    ap.add_argument("--flag-on", choices=list(SEVERITY), default="warning",
                    help="lowest severity of a violation that flags its unit")
    ap.add_argument("--score-threshold", type=float, default=None,
                    help="flag units whose suspicion score (when the report has one) is at least this")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--out", type=Path, default=None, help="results JSON (default: DATA_DIR/results.json)")
    ap.add_argument("--markdown", type=Path, default=None, help="also write the tables here")
    args = ap.parse_args(argv)
    sources = declared_sources(args.pack)
    results: dict = dict(pack=args.pack, flag_on=args.flag_on, score_threshold=args.score_threshold,
                         units=args.units, seeds=args.seeds, sources=sources, settings={}, runs={})
    for setting in args.settings:
        runs = []
        for seed in args.seeds:
            r = evaluate_one(args, setting, seed, sources)
            print(f"{setting} seed {seed}: statguard {r['seconds']:.2f} s, recall "
                  f"{rates(r['methods']['statguard'])['recall']}, false flags {len(r['false_flags'])}"
                  + (f", rules that errored: {r['errored']}" if r["errored"] else ""), file=sys.stderr)
            results["runs"][f"{setting}/{seed}"] = r
            runs.append(r)
        results["settings"][setting] = summarise(runs)
    table = markdown(results, args.pack, args.flag_on)
    print(table)
    out = args.out or args.data_dir / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    if args.markdown:
        args.markdown.write_text(table + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
