"""The local cloud's scheduler: `Type: Schedule`/`ScheduleV2` functions run as the one clock moves.

template.yaml has no scheduled function yet (a points-expiry job will be the first), so a
test-only fragment declares two; the local cloud reads the real template the same way
(`template.schedules()`). Moving the backend's clock (what `POST /dev/clock` does) runs
every occurrence that came due, before the request is answered.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from werkzeug.test import Client

from backend import clock
from localcloud import template
from localcloud.gateway import Gateway
from localcloud.outbox import Outbox
from localcloud.schedules import MAX_CATCH_UP, Scheduler, UnsupportedSchedule, next_fire

FRAGMENT = template.parse_template(
    """
Resources:
  ExpiryFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: backend.events.expiry.handler
      Events:
        Nightly:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: cron(0 3 * * ? *)
        Hourly:
          Type: Schedule
          Properties:
            Schedule: rate(1 hour)
            Input: '{"job": "reminders"}'
        Paused:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: rate(1 minute)
            State: DISABLED
  ApiFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: backend.app.handler
      Events:
        Get: {Type: HttpApi, Properties: {Method: GET, Path: /x}}
"""
)


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


class Calls:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, event: dict[str, Any], handler: str, function: str) -> None:
        self.events.append((function, event))


def scheduler(now: list[float], calls: Calls, fragment: dict[str, Any] = FRAGMENT) -> Scheduler:
    return Scheduler(template.schedules(fragment), calls, region="eu-west-1", clock=lambda: now[0])


def test_the_template_reader_finds_every_scheduled_event_and_nothing_else() -> None:
    found = {
        (s.function, s.event, s.kind, s.expression, s.enabled) for s in template.schedules(FRAGMENT)
    }
    assert found == {
        ("ExpiryFunction", "Nightly", "ScheduleV2", "cron(0 3 * * ? *)", True),
        ("ExpiryFunction", "Hourly", "Schedule", "rate(1 hour)", True),
        ("ExpiryFunction", "Paused", "ScheduleV2", "rate(1 minute)", False),
    }
    # template.yaml: the points-expiry job, hourly, as deployed.
    assert [
        (s.function, s.handler, s.kind, s.expression, s.timezone, s.enabled)
        for s in template.schedules()
    ] == [
        (
            "ExpiryFunction",
            "backend.events.expiry.handler",
            "ScheduleV2",
            "rate(1 hour)",
            "UTC",
            True,
        )
    ]


def test_nothing_runs_until_its_time_comes() -> None:
    now, calls = [at("2026-12-01T10:30:00")], Calls()
    jobs = scheduler(now, calls)
    assert jobs.run_due() == 0
    now[0] += 3599
    assert jobs.run_due() == 0 and calls.events == []


def test_a_rate_job_gets_its_input_and_a_cron_job_the_scheduled_event() -> None:
    now, calls = [at("2026-12-01T02:30:00")], Calls()
    jobs = scheduler(now, calls)
    now[0] += 3600
    assert jobs.run_due() == 2
    (_, hourly), (_, nightly) = sorted(calls.events, key=lambda c: "detail" in c[1])
    assert hourly == {"job": "reminders"}
    assert nightly["detail-type"] == "Scheduled Event" and nightly["source"] == "aws.scheduler"
    assert nightly["time"] == "2026-12-01T03:00:00Z" and nightly["region"] == "eu-west-1"


def test_a_jump_in_time_runs_every_occurrence_missed_in_order() -> None:
    now, calls = [at("2026-12-01T10:30:00")], Calls()
    jobs = scheduler(now, calls)
    now[0] += 3 * 86400  # three days later
    jobs.run_due()
    nightly = [e["time"] for f, e in calls.events if "time" in e]
    assert nightly == ["2026-12-02T03:00:00Z", "2026-12-03T03:00:00Z", "2026-12-04T03:00:00Z"]
    assert sum(1 for _, e in calls.events if e == {"job": "reminders"}) == 72


def test_a_very_long_jump_is_capped_and_the_schedule_goes_on_from_now() -> None:
    now, calls = [at("2026-01-01T00:30:00")], Calls()
    jobs = scheduler(now, calls)
    now[0] += 365 * 86400
    jobs.run_due()
    hourly = sum(1 for _, e in calls.events if e == {"job": "reminders"})
    assert hourly == MAX_CATCH_UP
    calls.events.clear()
    now[0] += 3600
    assert jobs.run_due() == 1


def test_a_failing_job_does_not_stop_the_others() -> None:
    now = [at("2026-12-01T02:30:00")]
    ran: list[str] = []

    def invoke(event: dict[str, Any], handler: str, function: str) -> None:
        ran.append(str(event.get("job", "nightly")))
        if event.get("job"):
            raise RuntimeError("the reminders failed")

    jobs = Scheduler(template.schedules(FRAGMENT), invoke, region="eu-west-1", clock=lambda: now[0])
    now[0] += 3600
    assert jobs.run_due() == 2
    assert sorted(ran) == ["nightly", "reminders"] and jobs.failures == 1


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("rate(5 minutes)", "2026-12-01T10:00:00", "2026-12-01T10:05:00"),
        ("rate(1 day)", "2026-12-01T10:00:00", "2026-12-02T10:00:00"),
        ("cron(0 3 * * ? *)", "2026-12-01T03:00:00", "2026-12-02T03:00:00"),
        ("cron(15 10 ? * MON-FRI *)", "2026-12-04T11:00:00", "2026-12-07T10:15:00"),  # Fri->Mon
        ("cron(0/30 * * * ? *)", "2026-12-01T10:05:00", "2026-12-01T10:30:00"),
        ("cron(0 0 1 JAN,JUL ? *)", "2026-02-01T00:00:00", "2026-07-01T00:00:00"),
        ("cron(0 12 ? * 1 *)", "2026-12-01T00:00:00", "2026-12-06T12:00:00"),  # 1 = Sunday
    ],
)
def test_expressions_fire_when_eventbridge_would(
    expression: str, after: str, expected: str
) -> None:
    assert next_fire(expression, at(after)) == at(expected)


def test_a_time_zone_moves_a_cron_schedule() -> None:
    # 03:00 in Paris (UTC+1 in December) is 02:00 UTC.
    fired = next_fire("cron(0 3 * * ? *)", at("2026-12-01T00:00:00"), "Europe/Paris")
    assert fired == at("2026-12-01T02:00:00")


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 3 L * ? *)",
        "cron(0 3 ? * 6#3 *)",
        "cron(0 3 15W * ? *)",
        "cron(0 3 * * * *)",
        "at(2026-12-01T00:00:00)",
        "rate(0 minutes)",
    ],
)
def test_what_the_local_scheduler_cannot_honour_is_refused(expression: str) -> None:
    with pytest.raises(UnsupportedSchedule):
        next_fire(expression, at("2026-12-01T00:00:00"))


def test_moving_the_clock_runs_what_came_due_before_it_answers() -> None:
    """POST /dev/clock {"advance_s": N}: the local cloud's gateway runs the due jobs."""
    calls = Calls()
    jobs = Scheduler(template.schedules(FRAGMENT), calls, region="eu-west-1")  # the one clock
    gateway = Gateway(
        routes=[],
        authorizers={},
        cors=None,
        invoke=lambda *a: None,
        outbox=Outbox(),
        info=dict,
        clock_moved=jobs.run_due,
    )
    try:
        answer = Client(gateway).post("/dev/clock", json={"advance_s": 2 * 86400})
        assert answer.status_code == 200
        assert sum(1 for f, e in calls.events if "time" in e) == 2  # two nights
        assert sum(1 for f, e in calls.events if e == {"job": "reminders"}) == 48
    finally:
        clock.reset()
