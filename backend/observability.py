"""Logger, Metrics and Tracer: one instance each for the whole function."""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
metrics = Metrics()
tracer = Tracer()
