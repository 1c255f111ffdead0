"""Reconcile the ledger: every balance and stamp count equals the sum of its ledger, every
reversal its original, every entry its kind's rules, every closed account ends with its closure.

    python -m ops.reconcile                                  # TABLE_NAME / AWS_* from the env
    python -m ops.reconcile --table epoint-ledger-prod --region eu-west-1 --max-pages-per-s 5
    python -m ops.reconcile --local-cloud http://127.0.0.1:8787   # the local cloud's table

An operator's tool, safe on a live table: it only reads (Scan and GetItem/Query, never a
write), a bounded page at a time, optionally rate-limited. It prints one line per
discrepancy and a final `reconcile_discrepancies: N`; the exit code is 1 when N > 0.

Why one paginated Scan rather than a Query per membership: memberships live under
`USER#…` partitions and ledger entries under `MERCHANT#…` partitions, and no index lists
every membership, so enumerating them needs a Scan anyway; one Scan reads each item
exactly once (cost = table size), while per-membership Queries would read the ledger
through a GSI, which cannot be read consistently.

A Scan is not a snapshot: on a live table a balance change can land between the page
that held the membership and the page that held its new entry. So a membership that
does not add up is re-checked on its own with consistent reads, bracketed by its
`version` (read, query its ledger, read again; equal versions mean no change landed in
between, because every balance change bumps the version in the same transaction as its
entry). Only a difference that survives that re-check is reported.

What is checked (architecture invariants 1, 2 and 11), per kind of entry:
- every membership: balance and stamps >= 0, each equal to the sum of its entries' `points`
  and `stamps`; lifetime points equal to what its earns gave, less refunded earns
  (adjustments and expiries leave it alone);
- `earn`: at most one stamp; what a promotion added is within the entry's points and names
  its promotion; a welcome bonus only on the membership's first entry, once;
- `stamp_redeem`: no points, and exactly one full card (`-stamps_needed`) of stamps;
- `reversal`: the opposite of its original in points, stamps and promotion points, of the
  same customer, marked on the original, once, and never of another reversal;
- `adjustment`: moves some points (no stamps), for a reason from the list, by the
  business's owner;
- `expiry`: takes the whole balance (to 0, no stamps), by nobody, and only once its points
  were due (the entry keeps the policy's months and the last activity it counted from);
- an earn from a receipt's claim code: its code exists, was spent by this very entry (same
  customer, business and amount), and no other entry claims it; a spent code names an
  entry that names it.

It runs from an operator's machine and is left out of the Lambda artifact (backend/Makefile).
It reads the table's key layout from `backend.dal.keys`, so it follows the layout the API writes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import botocore.session
from botocore.config import Config

from backend.dal import keys
from loyalty import catalog, expiry

DEFAULT_PAGE_SIZE = 200
RECHECK_ATTEMPTS = 5
READ_OPERATIONS = frozenset({"Scan", "Query", "GetItem"})
# Key prefixes of the items the scan sorts: memberships (USER#/MEMBER#), entries (MERCHANT#/TX#).
_USER, _MEMBER, _MERCHANT, _TX = keys.user(""), keys.member(""), keys.merchant(""), keys.tx("")
_CLAIM_CODE = keys.claim_code("")


class WriteRefused(RuntimeError):
    """The reconciler's client was asked to do something other than read."""


def _value(attr: dict[str, Any]) -> Any:
    """A DynamoDB attribute value as plain Python (numbers as int: the ledger has no floats)."""
    ((kind, value),) = attr.items()
    if kind == "N":
        return int(value)
    if kind == "M":
        return {k: _value(v) for k, v in value.items()}
    if kind == "L":
        return [_value(v) for v in value]
    if kind == "NULL":
        return None
    return value


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _value(v) for k, v in item.items()}


@dataclass
class _Sums:
    """What a membership's ledger adds up to, and how it ends."""

    balance: int = 0
    stamps: int = 0
    lifetime: int = 0
    entries: int = 0
    last_tx: str = ""  # the newest entry's id (ids sort by time)
    closures: list[dict[str, Any]] = field(default_factory=list)  # kind "closure"

    def add(self, entry: dict[str, Any]) -> None:
        """Count one entry (its lifetime share is added by the caller: it needs the original)."""
        self.balance += int(entry["points"])
        self.stamps += int(entry.get("stamps") or 0)
        self.entries += 1
        self.last_tx = max(self.last_tx, str(entry["tx_id"]))
        if entry["kind"] == "closure":
            self.closures.append(
                {"tx_id": entry["tx_id"], "balance_after": int(entry["balance_after"])}
            )

    def closure_problems(self, member: dict[str, Any] | None) -> list[str]:
        """A closed account (the customer deleted it) ends with exactly one closure, at 0."""
        problems = []
        closed = bool((member or {}).get("closed_at"))
        if len(self.closures) > 1:
            problems.append(f"{len(self.closures)} closures")
        for closure in self.closures:
            if closure["balance_after"] != 0:
                problems.append(f"closure {closure['tx_id']} leaves {closure['balance_after']}")
            if closure["tx_id"] != self.last_tx:
                problems.append(f"entry {self.last_tx} after closure {closure['tx_id']}")
        if self.closures and not closed:
            problems.append("closure but the membership is not closed")
        if closed and not self.closures:
            problems.append("closed without a closure entry")
        return problems


@dataclass
class Report:
    """The outcome of one reconciliation run."""

    memberships: int = 0
    entries: int = 0
    reversals: int = 0
    closures: int = 0  # accounts closed (deleted) whose memberships were checked
    stamp_redemptions: int = 0
    promotion_entries: int = 0  # entries a promotion added points to (or took back)
    adjustments: int = 0
    expiries: int = 0
    claims: int = 0  # earns from a receipt's claim code
    items_read: int = 0
    rechecked: int = 0  # memberships that changed under the Scan and were read again alone
    discrepancies: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        """Record one discrepancy."""
        self.discrepancies.append(message)


class Reconciler:
    """Reads one table and checks the ledger's invariants (architecture invariants 1-2)."""

    def __init__(
        self,
        client: Any,
        table: str,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_pages_per_s: float | None = None,
    ) -> None:
        self.client = client
        self.table = table
        self.page_size = page_size
        self.min_page_interval = 1.0 / max_pages_per_s if max_pages_per_s else 0.0

    # ------------------------------------------------------------ reading

    def _pages(self, **kwargs: Any) -> Iterator[list[dict[str, Any]]]:
        """Pages of a Scan or Query, bounded in size and (optionally) in rate."""
        operation = self.client.query if "KeyConditionExpression" in kwargs else self.client.scan
        kwargs = {
            "TableName": self.table,
            "Limit": self.page_size,
            "ConsistentRead": True,
            **kwargs,
        }
        last_page = 0.0
        while True:
            wait = self.min_page_interval - (time.monotonic() - last_page)
            if wait > 0:
                time.sleep(wait)
            last_page = time.monotonic()
            answer = operation(**kwargs)
            yield [_plain(item) for item in answer.get("Items", [])]
            if not answer.get("LastEvaluatedKey"):
                return
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def _membership(self, customer_id: str, merchant_id: str) -> dict[str, Any] | None:
        answer = self.client.get_item(
            TableName=self.table,
            Key={"pk": {"S": keys.user(customer_id)}, "sk": {"S": keys.member(merchant_id)}},
            ConsistentRead=True,
        )
        return _plain(answer["Item"]) if "Item" in answer else None

    def _entry(self, merchant_id: str, tx_id: str) -> dict[str, Any] | None:
        answer = self.client.get_item(
            TableName=self.table,
            Key={"pk": {"S": keys.merchant(merchant_id)}, "sk": {"S": keys.tx(tx_id)}},
            ConsistentRead=True,
        )
        return _plain(answer["Item"]) if "Item" in answer else None

    def _ledger_of(self, customer_id: str, merchant_id: str) -> list[dict[str, Any]]:
        """One membership's entries, read consistently from the business's partition."""
        entries: list[dict[str, Any]] = []
        for page in self._pages(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :tx)",
            FilterExpression="customer_id = :c",
            ExpressionAttributeValues={
                ":pk": {"S": keys.merchant(merchant_id)},
                ":tx": {"S": _TX},
                ":c": {"S": customer_id},
            },
        ):
            entries.extend(page)
        return entries

    # ------------------------------------------------------------ checking

    def run(self) -> Report:
        """Scan the table once, then re-check on its own every membership that did not add up."""
        report = Report()
        sums: dict[tuple[str, str], _Sums] = {}
        members: dict[tuple[str, str], dict[str, Any]] = {}
        # Only entries that take part in a reversal are kept: memory grows with memberships
        # and reversals, not with the whole ledger.
        reversals: dict[tuple[str, str], dict[str, Any]] = {}
        reversed_originals: dict[tuple[str, str], dict[str, Any]] = {}
        # Per membership: its first entry's id, and the earns that carried a welcome bonus.
        firsts: dict[tuple[str, str], str] = {}
        welcomes: dict[tuple[str, str], list[str]] = {}
        owners: dict[str, str] = {}  # business -> its owner (who may adjust)
        adjusted_by: list[tuple[dict[str, Any], str]] = []  # (adjustment, who made it)
        claim_codes: dict[str, dict[str, Any]] = {}  # claim id -> the code's item
        claimed_by_entry: dict[str, list[dict[str, Any]]] = {}  # claim id -> its earns

        for page in self._pages():
            report.items_read += len(page)
            for item in page:
                pk, sk = str(item.get("pk", "")), str(item.get("sk", ""))
                if pk.startswith(_USER) and sk.startswith(_MEMBER):
                    key = (pk.removeprefix(_USER), sk.removeprefix(_MEMBER))
                    members[key] = {
                        k: item.get(k)
                        for k in ("balance", "stamps", "lifetime_points", "closed_at")
                    }
                elif pk.startswith(_MERCHANT) and sk == keys.PROFILE:
                    owners[str(item.get("merchant_id"))] = str(item.get("owner_id"))
                elif pk.startswith(_CLAIM_CODE):
                    claim_codes[str(item["claim_id"])] = item
                elif pk.startswith(_MERCHANT) and sk.startswith(_TX):
                    report.entries += 1
                    report.stamp_redemptions += item["kind"] == "stamp_redeem"
                    report.promotion_entries += bool(item.get("promotion_id"))
                    for problem in entry_problems(item):
                        report.add(
                            f"entry {item['tx_id']} at merchant {item['merchant_id']}: {problem}"
                        )
                    report.adjustments += item["kind"] == "adjustment"
                    report.expiries += item["kind"] == "expiry"
                    if item["kind"] == "adjustment":
                        adjusted_by.append((item, str(item.get("staff_id"))))
                    if item.get("claim_id"):
                        claimed_by_entry.setdefault(str(item["claim_id"]), []).append(item)
                    key = (item["customer_id"], item["merchant_id"])
                    total = sums.setdefault(key, _Sums())
                    total.add(item)
                    first = firsts.get(key)
                    if first is None or item["tx_id"] < first:
                        firsts[key] = item["tx_id"]
                    if item["kind"] == "earn" and item.get("promotion_kind") == "welcome":
                        welcomes.setdefault(key, []).append(item["tx_id"])
                    if item["kind"] == "earn":
                        total.lifetime += int(item["points"])
                    ref = (item["merchant_id"], item["tx_id"])
                    if item["kind"] == "reversal":
                        reversals[ref] = item
                    elif item.get("reversed_by"):
                        reversed_originals[ref] = item

        # Each reversal's original: normally one that says `reversed_by`; if it does not (a
        # discrepancy), read it on its own, so memory stays with the reversals.
        originals: dict[tuple[str, str], dict[str, Any]] = {}
        for reversal in reversals.values():
            target = (reversal["merchant_id"], str(reversal.get("reverses")))
            original = reversed_originals.get(target) or self._entry(*target)
            if original is None:
                continue
            originals[target] = original
            # A reversal of an earn also takes its points off the lifetime figure (tiers).
            if original["kind"] == "earn":
                key = (reversal["customer_id"], reversal["merchant_id"])
                sums[key].lifetime += int(reversal["points"])
        self._check_reversals(report, reversals, reversed_originals, originals)
        for (customer_id, merchant_id), tx_ids in sorted(welcomes.items()):
            where = f"membership customer={customer_id} merchant={merchant_id}"
            if len(tx_ids) > 1:
                report.add(f"{where}: {len(tx_ids)} welcome bonuses ({', '.join(sorted(tx_ids))})")
            elif tx_ids[0] != firsts[(customer_id, merchant_id)]:
                report.add(f"{where}: welcome bonus {tx_ids[0]} is not its first entry")
        for adjustment, by in adjusted_by:
            if owners.get(str(adjustment["merchant_id"])) != by:
                report.add(
                    f"entry {adjustment['tx_id']} at merchant {adjustment['merchant_id']}:"
                    f" an adjustment by {by}, who is not the business's owner"
                )
        report.claims = sum(len(v) for v in claimed_by_entry.values())
        self._check_claims(report, claim_codes, claimed_by_entry)

        report.memberships = len(members)
        report.closures = sum(len(total.closures) for total in sums.values())
        for key in sorted(set(members) | set(sums)):
            member, total = members.get(key), sums.get(key, _Sums())
            if self._adds_up(member, total):
                continue
            report.rechecked += 1
            problem = self._recheck(*key)
            if problem:
                report.add(problem)
        return report

    @staticmethod
    def _adds_up(member: dict[str, Any] | None, total: _Sums) -> bool:
        if member is None:
            return total.entries == 0
        balance, stamps = int(member.get("balance", 0)), int(member.get("stamps") or 0)
        return (
            balance >= 0
            and balance == total.balance
            and stamps >= 0
            and stamps == total.stamps
            and int(member.get("lifetime_points", 0)) == max(total.lifetime, 0)
            and not total.closure_problems(member)
        )

    def _recheck(self, customer_id: str, merchant_id: str) -> str | None:
        """A discrepancy that holds under consistent, version-bracketed reads, or None."""
        where = f"membership customer={customer_id} merchant={merchant_id}"
        for _ in range(RECHECK_ATTEMPTS):
            before = self._membership(customer_id, merchant_id)
            entries = self._ledger_of(customer_id, merchant_id)
            after = self._membership(customer_id, merchant_id)
            if (before or {}).get("version") != (after or {}).get("version"):
                continue  # a change landed while we read: read again
            total = _Sums()
            originals = {e["tx_id"]: e for e in entries}
            for entry in entries:
                total.add(entry)
                if entry["kind"] == "earn":
                    total.lifetime += int(entry["points"])
                elif entry["kind"] == "reversal":
                    original = originals.get(str(entry.get("reverses")))
                    if original is not None and original["kind"] == "earn":
                        total.lifetime += int(entry["points"])
            if self._adds_up(after, total):
                return None
            if after is None:
                return f"{where}: {total.entries} ledger entries ({total.balance:+d}) but no membership"
            balance = int(after.get("balance", 0))
            stamps = int(after.get("stamps") or 0)
            lifetime = int(after.get("lifetime_points", 0))
            problems = []
            if balance < 0:
                problems.append(f"negative balance {balance}")
            if balance != total.balance:
                problems.append(f"balance {balance} != ledger sum {total.balance}")
            if stamps < 0:
                problems.append(f"negative stamps {stamps}")
            if stamps != total.stamps:
                problems.append(f"stamps {stamps} != ledger stamps {total.stamps}")
            if lifetime != max(total.lifetime, 0):
                problems.append(f"lifetime_points {lifetime} != earned {max(total.lifetime, 0)}")
            problems += total.closure_problems(after)
            return f"{where}: " + "; ".join(problems)
        return f"{where}: kept changing during {RECHECK_ATTEMPTS} re-reads; run again"

    @staticmethod
    def _check_claims(
        report: Report,
        codes: dict[str, dict[str, Any]],
        earns: dict[str, list[dict[str, Any]]],
    ) -> None:
        """Each receipt's code is spent by exactly the one earn that names it."""
        for claim_id, entries in sorted(earns.items()):
            if len(entries) > 1:
                others = ", ".join(sorted(e["tx_id"] for e in entries))
                report.add(f"receipt code {claim_id} earned {len(entries)} times ({others})")
            code = codes.get(claim_id)
            if code is None:
                continue  # its record is kept 90 days after the code's expiry, then removed
            for entry in entries:
                here = f"entry {entry['tx_id']} at merchant {entry['merchant_id']}"
                if entry["kind"] != "earn":
                    report.add(f"{here}: a receipt code's entry is a {entry['kind']}")
                if code.get("tx_id") != entry["tx_id"]:
                    report.add(f"{here}: receipt code {claim_id} was spent by {code.get('tx_id')}")
                if code.get("claimed_by") != entry["customer_id"]:
                    report.add(f"{here}: receipt code {claim_id} was claimed by someone else")
                if code.get("merchant_id") != entry["merchant_id"] or int(
                    code.get("amount_cents") or 0
                ) != int(entry.get("amount_cents") or 0):
                    report.add(f"{here}: receipt code {claim_id} is for another business or amount")
        for claim_id, code in sorted(codes.items()):
            if code.get("tx_id") and claim_id not in earns:
                report.add(
                    f"receipt code {claim_id} at merchant {code.get('merchant_id')}: spent by"
                    f" {code['tx_id']}, and no earn names it"
                )

    @staticmethod
    def _check_reversals(
        report: Report,
        reversals: dict[tuple[str, str], dict[str, Any]],
        reversed_originals: dict[tuple[str, str], dict[str, Any]],
        originals: dict[tuple[str, str], dict[str, Any]],
    ) -> None:
        report.reversals = len(reversals)
        seen: dict[tuple[str, str], str] = {}
        for (merchant_id, tx_id), reversal in sorted(reversals.items()):
            where = f"reversal {tx_id} at merchant {merchant_id}"
            target = (merchant_id, str(reversal.get("reverses")))
            original = originals.get(target)
            if original is None:
                report.add(f"{where}: its original {target[1]} does not exist")
                continue
            if original["kind"] == "reversal":
                report.add(f"{where}: reverses another reversal {target[1]}")
            for moved in ("points", "stamps", "promotion_points"):
                theirs, ours = int(original.get(moved) or 0), int(reversal.get(moved) or 0)
                if theirs != -ours:
                    report.add(
                        f"{where}: {moved} {ours:+d} are not the opposite"
                        f" of the original's {theirs:+d}"
                    )
            if original.get("customer_id") != reversal.get("customer_id"):
                report.add(f"{where}: customer differs from the original's")
            if original.get("reversed_by") != tx_id:
                report.add(
                    f"{where}: the original's reversed_by is {original.get('reversed_by')!r}"
                )
            if target in seen:
                report.add(f"{where}: {target[1]} was already reversed by {seen[target]}")
            seen[target] = tx_id
        for (merchant_id, tx_id), original in sorted(reversed_originals.items()):
            if (merchant_id, original["reversed_by"]) not in reversals:
                report.add(
                    f"entry {tx_id} at merchant {merchant_id}: reversed_by"
                    f" {original['reversed_by']} does not exist"
                )


def _epoch(iso: Any) -> int | None:
    if not iso:
        return None
    return int(datetime.fromisoformat(str(iso).replace("Z", "+00:00")).timestamp())


def entry_problems(entry: dict[str, Any]) -> list[str]:
    """What is wrong with one ledger entry on its own, by its kind (nothing for a kind this
    version does not know: its own checks come with it)."""
    kind = entry["kind"]
    points, stamps = int(entry["points"]), int(entry.get("stamps") or 0)
    added = int(entry.get("promotion_points") or 0)
    problems = []
    if kind == "earn":
        if stamps not in (0, 1):
            problems.append(f"an earn adds one stamp at most, not {stamps:+d}")
        if not 0 <= added <= points:
            problems.append(f"promotion points {added} outside the entry's {points}")
        if bool(added) != bool(entry.get("promotion_id")):
            problems.append("promotion points without their promotion, or the other way round")
    elif kind == "stamp_redeem":
        needed = entry.get("stamps_needed")
        if points != 0:
            problems.append(f"a stamp card's reward moves no points, not {points:+d}")
        if not needed or stamps != -int(needed):
            problems.append(f"stamps {stamps:+d} are not one full card of {needed}")
    elif kind == "redeem" and (stamps or added):
        problems.append("a redemption of points moves no stamps and no promotion points")
    elif kind == "closure":
        # A deleted account's last entry: everything it held goes, nothing comes.
        if points > 0 or stamps > 0 or added:
            problems.append(f"a closure only takes away, not {points:+d} points {stamps:+d} stamps")
        if int(entry["balance_after"]) or int(entry.get("stamps_after") or 0):
            problems.append("a closure leaves nothing behind")
        if entry.get("staff_id"):
            problems.append("a closure is the customer's, not staff's")
    elif kind == "adjustment":
        if points == 0:
            problems.append("an adjustment of 0 points")
        if entry.get("reason") not in catalog.ADJUSTMENT_REASONS:
            problems.append(f"an adjustment without a known reason ({entry.get('reason')!r})")
        if not entry.get("staff_id"):
            problems.append("an adjustment by nobody")
        if stamps or added:
            problems.append("an adjustment moves no stamps and no promotion points")
    elif kind == "expiry":
        if points >= 0 or int(entry["balance_after"]) != 0:
            problems.append(
                f"an expiry takes the whole balance: {points:+d} left {entry['balance_after']}"
            )
        if entry.get("staff_id"):
            problems.append(f"an expiry made by {entry['staff_id']}, not by the job")
        if stamps or added:
            problems.append("an expiry takes points only (stamps and tiers stay)")
        months, last = entry.get("expiry_months"), _epoch(entry.get("last_activity_at"))
        created = _epoch(entry.get("created_at"))
        if not months or last is None or created is None:
            problems.append("an expiry without the policy and last activity it counted from")
        elif expiry.add_months(last, int(months)) > created:
            problems.append(
                f"an expiry before its points were due ({months} months after {entry['last_activity_at']})"
            )
    if entry.get("claim_id") and entry.get("visit_id"):
        problems.append("a receipt code's earn in a visit")
    return problems


# ------------------------------------------------------------------ command line


def _local_cloud_info(api_url: str) -> dict[str, Any]:
    """The local cloud's JSON line, from its /dev/info page."""
    if not api_url.startswith(("http://127.0.0.1", "http://localhost")):
        raise SystemExit("--local-cloud takes the local gateway's loopback URL")
    with urllib.request.urlopen(f"{api_url.rstrip('/')}/dev/info", timeout=10) as answer:  # noqa: S310 - loopback only, checked above
        return json.load(answer)


def _reads_only(model: Any, **_: Any) -> None:
    if model.name not in READ_OPERATIONS:
        raise WriteRefused(f"the reconciliation only reads; refused {model.name}")


def make_client(endpoint_url: str | None, region: str) -> Any:
    """A read-only DynamoDB client with adaptive retries (a throttled read waits, not fails).

    Read-only by construction: any operation but Scan, Query and GetItem is refused before
    it is sent, whatever the credentials would allow.
    """
    session = botocore.session.get_session()
    client = session.create_client(
        "dynamodb",
        region_name=region,
        endpoint_url=endpoint_url,
        config=Config(retries={"mode": "adaptive", "max_attempts": 10}),
    )
    client.meta.events.register("provide-client-params.dynamodb", _reads_only)
    return client


def main(argv: list[str] | None = None) -> int:
    """Parse flags, reconcile, print discrepancies and the total; 1 if any."""
    parser = argparse.ArgumentParser(
        prog="python -m ops.reconcile", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--table", help="default $TABLE_NAME (or the --local-cloud's table)")
    parser.add_argument(
        "--endpoint-url",
        default=os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or os.environ.get("AWS_ENDPOINT_URL"),
        help="DynamoDB endpoint (default: AWS, or $AWS_ENDPOINT_URL)",
    )
    parser.add_argument(
        "--region",
        default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"),
        help="default $AWS_REGION",
    )
    parser.add_argument(
        "--local-cloud",
        metavar="API_URL",
        help="read table, endpoint and region from a running local cloud (python -m localcloud)",
    )
    parser.add_argument("--page-size", type=int, default=DEFAULT_PAGE_SIZE, help="items per page")
    parser.add_argument(
        "--max-pages-per-s", type=float, default=None, help="rate limit (default: none)"
    )
    args = parser.parse_args(argv)

    if args.local_cloud:
        info = _local_cloud_info(args.local_cloud)
        # The running local cloud knows its own table: a TABLE_NAME left in the shell must not win.
        args.table = args.table or info["table_name"]
        args.endpoint_url = info["cognito_endpoint"]  # the local cloud's moto server
        args.region = info["region"]
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    args.table = args.table or os.environ.get("TABLE_NAME")
    if not args.table or not args.region:
        parser.error("give --table and --region (or TABLE_NAME and AWS_REGION, or --local-cloud)")
    if not 1 <= args.page_size <= 1000:
        parser.error("--page-size must be 1-1000")

    started = time.monotonic()
    reconciler = Reconciler(
        make_client(args.endpoint_url, args.region),
        args.table,
        page_size=args.page_size,
        max_pages_per_s=args.max_pages_per_s,
    )
    report = reconciler.run()
    for line in report.discrepancies:
        print(f"DISCREPANCY {line}")
    print(f"items_read: {report.items_read}")
    print(f"memberships_checked: {report.memberships}")
    print(f"ledger_entries_checked: {report.entries}")
    print(f"reversals_checked: {report.reversals}")
    print(f"stamp_redemptions_checked: {report.stamp_redemptions}")
    print(f"promotion_entries_checked: {report.promotion_entries}")
    print(f"closures_checked: {report.closures}")
    print(f"adjustments_checked: {report.adjustments}")
    print(f"expiries_checked: {report.expiries}")
    print(f"claims_checked: {report.claims}")
    print(f"memberships_rechecked: {report.rechecked}")
    print(f"reconcile_seconds: {time.monotonic() - started:.2f}")
    print(f"reconcile_discrepancies: {len(report.discrepancies)}")
    return 1 if report.discrepancies else 0


if __name__ == "__main__":
    sys.exit(main())
