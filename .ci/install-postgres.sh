#!/usr/bin/env bash
# PostgreSQL's server binaries (initdb, pg_ctl) for the database-source tests, which start a
# server of their own on loopback (tests/test_db_sources.py). Installs Debian's postgresql
# package when they are missing; quiet, and never fails the run (the tests then skip, saying why).
find_initdb() {
  command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}
if ! find_initdb && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  # no cluster of the package's own: the tests make theirs in a temporary directory
  mkdir -p /etc/postgresql-common/createcluster.d 2>/dev/null &&
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/statguard.conf 2>/dev/null
  export DEBIAN_FRONTEND=noninteractive
  (apt-get install -y -qq postgresql >/dev/null 2>&1 ||
    (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq postgresql >/dev/null 2>&1)) || true
fi
exit 0
