#!/usr/bin/env bash
# Java 17 for the Spark engine's tests (tests/test_spark_engine.py, skipped cleanly without it):
# Debian's openjdk-17-jre-headless, installed only when `java` is missing and apt-get can run
# as root. Quiet, and never fails the CI run: without Java the Spark tests say why they skip.
export DEBIAN_FRONTEND=noninteractive
if ! command -v java >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get install -y -qq openjdk-17-jre-headless >/dev/null 2>&1 \
    || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq openjdk-17-jre-headless >/dev/null 2>&1)) || true
fi
exit 0
