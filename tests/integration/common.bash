# Shared by the integration tests (source it): PostgreSQL's tools, running
# them as the cluster's owner, stopping a private cluster (and a server: the usual EXIT
# trap), a free port, and ok/FAIL checks
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

# The EXIT trap of a test that runs one server ($server_pid, may be empty) on a private
# cluster in $data inside its scratch folder $work: stops both, removes $work.
stop_server_and_cluster() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  stop_cluster "$data"
  rm -rf "$work"
}

# A free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

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
