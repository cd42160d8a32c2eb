"""CPU over a step: the server (when its pid is known), this driver, the clients, and the
whole machine, from /proc.

A share is CPU seconds over wall seconds, in cores: 1.0 is one core busy all the time.
On a small shared machine it tells whether the server ran out of CPU, or the load test
itself, or other work on the machine took the cores (`others_cpu_share`).
"""

from __future__ import annotations

import os
from pathlib import Path

from simulations.loadtest_procs import cpu_seconds

Reading = tuple[float | None, float, float, float]
NAMES = ("server_cpu_share", "driver_cpu_share", "clients_cpu_share", "machine_cpu_share")


def machine_busy_s() -> float:
    """CPU seconds all cores spent busy since boot (everything but idle and iowait)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    steal_and_guests = sum(fields[7:])  # guests are counted in user already; steal is not ours
    return (sum(fields) - idle - steal_and_guests) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    def __init__(self, server_pid: int | None, clients_pid: int) -> None:
        self.server_pid, self.clients_pid = server_pid, clients_pid

    def read(self) -> Reading:
        """CPU seconds so far of the server (None when unknown or gone), this process,
        the clients' process and the whole machine."""
        pid = self.server_pid
        server = cpu_seconds(pid) if pid and Path(f"/proc/{pid}").exists() else None
        return server, cpu_seconds(os.getpid()), cpu_seconds(self.clients_pid), machine_busy_s()


def shares(before: Reading, after: Reading, seconds: float) -> dict[str, float | None]:
    """Each process's cores in use on average between two readings `seconds` apart, the
    machine's, and what other processes used (`others_cpu_share`, when the server's is
    known)."""

    def share(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else round((b - a) / seconds, 3)

    found = {n: share(a, b) for n, a, b in zip(NAMES, before, after, strict=True)}
    ours = [found[n] for n in NAMES[:3]]
    machine = found["machine_cpu_share"]
    known = None if machine is None or None in ours else machine - sum(v or 0.0 for v in ours)
    found["others_cpu_share"] = None if known is None else round(max(known, 0.0), 3)
    return found
