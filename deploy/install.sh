#!/usr/bin/env bash
# Production install of the briefing portal on Debian 12, as root, from a checkout of the project
# (the checkout is where the portal runs from, e.g. /opt/portal):
#
#   deploy/install.sh giaoban.nuithanh.gov.vn
#
# Installs the Debian packages (PostgreSQL, Redis, nginx, coturn, Janus …), a system user `portal`,
# the virtualenv, /etc/portal/portal.env with secrets generated on the first run (never overwritten),
# the database and its role, static files, the Janus, nginx and coturn configs and the systemd units,
# then starts everything. Safe to run again (after `git pull`, or after changing portal.env).
set -euo pipefail
DOMAIN=${1:?usage: deploy/install.sh DOMAIN   (the public host name of the portal)}
APP_DIR=$(cd "$(dirname "$0")/.." && pwd)
ETC=/etc/portal
ENV_FILE=$ETC/portal.env
DATA_DIR=/var/lib/portal
BACKUP_DIR=/var/backups/portal
PORTAL_USER=portal
export APP_DIR ENV_FILE DATA_DIR PORTAL_USER BACKUP_DIR JANUS_CONF_DIR=$ETC/janus
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }

# --- Debian packages --------------------------------------------------------------------------
# shellcheck source=/dev/null
. <(sed -n '/^APT_PACKAGES=(/,/^)/p' "$APP_DIR/scripts/install.sh")
APT_PACKAGES+=(postgresql python3-venv ssl-cert)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo ">> installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
HAVE_SYSTEMD=0
[ -d /run/systemd/system ] && HAVE_SYSTEMD=1
# Debian's janus.service runs the package's sample config; the portal runs its own (portal-janus).
if [ $HAVE_SYSTEMD = 1 ]; then systemctl disable --now janus >/dev/null 2>&1 || true; fi

# --- User, folders, environment file ----------------------------------------------------------
id -u $PORTAL_USER >/dev/null 2>&1 || adduser --system --group --home $DATA_DIR --no-create-home $PORTAL_USER
install -d -o $PORTAL_USER -g $PORTAL_USER -m 750 $DATA_DIR $DATA_DIR/media $DATA_DIR/static
install -d -o root -g $PORTAL_USER -m 750 $ETC
install -d -o $PORTAL_USER -g $PORTAL_USER -m 750 $BACKUP_DIR
touch $ENV_FILE && chown root:$PORTAL_USER $ENV_FILE && chmod 640 $ENV_FILE
gen() { python3 -c 'import secrets; print(secrets.token_urlsafe(48))'; }
# Adds KEY=VALUE when KEY is not in the file yet: an edited or generated value is never replaced.
default() { grep -q "^$1=" $ENV_FILE || echo "$1=$2" >> $ENV_FILE; }
for key in DJANGO_SECRET_KEY FIELD_ENCRYPTION_KEY JANUS_ADMIN_SECRET JANUS_API_SECRET JANUS_EVENTS_PASSWORD \
           JANUS_VIDEOROOM_ADMIN_KEY TURN_SECRET POSTGRES_PASSWORD; do
  grep -q "^$key=" $ENV_FILE || { echo ">> generating $key"; echo "$key=$(gen)" >> $ENV_FILE; }
done
public_ip=$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -1)
cpus=$(nproc)
default DJANGO_SETTINGS_MODULE portal.settings.production
default DOMAIN "$DOMAIN"
default DJANGO_ALLOWED_HOSTS "$DOMAIN,127.0.0.1,localhost"
default DJANGO_CSRF_TRUSTED_ORIGINS "https://$DOMAIN"
default PORTAL_BASE_URL "https://$DOMAIN"
default DATABASE_URL "postgres://portal:$(sed -n 's/^POSTGRES_PASSWORD=//p' $ENV_FILE)@127.0.0.1:5432/portal"
default REDIS_URL redis://127.0.0.1:6379/0
# nginx on this host: its X-Forwarded-For (client address) and X-Request-ID (log lines) are believed.
default PORTAL_TRUSTED_PROXIES 127.0.0.1
default STATIC_ROOT $DATA_DIR/static
default MEDIA_ROOT $DATA_DIR/media
default WEB_PORT 8000
default WEB_WORKERS $(( cpus < 2 ? 2 : (cpus > 8 ? 8 : cpus) ))
default CELERY_CONCURRENCY $(( cpus < 2 ? 2 : (cpus > 8 ? 8 : cpus) ))
default JANUS_SERVER_NAME janus-1
default JANUS_HTTP_PORT 8088
default JANUS_ADMIN_PORT 7088
default JANUS_WS_PORT 8188
default JANUS_RTP_RANGE 20000-40000
default JANUS_URL http://127.0.0.1:8088/janus
default JANUS_ADMIN_URL http://127.0.0.1:7088/admin
default JANUS_PUBLIC_URL "https://$DOMAIN/janus"
default JANUS_EVENTS_URL http://127.0.0.1:8000/api/janus/events/
default JANUS_EVENTS_USER janus-events
# The address browsers reach Janus and coturn at. Behind 1:1 NAT set the public one here.
default PUBLIC_IP "${public_ip:-127.0.0.1}"
default JANUS_NAT_1_1_MAPPING ""
default TURN_PORT 3478
default TURN_TLS_PORT 5349
default TURN_MIN_PORT 49152
default TURN_MAX_PORT 65535
default TURN_URLS "turn:$DOMAIN:3478?transport=udp,turn:$DOMAIN:3478?transport=tcp,turns:$DOMAIN:5349?transport=tcp"
default TLS_CERT /etc/ssl/certs/ssl-cert-snakeoil.pem
default TLS_KEY /etc/ssl/private/ssl-cert-snakeoil.key
default BACKUP_KEEP_DAYS 14
set -a
# shellcheck source=/dev/null
. $ENV_FILE
set +a

# --- Python ------------------------------------------------------------------------------------
cd "$APP_DIR"
[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo ">> installing Python packages"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r requirements.txt
  echo "$want" > "$stamp"
fi

# --- PostgreSQL and Redis ---------------------------------------------------------------------
if [ $HAVE_SYSTEMD = 1 ]; then
  systemctl enable --now postgresql redis-server >/dev/null
else
  pg_ctlcluster "$(ls /etc/postgresql | sort -V | tail -1)" main start 2>/dev/null || true
  redis-cli ping >/dev/null 2>&1 || redis-server /etc/redis/redis.conf --daemonize yes
fi
for _ in $(seq 50); do runuser -u postgres -- psql -qAtc 'select 1' >/dev/null 2>&1 && break; sleep 0.2; done
runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -v pw="$POSTGRES_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE portal LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'portal')\gexec
ALTER ROLE portal PASSWORD :'pw';
SELECT 'CREATE DATABASE portal OWNER portal' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'portal')\gexec
SQL

# --- The portal: translations, schema, static files, the media server, the deploy check --------
manage() { runuser -u $PORTAL_USER -- env "PATH=$PATH" .venv/bin/python manage.py "$@"; }
.venv/bin/python manage.py compilemessages -v0 --ignore=.venv >/dev/null
manage migrate --noinput -v0
manage collectstatic --noinput -v0
manage shell -c '
import os
from live.models import MediaServer
MediaServer.objects.update_or_create(name="janus-1", defaults=dict(
    server_name=os.environ["JANUS_SERVER_NAME"], api_url=os.environ["JANUS_URL"],
    admin_url=os.environ["JANUS_ADMIN_URL"], public_url=os.environ["JANUS_PUBLIC_URL"]))
'
manage check --deploy --fail-level WARNING
install -m 755 /dev/stdin /usr/local/bin/portal-manage <<EOF
#!/bin/sh
# manage.py of the installed portal, as its user, with its environment (e.g. portal-manage createsuperuser).
set -a; . $ENV_FILE; set +a
cd $APP_DIR && exec runuser -u $PORTAL_USER -- $APP_DIR/.venv/bin/python manage.py "\$@"
EOF

# --- Janus, nginx, coturn ----------------------------------------------------------------------
.venv/bin/python scripts/render_janus_config.py "$JANUS_CONF_DIR"
chown -R $PORTAL_USER:$PORTAL_USER "$JANUS_CONF_DIR"
python3 deploy/render.py deploy/nginx/portal.conf.in /etc/nginx/sites-available/portal.conf
ln -sf ../sites-available/portal.conf /etc/nginx/sites-enabled/portal.conf
rm -f /etc/nginx/sites-enabled/default
nginx -t -q
TURN_EXTRA=""
[ -n "$JANUS_NAT_1_1_MAPPING" ] && TURN_EXTRA="external-ip=$JANUS_NAT_1_1_MAPPING/$PUBLIC_IP"
export TURN_EXTRA
python3 deploy/render.py deploy/coturn/turnserver.conf.in /etc/turnserver.conf 640
chown root:turnserver /etc/turnserver.conf
adduser -q turnserver ssl-cert >/dev/null 2>&1 || true

# --- systemd units ------------------------------------------------------------------------------
for unit in deploy/systemd/*.service deploy/systemd/*.target deploy/systemd/*.timer; do
  python3 deploy/render.py "$unit" "/etc/systemd/system/$(basename "$unit")"
done
if [ $HAVE_SYSTEMD = 1 ]; then
  systemctl daemon-reload
  systemctl enable --now portal.target portal-backup.timer coturn nginx >/dev/null
  systemctl restart portal.target coturn
  systemctl reload nginx
  echo ">> running: $(systemctl is-active portal-web portal-worker portal-beat portal-janus coturn nginx | tr '\n' ' ')"
else
  echo ">> no systemd on this machine: units are in /etc/systemd/system, nothing was started"
fi
cat <<MSG

  Portal: https://$DOMAIN/   (create the first account: portal-manage createsuperuser)
  Settings and secrets: $ENV_FILE (rerun this script after editing it)
  Logs: journalctl -u portal-web -u portal-worker -u portal-beat -u portal-janus -u coturn
MSG
