"""Shared set-up for benchmarks: a throw-away database (SQLite file by default, or DATABASE_URL)."""

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(name: str) -> None:
    """Point Django at a fresh benchmark database and migrate it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
    os.environ["DJANGO_DEBUG"] = "false"
    if "DATABASE_URL" not in os.environ:
        path = ROOT / "var" / f"bench-{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["SQLITE_PATH"] = str(path)
    import django

    django.setup()
    from django.core.management import call_command

    if "DATABASE_URL" in os.environ:
        call_command("flush", "--noinput", verbosity=0)
    call_command("migrate", verbosity=0)


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {"p50": statistics.median(ordered), "p95": at(0.95), "p99": at(0.99), "n": len(ordered)}


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples
