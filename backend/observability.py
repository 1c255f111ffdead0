"""Logger and Metrics: one instance each for the whole function.

No Powertools Tracer: it would import the X-Ray SDK and patch botocore at cold start
(the SDK is also not in backend/requirements.txt). The function's `Tracing: Active`
(template.yaml) still traces every invocation: Lambda records the Initialization and
Invocation segments itself; only the per-call DynamoDB subsegments are not drawn.
"""

import functools
import threading
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger()
metrics = Metrics()
# Powertools keeps one metric set per process. In Lambda a process runs one function, one
# event at a time; the local cloud runs several functions in one process (the API, the
# stream's hints and emails, the scheduled expiry job), so one could flush a set another had
# just emptied (SchemaValidationError: a 500), or add to it while it is being written out.
# Adding, checking and flushing take turns.
_metric_set = threading.Lock()


def count(*, name: str, value: float = 1) -> None:
    """Add `value` to the count `name` in this invocation's metrics (every metric is one)."""
    with _metric_set:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def log_metrics(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Like `metrics.log_metrics`, but a request that emitted no metric publishes nothing.

    Only earn and redeem emit metrics; Powertools' decorator would flush an empty set on
    every other request and log a "No application metrics to publish" warning each time.
    """

    @functools.wraps(handler)
    def flushing(event: dict[str, Any], context: Any) -> Any:
        try:
            return handler(event, context)
        finally:
            with _metric_set:
                if metrics.metric_set:
                    metrics.flush_metrics()

    return flushing
