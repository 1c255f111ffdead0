"""Logger, Metrics and Tracer: one instance each for the whole function."""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
metrics = Metrics()
# Patch only what we call (botocore): patching every supported library costs cold-start time.
tracer = Tracer(patch_modules=["botocore"])
