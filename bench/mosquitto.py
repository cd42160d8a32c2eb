"""A private Mosquitto for tests and the benchmark, configured from deploy/mosquitto.conf.

The system's broker (if any) may lack `set_tcp_nodelay`, and an outage test must be able
to kill its broker, so each user starts its own on a free port: the project's
configuration with the listener moved there, no persistence (a restart forgets retained
messages, so republishing them is tested) and the log in the broker's folder.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.procs import ROOT, free_port

CONFIG = ROOT / "deploy" / "mosquitto.conf"
REPLACED = ("listener", "persistence", "log_dest", "pid_file", "password_file", "acl_file")


def mosquitto_path() -> str | None:
    return shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if Path(p).exists()),
        None,
    )


def config_for(port: int, log: Path, base: Path = CONFIG) -> str:
    """The project's broker configuration, listening on 127.0.0.1:`port` instead."""
    kept = [
        line
        for line in base.read_text().splitlines()
        if line.split(" ", 1)[0].lstrip("#") not in REPLACED
    ]
    return "\n".join(
        [*kept, f"listener {port} 127.0.0.1", "persistence false", f"log_dest file {log}", ""]
    )


@dataclass
class Mosquitto:
    """`start()`, `kill()`, `start()` again on the same port: an outage and a return."""

    folder: Path
    port: int = 0
    executable: str = field(default_factory=lambda: mosquitto_path() or "mosquitto")
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 10.0) -> None:
        if not self.port:
            self.port = free_port()
        self.folder.mkdir(parents=True, exist_ok=True)
        conf = self.folder / "mosquitto.conf"
        conf.write_text(config_for(self.port, self.folder / "mosquitto.log"))
        self.process = subprocess.Popen(
            [self.executable, "-c", str(conf)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout_s
        while not self._listening():
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"mosquitto exited ({self.process.returncode}): {error}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"mosquitto did not listen on {self.port} in {timeout_s} s")
            time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL: the broker vanishes as in a crash (no goodbye to its clients)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()
        self.process = None

    def _listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False
