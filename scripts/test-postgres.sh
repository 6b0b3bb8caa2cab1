#!/usr/bin/env bash
# A private PostgreSQL server for the PostgreSQL service-store tests (test/service-store-postgres*.ts):
# Debian's server binaries, a fresh data directory under /tmp, a random loopback port, password
# authentication, owned by a non-root user (postgres refuses to run as root: as root this runs the
# server as the `postgres` user that Debian's package creates).
#
#   env=$(bash scripts/test-postgres.sh start) && eval "$env"   # exports MESH_TEST_POSTGRES, MESH_TEST_POSTGRES_DATA
#   bash scripts/test-postgres.sh restart "$MESH_TEST_POSTGRES_DATA" fast|immediate
#   bash scripts/test-postgres.sh stop "$MESH_TEST_POSTGRES_DATA"
#
# `start` installs Debian's postgresql when no server binaries are found (root only), stops any
# cluster the package's installation started (we use none of them), and prints export lines on
# stdout; progress goes to stderr. `stop` stops the server (fast shutdown) and removes the
# directory. Nothing listens on anything but 127.0.0.1.
set -euo pipefail

find_bindir() {
  local d
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ]; then echo "$d"; return; fi
  done
}

# Runs a server binary as the data directory's owner (root → the postgres user).
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local bindir
  bindir=$(find_bindir || true)
  if [ -z "$bindir" ]; then
    if [ "$(id -u)" != 0 ]; then echo "error: no PostgreSQL server binaries (initdb) found; install Debian's postgresql" >&2; exit 1; fi
    echo "installing Debian's postgresql for the PostgreSQL store tests" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq postgresql >/tmp/apt-postgresql.log 2>&1; }; then
      tail -20 /tmp/apt-postgresql.log >&2 || true
      echo "error: could not install postgresql (apt-get install postgresql)" >&2
      exit 1
    fi
    # The package may have created and started a "main" cluster; the tests use their own.
    if command -v pg_lsclusters >/dev/null 2>&1; then
      pg_lsclusters --no-header 2>/dev/null | awk '$4 == "online" { print $1, $2 }' | while read -r v c; do pg_ctlcluster "$v" "$c" stop >&2 || true; done
    fi
    bindir=$(find_bindir)
  fi
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "error: running as root and there is no postgres user to run the server as" >&2
    exit 1
  fi

  local dir data password port log
  dir=$(mktemp -d /tmp/mathmesh-pg.XXXXXX)
  data="$dir/data"
  password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$password" >"$dir/pwfile"
  chmod 700 "$dir"
  chmod 600 "$dir/pwfile"
  if [ "$(id -u)" = 0 ]; then chown -R postgres: "$dir"; fi
  log="$dir/server.log"

  as_owner "$bindir/initdb" -D "$data" -U mesh --pwfile="$dir/pwfile" --auth-local=scram-sha-256 --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  rm -f "$dir/pwfile"
  {
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$dir'"
    echo "max_connections = 200"
    echo "shared_buffers = 128MB"
  } >>"$data/postgresql.conf"

  # A random port; another server may hold it, so try a few.
  local tries=0
  while :; do
    port=$((20000 + RANDOM % 30000))
    if as_owner "$bindir/pg_ctl" -D "$data" -l "$log" -o "-p $port" -w -t 60 start >&2; then break; fi
    tries=$((tries + 1))
    if [ "$tries" -ge 5 ]; then tail -20 "$log" >&2 || true; echo "error: PostgreSQL did not start" >&2; exit 1; fi
  done
  if ! PGPASSWORD="$password" "$bindir/psql" -q -h 127.0.0.1 -p "$port" -U mesh -d postgres -c 'CREATE DATABASE mesh' >&2; then
    stop "$data"
    exit 1
  fi
  echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data $data)" >&2
  echo "export MESH_TEST_POSTGRES='postgres://mesh:$password@127.0.0.1:$port/mesh'"
  echo "export MESH_TEST_POSTGRES_DATA='$data'"
}

stop() {
  local data=${1:?usage: test-postgres.sh stop DATA_DIR}
  local bindir
  bindir=$(find_bindir)
  case "$data" in /tmp/mathmesh-pg.*/data) ;; *) echo "error: $data is not a directory this script made" >&2; exit 1 ;; esac
  if [ -f "$data/postmaster.pid" ]; then as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >&2 || true; fi
  rm -rf "$(dirname "$data")"
}

# Restarts the server: `fast` (sessions ended, clean shutdown) or `immediate` (no shutdown
# checkpoint: the restart replays the WAL, as after a crash).
restart() {
  local data=${1:?usage: test-postgres.sh restart DATA_DIR fast|immediate} mode=${2:-fast}
  case "$data" in /tmp/mathmesh-pg.*/data) ;; *) echo "error: $data is not a directory this script made" >&2; exit 1 ;; esac
  # -l: the new server must not hold the caller's stdout or stderr open.
  as_owner "$(find_bindir)/pg_ctl" -D "$data" -l "$(dirname "$data")/server.log" -m "$mode" -w -t 60 restart >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  restart) restart "${2:-}" "${3:-}" ;;
  *) echo "usage: $0 start | stop DATA_DIR | restart DATA_DIR fast|immediate" >&2; exit 2 ;;
esac
