"""Answer RTSP on loopback ports as simulated cameras (for the demo's Tam Giang cameras)."""

import asyncio
import contextlib
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cameras.demo import TAM_GIANG_PORTS
from cameras.simulator import MODES, RtspSimulator


class Command(BaseCommand):
    help = "Run RTSP camera simulators on 127.0.0.1 until interrupted (default: the demo's Tam Giang ports)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ports", nargs="*", type=int, default=list(TAM_GIANG_PORTS))
        parser.add_argument("--mode", choices=MODES, default="answer")

    def handle(self, *args: Any, ports: list[int], mode: str, **options: Any) -> None:
        self.stdout.write(f"Simulating {len(ports)} cameras ({mode}) on 127.0.0.1:{ports}; Ctrl+C stops.")
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(self._serve(ports, mode))

    async def _serve(self, ports: list[int], mode: str) -> None:
        simulators = [await RtspSimulator(mode, port=port).start() for port in ports]
        try:
            await asyncio.Event().wait()
        finally:
            for simulator in simulators:
                await simulator.stop()
