#!/usr/bin/env bash
# A throw-away PostgreSQL cluster on 127.0.0.1 for the store tests (Debian's postgresql).
#   eval "$(tools/pg_test_cluster.sh start DIR)"   # prints: export WIJKRADAR_TEST_PG=...
#   tools/pg_test_cluster.sh stop DIR
# As root the cluster runs as the postgres user (initdb refuses root). Trust auth on a local
# port nobody else uses; the data directory lives under DIR and is removed on stop.
set -euo pipefail
cmd="${1:?start|stop}"; root="${2:?DIR}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$bin/initdb" ] || { echo "PostgreSQL not installed (apt-get install postgresql)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
  start)
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    mkdir -p "$root"
    [ "$(id -u)" = "0" ] && chown postgres: "$root"
    as_pg "$bin/initdb" -D "$root/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$root/initdb.log"
    as_pg "$bin/pg_ctl" -D "$root/data" -l "$root/log" -w \
      -o "-p $port -k $root -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE wijkradar_test" >/dev/null
    echo "export WIJKRADAR_TEST_PG=postgresql+psycopg://postgres@127.0.0.1:$port/wijkradar_test"
    ;;
  stop)
    [ -d "$root/data" ] && as_pg "$bin/pg_ctl" -D "$root/data" -m fast stop >/dev/null || true
    rm -rf "$root"
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
