"""The state server's limits on one caller (epoint_ui/limits.py): attempts and loops."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from epoint_ui import limits
from epoint_ui.limits import ATTEMPTS, LOOPS_PER_PERSON, MemoryCounters, RedisCounters
from tests.support.redis_server import redis_server
from tests.unit.ui_browser import wait


class Clock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Memory counters on a clock the test moves."""
    clock = Clock()
    monkeypatch.setattr(limits, "_counters", MemoryCounters(clock))
    return clock


def refused(action: str, **who: str) -> str:
    """The sentence the caller reads when `action` is refused (fails if it is not)."""
    with pytest.raises(limits.TooManyAttempts) as excinfo:
        wait(limits.attempt(action, **who))
    return excinfo.value.message


def test_one_noisy_client_is_refused_while_another_is_served(clock: Clock) -> None:
    allowed = ATTEMPTS["sign_in"]["client"].attempts
    for _ in range(allowed):
        wait(limits.attempt("sign_in", client="203.0.113.7"))
    assert refused("sign_in", client="203.0.113.7") == "Too many attempts. Try again in 15 minutes."
    wait(limits.attempt("sign_in", client="198.51.100.2"))  # someone else, same moment
    clock.now += 14 * 60
    assert refused("sign_in", client="203.0.113.7") == "Too many attempts. Try again in 1 minute."
    clock.now += 61
    wait(limits.attempt("sign_in", client="203.0.113.7"))  # a new window


def test_an_account_attacked_from_many_addresses_is_limited_by_its_email(clock: Clock) -> None:
    per_email = ATTEMPTS["sign_up"]["email"].attempts
    for n in range(per_email):
        wait(limits.attempt("sign_up", client=f"203.0.113.{n}", email="Rosa@Example.com"))
    # Another address, the same inbox (any case): no more codes are sent to it this hour.
    assert refused("sign_up", client="198.51.100.9", email="rosa@example.com ").startswith(
        "Too many attempts."
    )
    wait(limits.attempt("sign_up", client="198.51.100.9", email="carl@example.com"))


def test_only_failed_sign_ins_count_against_an_account(clock: Clock) -> None:
    failures = ATTEMPTS["sign_in_failure"]["email"].attempts
    for _ in range(failures - 1):
        wait(limits.ensure_left("sign_in_failure", email="rosa@example.com"))
        wait(limits.count("sign_in_failure", email="rosa@example.com"))
    wait(limits.ensure_left("sign_in_failure", email="rosa@example.com"))  # one left
    wait(limits.count("sign_in_failure", email="rosa@example.com"))
    with pytest.raises(limits.TooManyAttempts):
        wait(limits.ensure_left("sign_in_failure", email="rosa@example.com"))
    wait(limits.ensure_left("sign_in_failure", email="carl@example.com"))


def test_a_person_runs_at_most_a_few_loops_of_a_kind(clock: Clock) -> None:
    async def scenario() -> None:
        tabs = [await limits.take_loop_slot("my_code", "user-1", f"tab-{n}") for n in range(3)]
        assert all(slot.granted for slot in tabs)
        extra = await limits.take_loop_slot("my_code", "user-1", "tab-9")
        assert not extra.granted and extra.others == LOOPS_PER_PERSON
        assert (await limits.take_loop_slot("my_code", "user-2", "tab-9")).granted
        # A tab's next loop (a new code) keeps the tab's own slot.
        assert (await limits.take_loop_slot("my_code", "user-1", "tab-0")).granted
        await extra.release()  # a refused loop gives back nothing it did not get
        await tabs[1].release()
        again = await limits.take_loop_slot("my_code", "user-1", "tab-9")
        assert again.granted and await again.renew()

    wait(scenario())


def test_a_loop_that_died_silently_frees_its_slot_after_its_lease(clock: Clock) -> None:
    counters = limits.get_counters()
    for holder in ("a", "b", "c"):
        assert wait(counters.hold("loops:my_code:u", holder, 3, limits.LOOP_LEASE_S)) == 0
    assert wait(counters.hold("loops:my_code:u", "d", 3, limits.LOOP_LEASE_S)) == 3
    clock.now += limits.LOOP_LEASE_S + 1  # none of them renewed
    assert wait(counters.hold("loops:my_code:u", "d", 3, limits.LOOP_LEASE_S)) == 0


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """One Redis, as the state-server tasks in AWS share one."""
    with redis_server() as url:
        yield url


def test_tasks_sharing_redis_share_the_counts(redis_url: str) -> None:
    task_a, task_b = RedisCounters(redis_url), RedisCounters(redis_url)

    async def scenario() -> list[int]:
        seen = []
        for n in range(4):
            counters = task_a if n % 2 else task_b  # the load balancer alternates
            count, resets_in = await counters.add("sign_in:client:x", 900)
            assert 899 <= resets_in <= 900
            seen.append(count)
        peeked, _ = await task_a.peek("sign_in:client:x")
        return [*seen, peeked]

    assert wait(scenario()) == [1, 2, 3, 4, 4]


def test_tasks_sharing_redis_share_the_loop_slots(redis_url: str) -> None:
    task_a, task_b = RedisCounters(redis_url), RedisCounters(redis_url)

    async def scenario() -> list[int]:
        held = [await task_a.hold("loops:my_code:u", h, 2, 300) for h in ("a", "b")]
        held.append(await task_b.hold("loops:my_code:u", "c", 2, 300))  # refused: 2 held
        held.append(await task_b.hold("loops:my_code:u", "a", 2, 300))  # a renews its own
        await task_a.release("loops:my_code:u", "b")
        held.append(await task_b.hold("loops:my_code:u", "c", 2, 300))
        return held

    assert wait(scenario()) == [0, 0, 2, 0, 0]
