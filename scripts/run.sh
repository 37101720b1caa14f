#!/usr/bin/env bash
# Install what is missing, migrate, load the demo data, then run Redis (if none answers), Janus,
# a Celery worker and beat, and the ASGI server on 127.0.0.1:8000 under honcho. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-portal.settings.local}
export WEB_PORT=${WEB_PORT:-8000}

processes=(janus worker beat web)
redis_url=$(.venv/bin/python -c 'from portal.env import env; print(env("REDIS_URL", default="redis://127.0.0.1:6379/0"))')
if ! .venv/bin/python - "$redis_url" <<'PY' 2>/dev/null
import sys, redis
redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()
PY
then
  echo ">> no Redis answers at $redis_url: starting one"
  processes=(redis "${processes[@]}")
  export REDIS_PORT=$(.venv/bin/python -c "from urllib.parse import urlparse; print(urlparse('$redis_url').port or 6379)")
fi
if [ ${#processes[@]} -gt 0 ] && [ -n "$(ss -lnt 'sport = :8088' 2>/dev/null | tail -n +2)" ]; then
  echo ">> a Janus already listens on 8088; using it"
  processes=("${processes[@]/janus}")
fi

.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py seed_demo
cat <<MSG

  Portal:   http://127.0.0.1:${WEB_PORT}/
  API docs: http://127.0.0.1:${WEB_PORT}/api/docs/
  Log in with a demo account above (e.g. admin / ${DEMO_PASSWORD:-demo-portal-2026}).
  Ctrl-C stops everything started here.

MSG
exec .venv/bin/honcho -f Procfile start ${processes[@]}
