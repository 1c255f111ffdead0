"""`python -m localcloud`: run the local cloud and print one JSON line for clients.

    python -m localcloud                 # gateway :8787, moto :4566, data in .local-cloud/
    python -m localcloud --port 0 --no-persist --data-dir /tmp/x   # tests: ephemeral ports
    python -m localcloud --reset         # wipe saved local data, then start fresh
    python -m localcloud --parameter PerCallerLimitScale=1000   # a template parameter override

stdout carries only the JSON line (api_url, cognito_endpoint, region, user_pool_id,
client_id, outbox_url, jwks_url, jwks, env...); logs, including outbox codes, go to stderr.
SIGTERM/SIGINT stop the servers, save state and exit.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading

from localcloud.cloud import DEFAULT_DATA_DIR, LocalCloud


def main(argv: list[str] | None = None) -> int:
    """Parse flags, start the local cloud, print its JSON line, serve until a signal."""
    parser = argparse.ArgumentParser(
        prog="python -m localcloud", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("EPOINT_LOCAL_API_PORT", 8787)),
        help="gateway port (0 = ephemeral); default 8787",
    )
    parser.add_argument(
        "--moto-port",
        type=int,
        default=None,
        help="moto (Cognito endpoint) port; default 4566, or ephemeral with --port 0",
    )
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("EPOINT_LOCAL_DATA_DIR", str(DEFAULT_DATA_DIR)),
        help="where local data is saved (default .local-cloud/)",
    )
    parser.add_argument("--reset", action="store_true", help="wipe saved local data first")
    parser.add_argument(
        "--no-persist", action="store_true", help="neither load nor save local data"
    )
    parser.add_argument(
        "--origins",
        default=None,
        help="CORS origins, comma-separated (default: template's FrontendOrigins)",
    )
    parser.add_argument(
        "--save-interval",
        type=float,
        default=15.0,
        help="seconds between periodic saves when something changed (default 15)",
    )
    parser.add_argument(
        "--stock-transactions",
        action="store_true",
        help="use moto's stock TransactWriteItems (benchmark comparison only)",
    )
    parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a template parameter (repeatable), as sam deploy --parameter-overrides",
    )
    # Fault injection (tests/proof, bench/proof.py): see localcloud/faults.py.
    parser.add_argument(
        "--faults",
        type=float,
        default=0.0,
        help="fail this share (0-1) of balance transactions and SES sends on purpose (default 0: off)",
    )
    parser.add_argument("--faults-seed", type=int, default=None, help="seed for --faults")
    args = parser.parse_args(argv)

    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    moto_port = args.moto_port
    if moto_port is None:
        moto_port = 0 if args.port == 0 else int(os.environ.get("EPOINT_LOCAL_MOTO_PORT", 4566))

    cloud = LocalCloud(
        port=args.port,
        moto_port=moto_port,
        data_dir=args.data_dir,
        persist=not args.no_persist,
        reset=args.reset,
        frontend_origins=args.origins.split(",") if args.origins else None,
        stock_transactions=args.stock_transactions,
        save_interval_s=args.save_interval,
        parameters=dict(p.split("=", 1) for p in args.parameter),
    ).start()
    if args.faults:
        from localcloud import faults

        faults.install(args.faults, args.faults_seed)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    sys.stdout.write(json.dumps(cloud.info()) + "\n")
    sys.stdout.flush()
    # stdout carries only that line: whatever prints later (handlers' Powertools logs
    # write to stdout, as in Lambda) goes to stderr, so a client that reads one line and
    # never drains the pipe cannot stall this process.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    logging.getLogger("localcloud").info(
        "local cloud up: API %s, Cognito %s, outbox %s/dev/outbox",
        cloud.api_url,
        cloud.moto_url,
        cloud.api_url,
    )
    stop.wait()
    cloud.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
