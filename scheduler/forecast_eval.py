"""Rolling-origin backtest of the forecasts, beside seasonal-naive and the noise floor.

Each of the last N days of the history is forecast from the days before it only (the
rolling origin), then scored at three levels. Every level is scored on one fixed grid
(every service of the history × every slot), so zero cells count the same way for the
model, the seasonal-naive forecast (same slot on the latest earlier open day of the same
weekday) and the MASE scale (seasonal-naive's in-sample error before the first day).
The noise floor uses, per cell, the mean of the actual counts on the same weekday (over
the backtested days and the four weeks before) as Poisson λ: the WAPE a forecast
knowing each λ would still have.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from scheduler.forecast import Forecast, forecast
from scheduler.forecast_calendar import Calendar
from scheduler.forecast_metrics import mase, mean_absolute_error, noise_floor_wape, wape
from scheduler.history import ArrivalHistory
from scheduler.levels import Cells, Level, aggregate

Progress = Callable[[int, int, date], None]  # (1-based index, count, day being forecast)
LevelCells = dict[tuple[str, ...], float]
FLOOR_WEEKS = 4


@dataclass(frozen=True)
class DayResult:
    day: date
    actual: Cells
    model: Forecast
    naive: Cells


@dataclass(frozen=True)
class LevelScore:
    level: Level
    cells: int  # (day, cell) pairs scored
    arrivals: float
    model_wape: float
    naive_wape: float
    floor_wape: float
    model_mase: float
    naive_mase: float


@dataclass(frozen=True)
class BacktestReport:
    days: tuple[date, ...]
    day_models: tuple[str, ...]  # the day-level model used for each day
    scores: tuple[LevelScore, ...]


def seasonal_naive(
    by_day: Mapping[date, Cells], day: date, calendar: Calendar, first: date
) -> Cells:
    """Return the cells of the latest open day before ``day`` on its weekday, not before ``first``."""
    earlier = day - timedelta(days=7)
    while earlier >= first:
        if earlier in by_day and not calendar.is_closed(earlier):
            return by_day[earlier]
        earlier -= timedelta(days=7)
    return {}


def backtest_days(
    history: ArrivalHistory,
    days: Sequence[date],
    calendar: Calendar,
    progress: Progress | None = None,
) -> Iterator[DayResult]:
    """Yield, per day, its actuals, the model's forecast and seasonal-naive's, in order."""
    by_day = history.cells_by_day()
    services = history.services()
    first = min(by_day, default=date.max)
    for index, day in enumerate(days, 1):
        if progress is not None:
            progress(index, len(days), day)
        past = history.before(day)
        model = forecast(past, day=day, services=services, calendar=calendar)
        naive = seasonal_naive(past.cells_by_day(), day, calendar, first)
        yield DayResult(day, by_day.get(day, {}), model, naive)


def backtest(
    history: ArrivalHistory,
    *,
    days: int = 28,
    calendar: Calendar | None = None,
    progress: Progress | None = None,
) -> BacktestReport:
    """Return the scores of forecasting each of the last ``days`` open days of ``history``."""
    calendar = calendar or Calendar()
    open_days = [d for d in history.days() if not calendar.is_closed(d)]
    chosen = open_days[-days:] if days > 0 else []
    results = list(backtest_days(history, chosen, calendar, progress))
    grid = [(s, t) for s in history.services() for t in history.slots()]
    scales = _naive_scales(history, chosen[0] if chosen else date.min, calendar, grid)
    reference = _floor_reference(history, chosen, calendar)
    return BacktestReport(
        days=tuple(chosen),
        day_models=tuple(r.model.day_model for r in results),
        scores=tuple(_score(level, results, grid, scales[level], reference) for level in Level),
    )


def _floor_reference(
    history: ArrivalHistory, chosen: Sequence[date], calendar: Calendar
) -> dict[date, Cells]:
    """Return the open days whose actuals estimate each cell's λ for the noise floor.

    The backtested days and the FLOOR_WEEKS weeks before them: a few weeks more than
    the window itself, because λ from only four Mondays makes sparse cells look
    quieter than they are (E|X − λ| is concave in λ).
    """
    if not chosen:
        return {}
    start = chosen[0] - timedelta(weeks=FLOOR_WEEKS)
    return {
        day: cells
        for day, cells in history.cells_by_day().items()
        if start <= day <= chosen[-1] and not calendar.is_closed(day)
    }


def _on_grid(cells: Cells, grid: Sequence[tuple[str, str]], level: Level) -> LevelCells:
    return aggregate({cell: float(cells.get(cell, 0.0)) for cell in grid}, level)


def _naive_scales(
    history: ArrivalHistory, first_scored: date, calendar: Calendar, grid: list[tuple[str, str]]
) -> dict[Level, float]:
    """Return seasonal-naive's in-sample mean absolute error per level, before ``first_scored``."""
    past = history.before(first_scored).cells_by_day()
    first = min(past, default=date.max)
    pairs: dict[Level, list[tuple[float, float]]] = {level: [] for level in Level}
    for day, cells in past.items():
        if calendar.is_closed(day) or not (naive := seasonal_naive(past, day, calendar, first)):
            continue
        for level in Level:
            actual, previous = _on_grid(cells, grid, level), _on_grid(naive, grid, level)
            pairs[level].extend((actual[k], previous[k]) for k in actual)
    return {level: mean_absolute_error(p) for level, p in pairs.items()}


def _score(
    level: Level,
    results: list[DayResult],
    grid: list[tuple[str, str]],
    scale: float,
    reference: Mapping[date, Cells],
) -> LevelScore:
    means = _weekday_means(level, reference, grid)
    floor = [means[r.day.weekday()][k] for r in results for k in means[r.day.weekday()]]
    actual = [_on_grid(r.actual, grid, level) for r in results]
    model = [_on_grid(r.model.expected, grid, level) for r in results]
    naive = [_on_grid(r.naive, grid, level) for r in results]
    model_pairs = [(a[k], m[k]) for a, m in zip(actual, model, strict=True) for k in a]
    naive_pairs = [(a[k], n[k]) for a, n in zip(actual, naive, strict=True) for k in a]
    return LevelScore(
        level=level,
        cells=len(model_pairs),
        arrivals=sum(a for a, _ in model_pairs),
        model_wape=wape(model_pairs),
        naive_wape=wape(naive_pairs),
        floor_wape=noise_floor_wape(floor),
        model_mase=mase(model_pairs, scale),
        naive_mase=mase(naive_pairs, scale),
    )


def _weekday_means(
    level: Level, reference: Mapping[date, Cells], grid: list[tuple[str, str]]
) -> dict[int, LevelCells]:
    """Return, per weekday, the mean actual of every level cell over the reference days."""
    sums: dict[int, list[LevelCells]] = {}
    for day, cells in reference.items():
        sums.setdefault(day.weekday(), []).append(_on_grid(cells, grid, level))
    return {
        weekday: {k: sum(c[k] for c in days) / len(days) for k in days[0]}
        for weekday, days in sums.items()
    }
