# Shared by the integration tests (source it): PostgreSQL's tools, running
# them as the cluster's owner, stopping a private cluster, and ok/FAIL checks
# counted in $failures.

bindir=$(pg_config --bindir 2>/dev/null || true)
[ -x "$bindir/pg_ctl" ] || bindir=/usr/lib/postgresql/15/bin
if [ ! -x "$bindir/pg_ctl" ]; then
  echo "FAIL PostgreSQL not installed (apt-get install postgresql)"
  exit 1
fi
as_owner=()
[ "$(id -u)" -eq 0 ] && as_owner=(runuser -u postgres --)
failures=0

stop_cluster() { # data dir holding pg/
  [ -f "$1/pg/postmaster.pid" ] && (cd / && "${as_owner[@]}" "$bindir/pg_ctl" stop -D "$1/pg" -m fast -w >/dev/null 2>&1)
  return 0
}

stop_process() { # pid (or ""): SIGTERM, then wait for it
  [ -n "${1:-}" ] && kill -TERM "$1" 2>/dev/null && wait "$1" 2>/dev/null
  return 0
}

# An EXIT trap for a test that runs one server: stops $server_pid (when set), the private
# cluster in $data, and removes $work.
stop_all() {
  if [ -n "${server_pid:-}" ]; then
    kill -TERM "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  stop_cluster "$data"
  rm -rf "$work"
}

ok() { echo "ok   $*"; }
fail() {
  echo "FAIL $*"
  failures=$((failures + 1))
  return 1
}
check() { # description command...
  local what=$1
  shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}
