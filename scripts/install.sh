#!/usr/bin/env bash
# Installs what the portal needs on a Debian 12 machine (as root) and prepares the project folder:
# Debian packages that are missing, the virtualenv from requirements.txt, a .env with generated
# secrets, compiled translations and the Janus config rendered from deploy/janus/.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

APT_PACKAGES=(
  redis-server janus libjs-janus-gateway libjs-webrtc-adapter
  janus-tools ffmpeg
  chromium fonts-liberation fonts-liberation2 fonts-dejavu-core poppler-utils gettext
  libpango-1.0-0 libpangoft2-1.0-0 iproute2 socat curl
  nginx coturn nftables openssl shellcheck
)
if [ "${INSTALL_POSTGRES:-0}" = "1" ]; then APT_PACKAGES+=(postgresql); fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo ">> installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Debian's janus package enables a system service on 0.0.0.0; the portal runs its own instance (and
  # the tests their own nginx and coturn: deploy/install.sh is what enables those in production).
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
  for service in janus nginx coturn; do
    if command -v systemctl >/dev/null && systemctl is-enabled $service >/dev/null 2>&1; then
      systemctl disable --now $service >/dev/null 2>&1 || true
    fi
  done
fi

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  echo ">> creating the virtualenv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo ">> installing Python packages"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r requirements.txt
  echo "$want" > "$stamp"
fi

mkdir -p var
# .env holds this machine's secrets (never committed); any that are missing are generated.
touch .env && chmod 600 .env
gen() { .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))'; }
for key in DJANGO_SECRET_KEY FIELD_ENCRYPTION_KEY JANUS_ADMIN_SECRET JANUS_API_SECRET JANUS_EVENTS_PASSWORD \
           JANUS_VIDEOROOM_ADMIN_KEY; do
  grep -q "^$key=" .env || { echo ">> generating $key in .env"; echo "$key=$(gen)" >> .env; }
done
grep -q "^JANUS_EVENTS_USER=" .env || echo "JANUS_EVENTS_USER=janus-events" >> .env

.venv/bin/python manage.py compilemessages -v0 --ignore=.venv >/dev/null
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python scripts/render_janus_config.py
