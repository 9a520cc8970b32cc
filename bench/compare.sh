#!/bin/sh
# Generate the shared workload if missing, then compare statguard with the hand-written DuckDB SQL.
set -e
SF=${SF:-1}
PY=${PY:-python}
DATA=${BENCH_DATA:-/tmp/bench/data}
[ -f "$DATA/sf$SF/claims.parquet" ] || "$PY" /work/shared/bench/gen_data.py --sf "$SF"
exec "$PY" "$(dirname "$0")/compare.py" --sf "$SF" --data "$DATA" "$@"
