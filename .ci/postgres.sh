# Sourced by .ci/run: pg_start starts a throwaway PostgreSQL cluster in a
# temporary directory, as a user other than root, and exports
# DXLAB_TEST_POSTGRES; pg_stop stops it and removes it. Installs PostgreSQL
# from Debian's packages when it is missing.

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

pg_start() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  if [ -z "$(pg_bin)" ] || [ ! -x "$(pg_bin)/initdb" ]; then
    echo "installing PostgreSQL from Debian's packages"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
  PG_BIN=$(pg_bin)
  # initdb refuses to run as root: run the cluster as the postgres user the
  # package made (or as ourselves when we are not root).
  PG_USER=$(id -un)
  if [ "$(id -u)" -eq 0 ]; then
    PG_USER=postgres
    id "$PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home "$PG_USER"
  fi
  PG_DIR=$(mktemp -d)
  chmod 755 "$PG_DIR"
  if [ "$(id -u)" -eq 0 ]; then
    chown "$PG_USER" "$PG_DIR"
  fi
  pg_as() {
    if [ "$(id -un)" = "$PG_USER" ]; then "$@"; else runuser -u "$PG_USER" -- "$@"; fi
  }
  pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U dxlab --no-sync >/dev/null
  local port
  for _ in 1 2 3 4 5; do
    port=$(( 20000 + RANDOM % 30000 ))
    if pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -t 60 -l "$PG_DIR/log" \
      -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off" \
      start >/dev/null; then
      export DXLAB_TEST_POSTGRES="postgres://dxlab@127.0.0.1:$port/postgres?sslmode=disable"
      echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on port $port in $PG_DIR"
      return 0
    fi
  done
  cat "$PG_DIR/log" >&2 || true
  return 1
}

pg_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null || true
    rm -rf "$PG_DIR"
  fi
}
