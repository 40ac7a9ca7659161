#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on the loopback address, for the test suite.
#
#   bash .ci/postgres.sh start   # installs PostgreSQL (Debian packages) if needed, starts a
#                                # cluster on 127.0.0.1 on a free port, creates a database,
#                                # prints QUALCODE_TEST_PG_URL=... and writes the URL to
#                                # $QUALCODE_PG_STATE/url
#   bash .ci/postgres.sh stop    # stops the cluster and deletes its data
#
# The server runs as the unprivileged "postgres" user (created by the package) when this
# script runs as root, else as the calling user. Its data lives in a temporary folder.
set -euo pipefail

STATE="${QUALCODE_PG_STATE:-/tmp/qualcode-pg}"
DB=qualcode_test

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
        return 1
    fi
    echo "$dir"
}

as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
    if ! BIN=$(pg_bin); then
        if [ "$(id -u)" != 0 ]; then
            echo "PostgreSQL is not installed and this is not root: apt-get install -y postgresql" >&2
            exit 1
        fi
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
        BIN=$(pg_bin)
    fi
    if [ -f "$STATE/datadir" ]; then
        echo "A cluster from an earlier start is still recorded in $STATE: stopping it first." >&2
        stop >&2
    fi
    mkdir -p "$STATE"
    local data port
    data=$(mktemp -d /tmp/qualcode-pgdata.XXXXXX)
    if [ "$(id -u)" = 0 ]; then
        chown postgres:postgres "$data"
    fi
    chmod 700 "$data"
    as_owner "$BIN/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$STATE/initdb.log"
    port=$(free_port)
    as_owner "$BIN/pg_ctl" -D "$data" -l "$data/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off" start >/dev/null
    as_owner "$BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DB"
    echo "$data" >"$STATE/datadir"
    echo "postgresql+psycopg://postgres@127.0.0.1:$port/$DB" >"$STATE/url"
    echo "QUALCODE_TEST_PG_URL=$(cat "$STATE/url")"
}

stop() {
    if [ ! -f "$STATE/datadir" ]; then
        echo "No cluster started by this script (nothing in $STATE)."
        return 0
    fi
    local data
    data=$(cat "$STATE/datadir")
    if BIN=$(pg_bin) && [ -d "$data" ]; then
        as_owner "$BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$data" "$STATE"
    echo "PostgreSQL stopped; its data is deleted."
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
