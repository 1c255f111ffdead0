"""What follows from a change, off the write path: functions driven by the table's stream.

Each runs at least once per stream record (Lambda retries a failed record) and does its
side effect at most once per item (a dedup key per inserted item), so a retried batch
repeats nothing (invariant 12). Earn and redeem stay one TransactWriteItems whatever
happens here. The local cloud runs these same handlers over the same records
(localcloud/streams.py).
"""
