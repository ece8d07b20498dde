# A throwaway PostgreSQL server, for scripts/with-postgres and scripts/cluster (sourced, not run).
# postgres_start PORT: a new server in a temporary folder, on loopback only, tuned for tests (no
# fsync: nothing in it outlives the run); sets POSTGRES_URL. postgres_stop: gone, folder and all.
# initdb refuses to run as root, so as root the server runs as `postgres`.
postgres_start() {
  local port=$1 bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -x "$bin/initdb" ] || { echo "PostgreSQL server not installed (apt-get install postgresql)" >&2; return 1; }
  POSTGRES_BIN=$bin
  POSTGRES_DATA=$(mktemp -d /tmp/kiosk-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres "$POSTGRES_DATA"
  _as_postgres "$bin/initdb" -D "$POSTGRES_DATA/db" -U kiosk --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  _as_postgres "$bin/pg_ctl" -D "$POSTGRES_DATA/db" -l "$POSTGRES_DATA/server.log" -w \
    -o "-p $port -k $POSTGRES_DATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null
  _as_postgres "$bin/createdb" -h 127.0.0.1 -p "$port" -U kiosk kiosk
  POSTGRES_URL="postgresql+psycopg://kiosk@127.0.0.1:$port/kiosk"
}

postgres_stop() {
  [ -n "${POSTGRES_DATA:-}" ] || return 0
  _as_postgres "$POSTGRES_BIN/pg_ctl" -D "$POSTGRES_DATA/db" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$POSTGRES_DATA"
  POSTGRES_DATA=
}

_as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
