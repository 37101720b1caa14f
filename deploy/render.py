"""
Render a deploy template: every @NAME@ is replaced by the value of NAME in the environment (the
installer exports /etc/portal/portal.env first). `$` is left alone, so nginx and systemd variables
stay as they are. A name with no value is an error, never an empty string.

    python3 deploy/render.py deploy/nginx/portal.conf.in /etc/nginx/sites-available/portal.conf
"""

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

PLACEHOLDER = re.compile(r"@([A-Z][A-Z0-9_]*)@")


def render_text(text: str, values: Mapping[str, str]) -> str:
    missing = sorted({name for name in PLACEHOLDER.findall(text) if name not in values})
    if missing:
        raise KeyError(f"no value for {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def render_file(template: Path, target: Path, values: Mapping[str, str], mode: int = 0o644) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_text(template.read_text(), values))
    target.chmod(mode)
    return target


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    mode = int(sys.argv[3], 8) if len(sys.argv) == 4 else 0o644
    render_file(Path(sys.argv[1]), Path(sys.argv[2]), os.environ, mode)
