"""The points-expiry job: an EventBridge schedule (template.yaml, `ExpiryFunction`) runs it
every hour; it writes the `expiry` entries of the points that fell due (backend/logic/expiry.py,
the rule in loyalty/expiry.py).

At least once and idempotent: each membership's expiry is one transaction, conditioned on the
version read and keyed by membership and due date, so a run delivered twice (or two at
once) writes each entry once. A run stops before its time is up and leaves the rest to the
next hour's, which finds exactly what is still due (expired cards have left the index).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from backend.logic import expiry
from backend.observability import count, log_metrics, logger

# Left for the last membership's transaction and the report (the function's Timeout is 300 s).
MARGIN_S = 20.0


@logger.inject_lambda_context
@log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One run over every business with a policy."""
    report = expiry.run(lambda: context.get_remaining_time_in_millis() / 1000, MARGIN_S)
    logger.info("expiry run", extra=dataclasses.asdict(report))
    if report.expired:
        count(name="ExpiryEntries", value=report.expired)
        count(name="PointsExpired", value=report.points)
    if not report.finished:
        logger.warning("expiry run out of time: the next run carries on")
    return dataclasses.asdict(report)
