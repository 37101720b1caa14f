"""
The production install (deploy/): the systemd units are valid (`systemd-analyze verify`; this machine
runs no systemd, so nothing is started), each service restarts on failure and none is bound to another;
the installer parses and passes shellcheck. (`check --deploy` under the production settings:
tests/common/test_portal.py.)
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from deploy.render import render_file, render_text
from tests.deploy.production import ROOT
from tests.real import require

UNITS = ROOT / "deploy" / "systemd"


def render_units(folder: Path) -> list[Path]:
    env_file = folder / "portal.env"
    env_file.write_text("WEB_PORT=8000\nWEB_WORKERS=2\nCELERY_CONCURRENCY=2\n")
    values = {
        "APP_DIR": str(ROOT),
        "ENV_FILE": str(env_file),
        "DATA_DIR": str(folder),
        "BACKUP_DIR": str(folder),
        "PORTAL_USER": "portal",
        "JANUS_CONF_DIR": str(folder),
    }
    return [render_file(unit, folder / unit.name, values) for unit in sorted(UNITS.iterdir())]


def test_systemd_units_are_valid_and_restart_on_failure(tmp_path):
    require(shutil.which("systemd-analyze"), "systemd-analyze (Debian systemd)")
    units = render_units(tmp_path)
    names = {unit.name for unit in units}
    assert {"portal-web.service", "portal-worker.service", "portal-beat.service", "portal-janus.service"} <= names
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *map(str, units)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
    for unit in units:
        text = unit.read_text()
        if unit.suffix == ".service" and "Type=oneshot" not in text:
            assert "Restart=on-failure" in text, unit.name
            # Janus dying must not stop the web server or the workers (nor the reverse).
            assert "BindsTo=" not in text and "Requires=" not in text, unit.name
    web = (tmp_path / "portal-web.service").read_text()
    assert "--workers ${WEB_WORKERS}" in web and "--host 127.0.0.1" in web


def test_a_template_value_missing_is_an_error():
    with pytest.raises(KeyError, match="TLS_KEY"):
        render_text("ssl_certificate @TLS_CERT@; ssl_certificate_key @TLS_KEY@; $host", {"TLS_CERT": "c"})
    assert render_text("@A@ $host", {"A": "x"}) == "x $host"


def test_the_installers_parse_and_pass_shellcheck():
    require(shutil.which("shellcheck"), "shellcheck (Debian shellcheck)")
    scripts = [str(ROOT / "deploy" / "install.sh"), str(ROOT / "deploy" / "backup.sh")]
    for script in scripts:
        result = subprocess.run(["bash", "-n", script], capture_output=True, text=True)
        assert result.returncode == 0, (script, result.stderr)
    result = subprocess.run(["shellcheck", "-S", "warning", *scripts], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout
