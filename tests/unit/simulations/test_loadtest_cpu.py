"""CPU shares over a step, and what other work on the machine took."""

from __future__ import annotations

import os
import time

from simulations.loadtest_cpu import CpuMeter, machine_busy_s, shares


def test_shares_are_cores_in_use_and_the_rest_of_the_machine_is_others() -> None:
    found = shares((10.0, 1.0, 2.0, 100.0), (15.0, 2.0, 3.0, 116.0), seconds=10.0)
    assert found == {
        "server_cpu_share": 0.5, "driver_cpu_share": 0.1, "clients_cpu_share": 0.1,
        "machine_cpu_share": 1.6, "others_cpu_share": 0.9,
    }  # fmt: skip


def test_without_the_servers_pid_nothing_is_said_of_others() -> None:
    found = shares((None, 1.0, 2.0, 100.0), (None, 2.0, 3.0, 116.0), seconds=10.0)
    assert found["server_cpu_share"] is None and found["others_cpu_share"] is None
    assert found["machine_cpu_share"] == 1.6


def test_a_meter_reads_this_process_and_the_machine_from_proc() -> None:
    meter = CpuMeter(server_pid=os.getpid(), clients_pid=os.getpid())
    before = meter.read()
    deadline = time.process_time() + 0.05
    while time.process_time() < deadline:  # burn a little CPU to be seen
        pass
    after = meter.read()
    assert after[1] > before[1] and after[3] > before[3] > 0 and machine_busy_s() >= after[3]
    assert shares(before, after, 1.0)["driver_cpu_share"] is not None
