"""
Render deploy/janus/*.jcfg.in into var/janus/conf/ (or the folder given as the only argument) with
values from the environment (.env), so that secrets never live in the repository. Run by
scripts/install.sh and deploy/install.sh (into /etc/portal/janus); tests render their own copy.
"""

import os
import sys
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def render(target: Path, values: dict[str, str]) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for template in sorted((ROOT / "deploy" / "janus").glob("*.jcfg.in")):
        text = Template(template.read_text()).substitute(values)
        out = target / template.name.removesuffix(".in")
        out.write_text(text)
        out.chmod(0o600)
    return target


def default_values(conf_dir: Path) -> dict[str, str]:
    from portal.env import env  # reads .env

    return {
        "CONF_DIR": str(conf_dir),
        "SERVER_NAME": env("JANUS_SERVER_NAME", default="janus-1"),
        "ADMIN_SECRET": env("JANUS_ADMIN_SECRET", default="dev-admin-secret"),
        "API_SECRET": env("JANUS_API_SECRET", default=""),
        "VIDEOROOM_ADMIN_KEY": env("JANUS_VIDEOROOM_ADMIN_KEY", default="dev-videoroom-admin-key"),
        "HTTP_PORT": env("JANUS_HTTP_PORT", default="8088"),
        "ADMIN_PORT": env("JANUS_ADMIN_PORT", default="7088"),
        "WS_PORT": env("JANUS_WS_PORT", default="8188"),
        "RTP_RANGE": env("JANUS_RTP_RANGE", default="20000-20999"),
        "EVENTS_URL": env("JANUS_EVENTS_URL", default="http://127.0.0.1:8000/api/janus/events/"),
        "EVENTS_USER": env("JANUS_EVENTS_USER", default="janus-events"),
        "EVENTS_PASSWORD": env("JANUS_EVENTS_PASSWORD", default="dev-events-password"),
        "NAT_EXTRA": os.environ.get("JANUS_NAT_EXTRA", "") or nat_settings(env("JANUS_NAT_1_1_MAPPING", default="")),
    }


def nat_settings(public_ip: str) -> str:
    """
    Janus behind 1:1 NAT (a cloud or data-centre address mapped onto a private one): its ICE candidates
    carry the public address instead of the private one. Janus needs no TURN of its own: the bridge
    points' browsers relay through coturn when they cannot reach it directly (README, NAT traversal).
    """
    if not public_ip:
        return ""
    return f'nat_1_1_mapping = "{public_ip}"\n\tkeep_private_host = false'


if __name__ == "__main__":
    conf = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT / "var" / "janus" / "conf"
    render(conf, default_values(conf))
