#!/usr/bin/env bash
# Run the whole test suite on SQLite and on PostgreSQL, with real Redis (and real Janus, Celery
# workers and Chromium where tests need them). Installs what is missing first. Extra arguments go
# to pytest (e.g. scripts/test.sh -k booking).
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/portal}
pg_up() { .venv/bin/python - "$PG_URL" <<'PY' 2>/dev/null
import sys, psycopg
from urllib.parse import urlparse
u = urlparse(sys.argv[1])
psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username, dbname="postgres", connect_timeout=2).close()
PY
}
redis_up() { .venv/bin/python -c 'import redis; redis.Redis(socket_connect_timeout=1).ping()' 2>/dev/null; }

need_pg=0
command -v pg_ctlcluster >/dev/null || need_pg=1
INSTALL_POSTGRES=$need_pg ./scripts/install.sh

if ! redis_up; then
  echo ">> starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 50); do redis_up && break; sleep 0.1; done
fi
if ! pg_up; then
  echo ">> starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
  for _ in $(seq 100); do pg_up && break; sleep 0.2; done
  # A fresh cluster allows only peer auth on the socket: trust loopback for the test user.
  if ! pg_up; then
    hba=$(ls /etc/postgresql/*/main/pg_hba.conf | tail -1)
    sed -i 's/^\(host\s\+all\s\+all\s\+127.0.0.1\/32\s\+\).*/\1trust/' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main reload
    for _ in $(seq 50); do pg_up && break; sleep 0.2; done
  fi
fi

export DJANGO_SETTINGS_MODULE=portal.settings.test
# Janus, redis-server, Chromium and network namespaces were installed above: a test that finds one
# missing fails here instead of skipping (tests/real.py).
export PORTAL_REQUIRE_REAL_SERVICES=1
echo ">> lint"
.venv/bin/ruff check .
echo ">> migrations are complete"
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null

# The two passes run side by side (each its own Redis databases, test databases, channel-layer prefix
# and recordings folder): most of the suite's time is spent waiting on browsers, Janus and workers.
# The longer PostgreSQL pass is split over two pytest-xdist workers. Lines are prefixed with the
# pass's database. PORTAL_TEST_SERIAL=1 runs the passes one after the other, each in one process.
mkdir -p var
run_pass() {  # name, first Redis database, then env assignments and extra pytest arguments (after --)
  local name=$1 redis_db=$2; shift 2
  local envs=() args=()
  while [[ $# -gt 0 && $1 != -- ]]; do envs+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift && args=("$@")
  ( env "${envs[@]}" TEST_REDIS_DB="$redis_db" .venv/bin/pytest -p no:cacheprovider "${args[@]}" "${PYTEST_ARGS[@]}"
    echo $? > "var/test-$name.status" ) 2>&1 | sed -u "s/^/[$name] /"
}
PYTEST_ARGS=("$@")
rm -f var/test-sqlite.status var/test-postgresql.status
if [[ ${PORTAL_TEST_SERIAL:-0} == 1 ]]; then
  echo ">> tests on SQLite, then on PostgreSQL"
  run_pass sqlite 9 -u DATABASE_URL
  run_pass postgresql 7 DATABASE_URL="$PG_URL"
else
  echo ">> tests on SQLite and on PostgreSQL (two workers), side by side"
  run_pass sqlite 9 -u DATABASE_URL &
  run_pass postgresql 7 DATABASE_URL="$PG_URL" -- -n 2   # Redis databases 7 and 6
  wait
fi
status=0
for name in sqlite postgresql; do
  result=$(cat "var/test-$name.status" 2>/dev/null || echo 1)
  echo ">> $name: pytest exited $result"
  [[ $result == 0 ]] || status=1
done
exit $status
