"""Random halls for the scheduler benchmark, seeded, shaped like real service centres.

Services belong to zones of about eight (government, daily life, health …); a window sits
in one zone and is skilled for three to six of its services, and one window in three for
one more from elsewhere, so skills overlap within zones as they do in a real hall. Demand
is skewed (a few services draw most residents, one in five draws none now), and the hall
as a whole runs at 70–105 % of its windows' capacity. A third of the windows are serving
a resident, one in twenty is pinned by a supervisor, and half changed services within the
last two hours.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from scheduler.snapshot import PlanSettings, PlanSnapshot, ServiceLoad, WindowState

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
ZONE_SIZE = 8


def _skills(rng: random.Random, zone: list[int], services: int) -> list[int]:
    skills = rng.sample(zone, min(len(zone), rng.randint(3, 6)))
    if rng.random() < 1 / 3:
        skills.append(rng.randrange(services))
    return list(dict.fromkeys(skills))


def _windows(rng: random.Random, windows: int, services: int) -> list[list[int]]:
    zones = max(1, round(services / ZONE_SIZE))
    members = [[s for s in range(services) if s % zones == z] for z in range(zones)]
    skills = [_skills(rng, members[n % zones], services) for n in range(windows)]
    for s in range(services):  # every service has someone able to serve it
        if not any(s in k for k in skills):
            skills[rng.randrange(windows)].append(s)
    return skills


def _load(rng: random.Random, sid: int, erlangs: float) -> ServiceLoad:
    handling = rng.uniform(4, 15)
    per_minute = erlangs / handling
    waiting = int(rng.expovariate(1) * per_minute * 15)  # up to a quarter hour's backlog
    green = sum(rng.random() < 0.1 for _ in range(waiting))
    yellow = sum(rng.random() < 0.1 for _ in range(waiting - green))
    forecast = per_minute * 60 * rng.uniform(0.6, 1.4)
    return ServiceLoad(f"s{sid}", handling, green, yellow, waiting - green - yellow, forecast)


def _state(rng: random.Random, number: int, skills: list[int]) -> WindowState:
    names = tuple(f"s{s}" for s in skills)
    serving = rng.sample(names, min(len(names), rng.choice((1, 1, 2, 2, 3))))
    switched = NOW - timedelta(minutes=rng.uniform(0, 120)) if rng.random() < 0.5 else None
    return WindowState(
        number,
        names,
        tuple(serving),
        busy=rng.random() < 0.3,
        last_switch_at=switched,
        frozen=rng.random() < 0.05,
    )


def instance(windows: int, services: int, seed: int) -> PlanSnapshot:
    """One random hall of `windows` open windows and `services` services."""
    rng = random.Random(seed)
    skills = _windows(rng, windows, services)
    popularity = [rng.lognormvariate(0, 1) if rng.random() > 0.2 else 0.0 for _ in range(services)]
    total = sum(popularity) or 1.0
    offered = windows * rng.uniform(0.7, 1.05)
    loads = tuple(_load(rng, s, offered * p / total) for s, p in enumerate(popularity))
    states = tuple(_state(rng, n + 1, k) for n, k in enumerate(skills))
    return PlanSnapshot(states, loads, PlanSettings(max_switches=max(3, windows // 10)))
