"""/metrics on the webhook server: updates and their latency, the queue and conversations by state,
deliveries and 429s; nothing in it points at a member."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.metrics import LATENCY_BUCKETS, STATES, UPDATE_TYPES
from tests.e2e.conftest import Harness, labels
from tests.e2e.staffroom import open_staff_room
from tests.e2e.test_handoff import member_in_queue


async def scrape(harness: Harness) -> str:
    url = harness.webhook_url.rsplit("/", 1)[0] + "/metrics"
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        assert response.content_type == "text/plain"
        return await response.text()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(text: str, name: str, **label_values: str) -> float:
    return samples(text).get((name, tuple(sorted(label_values.items()))), 0.0)


async def members_and_a_queue(harness: Harness) -> list:
    await open_staff_room(harness)
    members = []
    for language, name, username in (("en", "Olena", "olena_kyiv"), ("ru", "Marina", "marina_odesa")):
        member = await harness.started(language, first_name=name, username=username)
        await member.command("/menu")
        await member.press(labels(member.last)[0])
        members.append(member)
    members.append(await member_in_queue(harness, "uk", first_name="Oksana", username="oksana_night"))
    return members


async def test_updates_latency_queue_and_states(harness: Harness) -> None:
    await members_and_a_queue(harness)
    harness.clock.advance(timedelta(minutes=3))
    text = await scrape(harness)

    assert value(text, "umbrella_updates_total", type="message") >= 5
    assert value(text, "umbrella_updates_total", type="callback_query") >= 6
    handled = sum(v for (name, _), v in samples(text).items() if name == "umbrella_updates_total")
    assert value(text, "umbrella_update_handling_seconds_count") == handled
    assert value(text, "umbrella_update_handling_seconds_bucket", le="5.0") == handled
    assert value(text, "umbrella_update_handling_seconds_sum") > 0

    assert value(text, "umbrella_queue_length") == 1
    assert 170 <= value(text, "umbrella_queue_oldest_wait_seconds") <= 190
    assert value(text, "umbrella_conversations", state="queued") == 1
    assert value(text, "umbrella_conversations", state="active") == 0
    assert value(text, "umbrella_conversations", state="closed") == 0
    assert value(text, "umbrella_deliveries_total", outcome="ok") > 0
    assert value(text, "umbrella_deliveries_total", outcome="failed") == 0


async def test_no_member_appears_in_the_metrics(harness: Harness) -> None:
    members = await members_and_a_queue(harness)
    text = await scrape(harness)
    labels_seen = {v for (_, pairs), _ in samples(text).items() for _, v in pairs}
    for member in members:
        for secret in (str(member.id), member.first_name, member.username):
            assert secret not in text
            assert secret not in labels_seen
    buckets = {str(b) for b in LATENCY_BUCKETS} | {"+Inf"}
    assert labels_seen <= UPDATE_TYPES | set(STATES) | {"ok", "blocked", "rate_limited", "failed"} | buckets


async def test_a_429_is_counted(harness: Harness) -> None:
    member = await harness.started("en")
    before = await scrape(harness)
    assert value(before, "umbrella_telegram_429_total") == 0
    harness.fake.flood(1, retry_after=1, method="sendMessage")
    await member.command("/menu")
    after = await scrape(harness)
    assert value(after, "umbrella_telegram_429_total") == 1
    # The retry delivered it: one final outcome per message, and it is ok.
    assert value(after, "umbrella_deliveries_total", outcome="rate_limited") == 0
    assert value(after, "umbrella_deliveries_total", outcome="ok") > value(
        before, "umbrella_deliveries_total", outcome="ok"
    )
