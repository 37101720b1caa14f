"""
Failover between two media servers: seconds from killing one Janus (SIGKILL) mid-meeting to every room
page publishing again on the other, as that Janus's own listparticipants says.

Each run is the end-to-end test tests/live/test_failover_browser.py: two real Janus processes in a
private network namespace, two communes' room pages in headless Chromium publishing, the portal under
uvicorn, and the periodic tasks at beat's periods (the probe every LIVE_PROBE_SECONDS = 1 s, down after
LIVE_FAILOVER_PROBES = 2 failures; the reconcile every 5 s). The test appends each run's figures to a
file; this script runs it `--runs` times and prints them with their median and maximum. Run as root
(network namespace), on SQLite by default or DATABASE_URL:

    .venv/bin/python bench/failover.py [--runs 3]

What the figure is made of: the probe's period and count (about 1–2 s until the server is down), the
move itself (the room created on the other Janus with its tokens, tens of ms), then the pages: the room
state's new server reaches them over the websocket and they rejoin at once (a new Janus session, the
session claim, join, ICE and DTLS, the first RTP), without waiting out their reconnect back-off.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        result = Path(folder) / "failover.jsonl"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "PORTAL_REQUIRE_REAL_SERVICES": "1",
            "FAILOVER_RESULT": str(result),
            "SCREENSHOT_DIR": folder,
        }
        failed = 0
        for run in range(1, args.runs + 1):
            print(f"run {run}/{args.runs} …", flush=True)
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-p",
                    "no:cacheprovider",
                    "-q",
                    "-x",
                    "tests/live/test_failover_browser.py",
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                failed += 1
                print(done.stdout[-3000:], done.stderr[-2000:], sep="\n")
        rows = [json.loads(line) for line in result.read_text().splitlines()] if result.exists() else []
    if not rows:
        sys.exit("no run finished")
    moved = [row["moved_s"] for row in rows]
    back = [row["publishing_s"] for row in rows]
    print(f"\n{len(rows)} runs ({failed} failed)")
    print("seconds from SIGKILL of the Janus hosting the meeting:")
    print(f"  meeting moved to the other Janus: {', '.join(f'{v:.1f}' for v in moved)}")
    print(f"  every page publishing again     : {', '.join(f'{v:.1f}' for v in back)}")
    print(f"  → median {statistics.median(back):.1f} s, max {max(back):.1f} s")


if __name__ == "__main__":
    main()
