"""revision_drift beyond the golden cases: every item's verdict and reason, and the binomial tail
computed in the query against scipy's."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

import statguard
from statguard.api import bind_source
from statguard.checks import registry
from statguard.checks.plan import Context
from statguard.engine.duckdb import DuckDBEngine

from golden import load_cases, write_pack

COLUMNS = {"unit": "string", "peer_group": "string", "indicator": "string", "month": "string",
           "version": "integer", "value": "number"}


def items(tmp_path, frames: dict[str, pd.DataFrame], rule: dict, sources: dict | None = None) -> pd.DataFrame:
    """Every item of the rule (passing and not evaluable ones too), by unit."""
    sources = sources or {"revisions": {"unit": "unit", "columns": COLUMNS}}
    path = tmp_path / "pack.yml"
    path.write_text(yaml.safe_dump({"sources": sources, "rules": [{"id": "R", "kind": "revision_drift", **rule}]},
                                   allow_unicode=True), encoding="utf-8")
    return _run(statguard.load_pack(path), frames)


def _run(pack, frames) -> pd.DataFrame:
    with DuckDBEngine() as engine:
        for name in pack.sources:
            bind_source(engine, pack, name, frames.get(name))
        rule = pack.rules[0]
        plan = registry.get(rule.kind).plan(rule, Context(pack, rule, engine.bound))
        return engine.frame(plan.query).set_index("_unit")


def series(unit: str, values: list, group: str = "G", indicator: str = "投资", month: str = "2024-01",
           versions: list | None = None) -> list[dict]:
    return [{"unit": unit, "peer_group": group, "indicator": indicator, "month": month, "version": ver, "value": v}
            for ver, v in zip(versions or range(1, len(values) + 1), values, strict=True)]


def walk(ups: int, downs: int) -> list[float]:
    """A series of ups steps up, then downs steps down."""
    out = [100.0]
    for i in range(ups + downs):
        out.append(out[-1] + (1 if i < ups else -1))
    return out


def test_every_item_says_why_it_is_not_evaluable(tmp_path):
    case = dict(load_cases())["revision_drift::too few steps, ties, a unit alone in its group and peers with too "
                              "few steps are not evaluable"]
    path, frames = write_pack(case, tmp_path)
    got = _run(statguard.load_pack(path), frames)
    reasons = {u: (got.at[u, "_status"], got.at[u, "_detail"].rsplit(".", 1)[1]) for u in got.index}
    assert reasons == {"J": ("na", "few_steps"), "L": ("pass", "pass"), "M": ("pass", "pass"),
                       "K": ("na", "no_peers"), "N": ("na", "few_peer_steps"), "O": ("na", "few_steps")}
    assert got.at["J", "val:unchanged"] == 2 and got.at["J", "val:steps"] == 4
    assert got.at["L", "_expected"] == pytest.approx(0.7)  # J 4/4 + M 3/6, leaving L out


def test_unit_missing_from_the_peer_table_is_not_evaluable(tmp_path):
    frames = {"revisions": pd.DataFrame(series("A", walk(6, 0)) + series("B", walk(6, 6)) + series("Z", walk(9, 0))),
              "counties": pd.DataFrame({"unit": ["A", "B"], "peer_group": ["g", "g"]})}
    sources = {"revisions": {"unit": "unit", "columns": {k: v for k, v in COLUMNS.items() if k != "peer_group"}},
               "counties": {"unit": "unit", "columns": {"unit": "string", "peer_group": "string"}}}
    frames["revisions"] = frames["revisions"].drop(columns="peer_group")
    got = items(tmp_path, frames, {"source": "revisions", "peers": {"source": "counties"}}, sources)
    assert got.at["Z", "_status"] == "na" and got.at["Z", "_detail"].endswith("no_group")
    assert got.at["A", "val:p_value"] == pytest.approx(0.5 ** 6)


def test_conflicting_values_of_one_version_make_it_unknown(tmp_path):
    rows = series("A", [10, 12, 14], versions=[1, 2, 3]) + series("A", [13], versions=[2])
    got = items(tmp_path, {"revisions": pd.DataFrame(rows)}, {"source": "revisions", "min_steps": 1})
    assert got.at["A", "val:steps"] == 1 and got.at["A", "val:median_relative_step"] == pytest.approx(0.4)


@pytest.mark.parametrize("peer_ups, peer_downs, k, expected", [(0, 12, 6, 0.0), (0, 12, 0, 1.0), (12, 0, 6, 1.0)])
def test_peers_that_never_or_always_move_up(tmp_path, peer_ups, peer_downs, k, expected):
    rows = series("A", walk(k, 6 - k)) + series("B", walk(peer_ups, peer_downs))
    got = items(tmp_path, {"revisions": pd.DataFrame(rows)}, {"source": "revisions"})
    assert got.at["A", "val:p_value"] == expected
    assert got.at["A", "_status"] == ("fail" if expected < 0.01 else "pass")


@pytest.mark.parametrize("n, k, peer_ups, peer_steps", [
    (5, 5, 11, 20), (12, 10, 30, 50), (40, 31, 120, 200), (40, 12, 120, 200), (300, 190, 500, 900), (7, 0, 3, 10)])
def test_binomial_tail_agrees_with_scipy(tmp_path, n, k, peer_ups, peer_steps):
    from scipy.stats import binom
    rows = series("A", walk(k, n - k)) + series("B", walk(peer_ups, peer_steps - peer_ups))
    got = items(tmp_path, {"revisions": pd.DataFrame(rows)}, {"source": "revisions"})
    p0 = peer_ups / peer_steps
    assert got.at["A", "_expected"] == pytest.approx(p0)
    assert got.at["A", "val:p_value"] == pytest.approx(binom.sf(k - 1, n, p0), rel=1e-9, abs=1e-15)


def test_count_test_agrees_with_numpy(tmp_path):
    """The robust z of every judged unit against a median and MAD computed in numpy over the units with
    counted steps (the unit among them), the spread at least 1 and sqrt(median)."""
    import numpy as np
    rng = np.random.default_rng(7)
    counts = {f"U{i:02d}": (int(rng.integers(0, 9)), int(rng.integers(0, 7))) for i in range(25)}
    counts["U99"] = (17, 5)
    rows = [r for u, (up, down) in counts.items() for r in series(u, walk(up, down))]
    got = items(tmp_path, {"revisions": pd.DataFrame(rows)}, {"source": "revisions"})
    ups = np.array([up for up, down in counts.values() if up + down > 0], dtype=float)
    med = np.median(ups)
    spread = max(1.4826 * np.median(np.abs(ups - med)), 1.0, np.sqrt(med))
    judged = [u for u, (up, down) in counts.items() if up + down >= 5]
    for u in judged:
        assert got.at[u, "val:z"] == pytest.approx((counts[u][0] - med) / spread)
        assert got.at[u, "val:peer_spread"] == pytest.approx(spread)
    assert got.at["U99", "_status"] == "fail" and got.at["U99", "val:test"] in ("count", "share, count")


def test_both_tests_and_flattering_down_say_so(tmp_path):
    """A unit failing both tests says so; with flattering: down the count test counts downward steps."""
    peers = [r for i in range(6) for r in series(f"P{i}", walk(2, 2))]
    up = items(tmp_path, {"revisions": pd.DataFrame(series("A", walk(12, 0)) + peers)}, {"source": "revisions"})
    assert up.at["A", "val:test"] == "share, count"
    assert up.at["A", "_detail"] == "detail.revision_drift.both_up"  # peer group G, indicators listed
    down = items(tmp_path, {"revisions": pd.DataFrame(series("A", walk(0, 12)) + peers)},
                 {"source": "revisions", "flattering": "down"})
    assert down.at["A", "val:test"] == "share, count" and down.at["A", "val:z"] == pytest.approx(10 / 2 ** 0.5)
    assert down.at["P0", "_detail"] == "detail.revision_drift.few_steps"


def test_test_share_gives_the_old_verdicts(tmp_path):
    peers = [r for i in range(6) for r in series(f"P{i}", walk(2, 2))]
    frames = {"revisions": pd.DataFrame(series("A", walk(8, 2)) + peers)}
    share = items(tmp_path, frames, {"source": "revisions", "test": "share"})
    either = items(tmp_path, frames, {"source": "revisions"})
    assert share.at["A", "_status"] == "pass" and either.at["A", "_status"] == "fail"
    assert share.at["A", "val:p_value"] == either.at["A", "val:p_value"] == pytest.approx(56 / 1024)
