# A throw-away PostgreSQL cluster for the tests. Source this file, then:
#   pg_start    initdb in a temporary directory, start on 127.0.0.1:$KEHU_PG_PORT, create the
#               database `kehu`, export KEHU_TEST_PG_URL (postgresql://kehu@127.0.0.1:PORT/kehu)
#   pg_stop     stop the server and remove the directory (safe to call twice; use in a trap)
#
# PostgreSQL refuses to run as root, so as root the cluster belongs to a system user made
# for it (kehu-ci); as anyone else it is the caller's own. Authentication is `trust` on
# 127.0.0.1 and the socket in the temporary directory only: nothing listens outside.
# The cluster is initialised with the C locale so text compares by code point as SQLite
# does (db/dialect.py also pins the code columns to COLLATE "C" for servers set up otherwise).

KEHU_PG_PORT="${KEHU_PG_PORT:-54329}"
KEHU_PG_USER="${KEHU_PG_USER:-kehu-ci}"

_pg_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
    done
    dirname "$(command -v pg_ctl)"
}

_pg_as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$KEHU_PG_USER" -- "$@"
    else
        "$@"
    fi
}

# Give the directory to the cluster's owner (as root, a system user made for it).
_pg_own() {
    if [ "$(id -u)" = 0 ]; then
        id "$KEHU_PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$KEHU_PG_USER"
        chown "$KEHU_PG_USER" "$1"
    fi
}

pg_install() {
    if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && ! command -v pg_ctl >/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib >/dev/null
    fi
}

pg_start() {
    local bin
    bin="$(_pg_bin)"
    KEHU_PG_DIR="$(mktemp -d /tmp/kehu-pg.XXXXXX)"
    _pg_own "$KEHU_PG_DIR"
    _pg_as_owner "$bin/initdb" -D "$KEHU_PG_DIR/data" -U kehu -A trust -E UTF8 --locale=C >"$KEHU_PG_DIR/initdb.log" 2>&1 \
        || { cat "$KEHU_PG_DIR/initdb.log" >&2; return 1; }
    _pg_as_owner "$bin/pg_ctl" -D "$KEHU_PG_DIR/data" -l "$KEHU_PG_DIR/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $KEHU_PG_PORT -k $KEHU_PG_DIR -c fsync=off -c max_connections=200" start >/dev/null \
        || { cat "$KEHU_PG_DIR/server.log" >&2; return 1; }
    _pg_as_owner "$bin/createdb" -h 127.0.0.1 -p "$KEHU_PG_PORT" -U kehu kehu
    export KEHU_TEST_PG_URL="postgresql://kehu@127.0.0.1:$KEHU_PG_PORT/kehu"
    export KEHU_PG_DIR
}

pg_stop() {
    if [ -n "${KEHU_PG_DIR:-}" ] && [ -d "$KEHU_PG_DIR/data" ]; then
        _pg_as_owner "$(_pg_bin)/pg_ctl" -D "$KEHU_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    if [ -n "${KEHU_PG_DIR:-}" ]; then
        rm -rf "$KEHU_PG_DIR"
    fi
    KEHU_PG_DIR=""
}
