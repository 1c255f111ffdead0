# The ePoint Reflex state server (the backend half of epoint_ui), for ECS Fargate (arm64).
# Build: docker buildx build --platform linux/arm64 -t epoint-state .   (scripts/deploy does it)
FROM python:3.12.8-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    REFLEX_TELEMETRY_ENABLED=false \
    REFLEX_CHECK_LATEST_VERSION=false

WORKDIR /app

# No bun or Node: `reflex run --backend-only` compiles no front end (checked without bun on
# PATH: it serves /ping and /_health). Dependencies first: requirements.txt is the state
# server's runtime only (no moto, no local cloud, no Lambda packages, no test tools).
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

# A fixed uid/gid: the ECS task definition runs the container as 10001:10001 too.
RUN groupadd --system --gid 10001 epoint \
 && useradd --system --uid 10001 --gid epoint --home-dir /app --shell /usr/sbin/nologin epoint

COPY rxconfig.py ./
COPY epoint_ui/ epoint_ui/
COPY loyalty/ loyalty/
COPY assets/ assets/
COPY deploy/state-server-entrypoint.sh /usr/local/bin/state-server-entrypoint
# Reflex writes .web/ and .states/ under the app directory at start-up.
RUN chown epoint:epoint /app

USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/ping', timeout=3)"]

ENTRYPOINT ["/usr/local/bin/state-server-entrypoint"]
CMD ["reflex", "run", "--env", "prod", "--backend-only", "--backend-host", "0.0.0.0", "--backend-port", "8000"]
