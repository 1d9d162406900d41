# Shared by the integration tests (source it): PostgreSQL's tools, running
# them as the cluster's owner, stopping a private cluster (and a server: the usual EXIT
# trap, stop_all), a free port, ok/FAIL checks counted in $failures, and starting
# `leaktriage serve` processes on a private data folder (server_test_init; the caller sets
# bin; api uses $key). Sets fixtures to tests/fixtures.
fixtures=$(cd "$(dirname "${BASH_SOURCE[0]}")/../fixtures" && pwd)

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


wait_listening() { # log-file: waits up to 30 s for a server's "listening on" line there
  for _ in $(seq 1 150); do
    grep -q "listening on" "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "server did not start:"; cat "$1"
  return 1
}

start_server() { # log-file port [env...]: starts a server on $data, waits for it to listen
  local log=$1 port=$2
  shift 2
  env "$@" "$bin" serve --data "$data" --listen "127.0.0.1:$port" --workers 2 > "$log" 2>&1 &
  pids+=($!)
  wait_listening "$log"
}

stop_servers() { # every server start_server started: TERM, then KILL after a second
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  sleep 1
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
}

api() { curl -s -H "Authorization: Bearer $key" "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

scratch_init() { # name: a private scratch folder $work, readable by the cluster's owner, and $data in it
  work=$(mktemp -d "/tmp/lt-$1.XXXXXX")
  chmod 0755 "$work"
  data=$work/data
}

server_test_init() { # name: scratch_init, and on exit the servers and cluster stopped, $work removed
  scratch_init "$1"
  pids=()
  trap 'stop_servers; stop_cluster "$data"; rm -rf "$work"' EXIT
}
