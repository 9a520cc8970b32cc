"""What the Spark benchmark scripts share: the session settings both sides run with, and the
peak resident memory of the Spark driver's JVM (a child of the Python process, so Python's
getrusage does not see it until it is reaped, which is after the script's last line).

The settings are those statguard.engine.spark.spark_session gives a session it starts; the
hand-written reference starts its session with the same ones, and spark_compare.py checks
that both processes report the same values.
"""

from __future__ import annotations

import os

SESSION_CONF = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.ui.showConsoleProgress": "false",
}
RUNTIME_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
# settings read back from each session and compared by spark_compare.py
REPORTED = [*SESSION_CONF, *RUNTIME_CONF, "spark.master", "spark.driver.memory",
            "spark.sql.adaptive.enabled", "spark.sql.autoBroadcastJoinThreshold"]


def session_conf(spark) -> dict[str, str]:
    out = {}
    for key in REPORTED:
        try:
            out[key] = spark.conf.get(key)
        except Exception:  # no value and no default
            out[key] = None
    return out


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


def _status_kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants() -> list[int]:
    out, todo = [], _children(os.getpid())
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += _children(pid)
    return out


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and its descendants (the JVM) so far: a figure a
    loaded machine disturbs far less than wall time."""
    own = os.times()
    total = own.user + own.system
    ticks = os.sysconf("SC_CLK_TCK")
    for pid in _descendants():
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return round(total, 2)


def notes(spark) -> str:
    """What both scripts report besides the harness's fields, read back by spark_compare.py."""
    return (f"spark_conf={session_conf(spark)!r}; jvm_peak_rss_mb={jvm_peak_rss_mb()}; "
            f"cpu_s={cpu_seconds()}; ")


def jvm_peak_rss_mb() -> float:
    """Peak RSS (VmHWM) of this process's descendants (the JVM that py4j started), in MiB."""
    return round(sum(_status_kb(pid, "VmHWM") for pid in _descendants()) / 1024.0, 1)
