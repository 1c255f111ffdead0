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

logger = Logger()
metrics = Metrics()
# Powertools keeps one metric set per process. In Lambda a process runs one function, one
# event at a time; the local cloud runs several functions in one process (the API, the
# stream's hints, the scheduled expiry job), so two could both see metrics and one flush an
# already-emptied set (SchemaValidationError: a 500). The check and the flush go together.
_flushing = threading.Lock()


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
            with _flushing:
                if metrics.metric_set:
                    metrics.flush_metrics()

    return flushing
