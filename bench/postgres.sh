#!/usr/bin/env bash
# `make bench`'s PostgreSQL: a cluster of its own in bench/cache/pg, made once and kept, so the
# 1,000,000-customer archive copied there is reused between runs (bench.postgres copies it
# again when the archive's code changed). Started on 127.0.0.1:$KEHU_BENCH_PG_PORT for the
# run, stopped after it however it ends. Runs the command given with `--pg URL` added.
# Settings: PostgreSQL's defaults (fsync on) but for the memory a 24 GB machine affords a
# database of a few GB (shared_buffers) and the bulk load's index builds.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/postgres.sh
PORT="${KEHU_BENCH_PG_PORT:-54331}"
DIR="$PWD/bench/cache/pg"
pg_install
BIN="$(_pg_bin)"
mkdir -p "$DIR"
_pg_own "$DIR"
if [ ! -f "$DIR/data/PG_VERSION" ]; then
    _pg_as_owner "$BIN/initdb" -D "$DIR/data" -U kehu -A trust -E UTF8 --locale=C >"$DIR/initdb.log" 2>&1 \
        || { cat "$DIR/initdb.log" >&2; exit 1; }
fi
_pg_as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 120 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c shared_buffers=2GB -c maintenance_work_mem=1GB -c work_mem=64MB -c max_wal_size=8GB" \
    start >/dev/null || { tail -20 "$DIR/server.log" >&2; exit 1; }
trap '_pg_as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true' EXIT INT TERM
"$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U kehu bench 2>/dev/null || true
"$@" --pg "postgresql://kehu@127.0.0.1:$PORT/bench"
