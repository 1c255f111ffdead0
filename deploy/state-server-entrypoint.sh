#!/bin/sh
# Entrypoint of the state server image. In prod the task gets the Redis endpoint and
# its AUTH token (from Secrets Manager) separately; Reflex wants one URL, over TLS.
set -eu
if [ -n "${REDIS_HOST:-}" ] && [ -z "${REFLEX_REDIS_URL:-}" ]; then
  REFLEX_REDIS_URL="rediss://:${REDIS_AUTH_TOKEN:?REDIS_AUTH_TOKEN missing}@${REDIS_HOST}:${REDIS_PORT:-6379}/0"
  export REFLEX_REDIS_URL
fi
exec "$@"
