"""EventBridge schedules, in-process: every `Type: Schedule`/`ScheduleV2` function, on the one clock.

Time is the backend's clock (`backend/clock.py`), so a scheduled job (a points expiry, a
reminder) runs in the local cloud and in tests by moving time: `POST /dev/clock
{"advance_s": N}` runs, before it answers, every occurrence that came due (oldest first,
each as its own invocation, as EventBridge would have fired them), and a background
thread fires them as real time passes. Expressions: `rate(N minute|minutes|hour|hours|day|days)`
and six-field `cron(minutes hours day-of-month month day-of-week year)` with `*`, `?`,
lists, ranges, steps and names (JAN, MON); `L`, `W` and `#` are refused when the local
cloud starts rather than run at the wrong time. ScheduleV2's `ScheduleExpressionTimezone`
is honoured. The event is the `Input` JSON when given, else the default "Scheduled Event".
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from backend import clock as backend_clock
from localcloud.template import ScheduledFunction

log = logging.getLogger(__name__)

# (event, handler path, function logical id) -> the handler's return value (LocalCloud.invoke)
Invoke = Callable[[dict[str, Any], str, str], Any]

# A clock moved by a year would fire a rate(1 minute) job half a million times: past this
# many occurrences per move the rest are skipped (logged); jobs must catch up by themselves,
# as after an outage.
MAX_CATCH_UP = 100
TICK_S = 1.0


class UnsupportedSchedule(ValueError):
    """An expression this local scheduler would not run as EventBridge does."""


# ---------------------------------------------------------------- expressions

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]  # EventBridge: 1 = SUN ... 7 = SAT


def _field(text: str, low: int, high: int, names: list[str] | None = None) -> set[int] | None:
    """The values a cron field allows; None for `*`/`?` (anything)."""
    if text in ("*", "?"):
        return None
    if any(mark in text for mark in ("L", "W", "#")) and not (
        names and all(part.isalpha() for part in re.split(r"[,\-/]", text))
    ):
        raise UnsupportedSchedule(f"cron field {text!r}: L, W and # are not supported locally")
    allowed: set[int] = set()
    for part in text.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            first, last = low, high
        else:
            start, _, end = span.partition("-")
            first = _value(start, names, low)
            last = _value(end, names, low) if end else (high if step_text else first)
        if not (low <= first <= high and low <= last <= high) or step < 1:
            raise UnsupportedSchedule(f"cron field {text!r} is out of range {low}-{high}")
        allowed.update(range(first, last + 1, step))
    return allowed


def _value(text: str, names: list[str] | None, low: int) -> int:
    if names and text.upper() in names:
        return names.index(text.upper()) + low
    return int(text)


@dataclass(frozen=True)
class Cron:
    """A parsed six-field EventBridge cron expression."""

    minutes: set[int] | None
    hours: set[int] | None
    days: set[int] | None
    months: set[int] | None
    weekdays: set[int] | None  # 1 = Sunday
    years: set[int] | None

    @classmethod
    def parse(cls, body: str) -> Cron:
        fields = body.split()
        if len(fields) != 6:
            raise UnsupportedSchedule(f"cron({body}) needs six fields")
        minute, hour, day, month, weekday, year = fields
        if day != "?" and weekday != "?":
            raise UnsupportedSchedule(f"cron({body}): one of day-of-month, day-of-week must be ?")
        return cls(
            _field(minute, 0, 59),
            _field(hour, 0, 23),
            _field(day, 1, 31),
            _field(month, 1, 12, _MONTHS),
            _field(weekday, 1, 7, _DAYS),
            _field(year, 1970, 2199),
        )

    def next_after(self, moment: datetime) -> datetime:
        """The first matching minute strictly after `moment` (in `moment`'s time zone)."""
        t = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        for _ in range(500_000):  # about a year of minutes, skipping whole days and hours
            if not _allows(self.years, t.year):
                t = t.replace(year=t.year + 1, month=1, day=1, hour=0, minute=0)
            elif not _allows(self.months, t.month):
                t = (t.replace(day=1) + timedelta(days=32)).replace(day=1, hour=0, minute=0)
            elif not _allows(self.days, t.day) or not _allows(
                self.weekdays, t.isoweekday() % 7 + 1
            ):
                t = (t + timedelta(days=1)).replace(hour=0, minute=0)
            elif not _allows(self.hours, t.hour):
                t = (t + timedelta(hours=1)).replace(minute=0)
            elif not _allows(self.minutes, t.minute):
                t += timedelta(minutes=1)
            else:
                return t
        raise UnsupportedSchedule("the cron expression never fires")


def _allows(allowed: set[int] | None, value: int) -> bool:
    return allowed is None or value in allowed


def next_fire(expression: str, after: float, timezone: str = "UTC") -> float:
    """Epoch seconds of the first occurrence strictly after `after`."""
    rate = _RATE.match(expression)
    if rate:
        period = int(rate.group(1)) * _UNITS[rate.group(2).rstrip("s")]
        if period <= 0:
            raise UnsupportedSchedule(f"{expression}: the rate must be positive")
        return after + period
    if expression.startswith("cron(") and expression.endswith(")"):
        zone = ZoneInfo(timezone)
        moment = datetime.fromtimestamp(after, zone)
        return Cron.parse(expression[5:-1]).next_after(moment).timestamp()
    raise UnsupportedSchedule(f"{expression!r} is neither rate(...) nor cron(...)")


# ---------------------------------------------------------------- the scheduler


@dataclass
class _Entry:
    schedule: ScheduledFunction
    due: float  # epoch seconds on the backend's clock
    fired: int = 0


class Scheduler:
    """Fires scheduled functions when the backend's clock passes their next occurrence."""

    def __init__(
        self,
        schedules: list[ScheduledFunction],
        invoke: Invoke,
        *,
        region: str,
        account: str = "123456789012",
        clock: Callable[[], float] = backend_clock.now,
    ) -> None:
        self.invoke = invoke
        self.region = region
        self.account = account
        self.clock = clock
        now = clock()
        self._entries = [
            _Entry(s, next_fire(s.expression, now, s.timezone)) for s in schedules if s.enabled
        ]
        for entry in self._entries:
            if entry.schedule.input is not None:
                json.loads(entry.schedule.input)  # a templated Lambda target needs JSON
        self._lock = threading.Lock()  # one catch-up at a time, in order
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.failures = 0

    def run_due(self) -> int:
        """Fire every occurrence that is due now, oldest first; how many were fired."""
        fired = 0
        with self._lock:
            now = self.clock()
            for entry in self._entries:
                caught_up = 0
                while entry.due <= now:
                    if caught_up < MAX_CATCH_UP:
                        self._fire(entry)
                        fired += 1
                    caught_up += 1
                    entry.due = next_fire(
                        entry.schedule.expression, entry.due, entry.schedule.timezone
                    )
                if caught_up > MAX_CATCH_UP:
                    log.warning(
                        "%s: %d occurrences skipped (the clock jumped)",
                        entry.schedule.function,
                        caught_up - MAX_CATCH_UP,
                    )
        return fired

    def _fire(self, entry: _Entry) -> None:
        sched = entry.schedule
        entry.fired += 1
        try:
            self.invoke(self.event(sched, entry.due), sched.handler, sched.function)
        except Exception:
            # EventBridge retries an asynchronous invocation twice, then drops it.
            self.failures += 1
            log.exception("scheduled %s (%s) failed", sched.function, sched.expression)

    def event(self, schedule: ScheduledFunction, due: float) -> dict[str, Any]:
        """What the function receives: the Input JSON, or the default scheduled event."""
        if schedule.input is not None:
            return json.loads(schedule.input)
        source, kind = (
            ("aws.events", "rule") if schedule.kind == "Schedule" else ("aws.scheduler", "schedule")
        )
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": source,
            "account": self.account,
            "time": datetime.fromtimestamp(due, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self.region,
            "resources": [
                f"arn:aws:{source.split('.')[1]}:{self.region}:{self.account}:{kind}/"
                f"{schedule.function}-{schedule.event}"
            ],
            "detail": {},
        }

    def status(self) -> list[dict[str, Any]]:
        """Each schedule's expression, next occurrence and how often it fired."""
        return [
            {
                "function": e.schedule.function,
                "event": e.schedule.event,
                "expression": e.schedule.expression,
                "next": datetime.fromtimestamp(e.due, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "fired": e.fired,
            }
            for e in self._entries
        ]

    def start(self) -> Scheduler:
        """Fire due occurrences as time passes (a daemon thread; nothing to do without schedules)."""
        if self._entries:
            self._thread = threading.Thread(target=self._tick, name="epoint-scheduler", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the background thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _tick(self) -> None:
        while not self._stop.wait(TICK_S):
            self.run_due()
