"""Logger, Metrics and Tracer: one instance each for the whole function."""

import functools
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
metrics = Metrics()
# Patch only what we call (botocore): patching every supported library costs cold-start time.
tracer = Tracer(patch_modules=["botocore"])


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
            if metrics.metric_set:
                metrics.flush_metrics()

    return flushing
