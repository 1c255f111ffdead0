"""Give memberships written before the members and expiry indexes their index keys, once.

    python -m ops.index_memberships --dry-run                     # what it would change
    python -m ops.index_memberships --table epoint-ledger-prod --region eu-west-1
    python -m ops.index_memberships --local-cloud http://127.0.0.1:8787

Since the programs work, every balance change writes a membership's `last_activity_at` and its
index keys (gsi1 `MEMBERS#<mid>`, gsi2 `IDLE#<mid>` while it holds points; docs/data-model.md).
A membership nobody touched since then has none: the owner's members list and export, and
the expiry job, do not see it. This adds them, with `last_activity_at` taken from
`updated_at` (the last change of any kind: the best there is), each in one conditional
UpdateItem on the version read (a membership that changed meanwhile got its keys from that
change and is left alone). It writes nothing else, and nothing twice: a second run finds
nothing to do.

An operator's tool, run from a workstation; left out of the Lambda artifact like
`ops.reconcile`, whose reading and command line it shares.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

from backend.dal import keys
from ops.reconcile import _local_cloud_info, _plain

_USER, _MEMBER = keys.user(""), keys.member("")
ALLOWED = frozenset({"Scan", "UpdateItem"})


class Refused(RuntimeError):
    """The tool's client was asked for something other than reading and updating."""


def _scan_and_update_only(model: Any, **_: Any) -> None:
    if model.name not in ALLOWED:
        raise Refused(f"index_memberships only scans and updates; refused {model.name}")


def make_client(endpoint_url: str | None, region: str) -> Any:
    """A DynamoDB client that can only Scan and UpdateItem."""
    client = botocore.session.get_session().create_client(
        "dynamodb",
        region_name=region,
        endpoint_url=endpoint_url,
        config=Config(retries={"mode": "adaptive", "max_attempts": 10}),
    )
    client.meta.events.register("provide-client-params.dynamodb", _scan_and_update_only)
    return client


def index_keys(member: dict[str, Any]) -> dict[str, str]:
    """The attributes a membership item is missing, as the balance transaction writes them."""
    customer_id = str(member["pk"]).removeprefix(_USER)
    merchant_id = str(member["sk"]).removeprefix(_MEMBER)
    last = str(member.get("last_activity_at") or member.get("updated_at") or "")
    found = {
        "gsi1pk": keys.members(merchant_id),
        "gsi1sk": keys.user(customer_id),
        "last_activity_at": last,
    }
    if int(member.get("balance") or 0) > 0 and last:
        found["gsi2pk"] = keys.idle(merchant_id)
        found["gsi2sk"] = keys.idle_sort(last, customer_id)
    return found


def run(client: Any, table: str, *, dry_run: bool = False, page_size: int = 200) -> dict[str, int]:
    """Scan once; give each membership without index keys its keys. Returns the counts."""
    counts = {"memberships": 0, "indexed": 0, "changed_meanwhile": 0}
    kwargs: dict[str, Any] = {
        "TableName": table,
        "Limit": page_size,
        "FilterExpression": "begins_with(pk, :user) AND begins_with(sk, :member)",
        "ExpressionAttributeValues": {":user": {"S": _USER}, ":member": {"S": _MEMBER}},
    }
    while True:
        answer = client.scan(**kwargs)
        for raw in answer.get("Items", []):
            member = _plain(raw)
            counts["memberships"] += 1
            if member.get("gsi1pk"):
                continue
            found = index_keys(member)
            counts["indexed"] += 1
            if dry_run:
                continue
            names = {f"#{k}": k for k in found}
            values: dict[str, Any] = {f":{k}": {"S": v} for k, v in found.items()}
            values[":v"] = {"N": str(member.get("version", 0))}
            try:
                client.update_item(
                    TableName=table,
                    Key={"pk": raw["pk"], "sk": raw["sk"]},
                    UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in found),
                    ConditionExpression="version = :v AND attribute_not_exists(gsi1pk)",
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=values,
                )
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                counts["indexed"] -= 1
                counts["changed_meanwhile"] += 1
        if not answer.get("LastEvaluatedKey"):
            return counts
        kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def main(argv: list[str] | None = None) -> int:
    """Parse flags, index, print the counts."""
    parser = argparse.ArgumentParser(
        prog="python -m ops.index_memberships", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--table", help="default $TABLE_NAME (or the --local-cloud's table)")
    parser.add_argument(
        "--endpoint-url",
        default=os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or os.environ.get("AWS_ENDPOINT_URL"),
    )
    parser.add_argument(
        "--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    )
    parser.add_argument("--local-cloud", metavar="API_URL")
    parser.add_argument("--dry-run", action="store_true", help="count, change nothing")
    args = parser.parse_args(argv)
    if args.local_cloud:
        info = _local_cloud_info(args.local_cloud)
        args.table = args.table or info["table_name"]
        args.endpoint_url, args.region = info["cognito_endpoint"], info["region"]
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    args.table = args.table or os.environ.get("TABLE_NAME")
    if not args.table or not args.region:
        parser.error("give --table and --region (or TABLE_NAME and AWS_REGION, or --local-cloud)")
    counts = run(make_client(args.endpoint_url, args.region), args.table, dry_run=args.dry_run)
    for name, value in counts.items():
        print(f"{name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
