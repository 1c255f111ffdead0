# Sourced by the scripts: the environment every ePoint command runs in.
# Keeps Reflex off the web (no update checks, no telemetry, bun from .tools) and gives it
# the Node it accepts: .tools/node_modules/.bin holds bun and Node 22 (scripts/setup), first
# on PATH, so Reflex's build and dev server run on that Node and bun installs the packages.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$root/.venv/bin:$root/.tools/node_modules/.bin:$PATH"
export REFLEX_BUN_PATH="$root/.tools/node_modules/.bin/bun"
export REFLEX_CHECK_LATEST_VERSION=false
export REFLEX_TELEMETRY_ENABLED=false
export NPM_CONFIG_REGISTRY="${NPM_CONFIG_REGISTRY:-$(npm config get registry 2>/dev/null)}"
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"
