"""The shared frontier's parts, one at a time, against a real redis-server: what crosses Redis (JSON, never
pickle), the per-host limit every worker obeys, robots.txt shared, `status --redis`, and the one-line errors of
a Redis that cannot be reached or a URL that is not one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner
from scrapy.http import Request

from crosswire.cli import main
from crosswire.core import exitcodes
from crosswire.crawlers import frontier
from crosswire.crawlers.frontier import QUEUE, RESULTS, TAKEN, WORKERS, Result
from crosswire.crawlers.politeness import ACQUIRE, RELEASE, RENEW, host_keys, politeness_for, publish_politeness
from redisserver import RedisServer
from testweb.server import closed_port


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> RedisServer:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def client(redis_server: RedisServer) -> redis.Redis:
    client = redis_server.client()
    client.flushdb()
    return client


def test_requests_cross_as_json_with_bytes_tagged() -> None:
    request = Request("http://levant-ledger.test/world/1", headers={"If-None-Match": '"abc"'}, body=b"\x00\xff",
                      priority=-3, dont_filter=True, meta={"crosswire": {"rid": "t:1", "kind": "article",
                                                                          "visited": ("a", "b")}})
    as_dict = request.to_dict()
    encoded = frontier.dumps(as_dict)
    assert b"pickle" not in encoded and encoded.startswith(b"{")
    decoded = frontier.loads(encoded)
    assert {**as_dict, "meta": {"crosswire": {"rid": "t:1", "kind": "article", "visited": ["a", "b"]}}} == decoded
    assert (b"\x00\xff", [b'"abc"']) == (decoded["body"], decoded["headers"][b"If-None-Match"])


def test_a_result_keeps_everything_and_deflates_its_body() -> None:
    body = b"<rss>" + b"<item>same</item>" * 500 + b"</rss>"
    result = Result(rid="t:7", url="http://gulf-wire.test/feed.json", status=200,
                    headers={"Content-Type": ["application/feed+json"]}, body=body,
                    redirect_urls=["http://gulf-wire.test/old"], topics=["syria"], worker="w1")
    data = result.encode()
    assert len(data) < len(body) / 5
    assert result == Result.decode(data)


def test_the_host_limit_spaces_requests_and_caps_them_across_clients(client: redis.Redis) -> None:
    acquire = client.register_script(ACQUIRE)
    keys = host_keys("levant-ledger.test")
    # A 10 s delay: the first lease is granted, the next must wait most of those 10 s, whoever asks.
    assert 0 == acquire(keys=keys, args=["a", 10_000, 2, 60_000])
    waits = [acquire(keys=keys, args=[token, 10_000, 2, 60_000]) for token in ("b", "c")]
    assert [True, True] == [9_000 < wait <= 10_000 for wait in waits]
    # No delay, concurrency 2: two leases, then "at capacity" (-1) until one is given back.
    other = host_keys("gulf-wire.test")
    assert [0, 0, -1] == [acquire(keys=other, args=[token, 0, 2, 60_000]) for token in ("a", "b", "c")]
    client.zrem(other[0], "a")
    assert 0 == acquire(keys=other, args=["c", 0, 2, 60_000])


def test_one_at_a_time_the_delay_counts_from_the_answer(client: redis.Redis) -> None:
    acquire, release = client.register_script(ACQUIRE), client.register_script(RELEASE)
    keys = host_keys("northern-dispatch.test")
    assert 0 == acquire(keys=keys, args=["a", 0, 1, 60_000])
    assert -1 == acquire(keys=keys, args=["b", 0, 1, 60_000])          # one at a time: busy until answered
    release(keys=keys, args=["a", 10_000])                             # answered: the next 10 s from now
    assert 9_000 < acquire(keys=keys, args=["b", 0, 1, 60_000]) <= 10_000


def test_a_live_worker_renews_its_leases(client: redis.Redis) -> None:
    acquire, renew = client.register_script(ACQUIRE), client.register_script(RENEW)
    keys = host_keys("vestnik-frontira.test")
    assert 0 == acquire(keys=keys, args=["held", 0, 1, 1_000])
    renew(keys=[keys[0]], args=[600_000, "held"])
    assert 590_000 < client.pttl(keys[0]) <= 600_000
    assert -1 == acquire(keys=keys, args=["other", 0, 1, 1_000])


def test_a_dead_workers_lease_expires(client: redis.Redis) -> None:
    acquire = client.register_script(ACQUIRE)
    keys = host_keys("al-mirsad.test")
    assert 0 == acquire(keys=keys, args=["dead", 0, 1, 1])       # a 1 ms lease, never given back
    while client.zcard(keys[0]) and client.pttl(keys[0]) > 0:
        pass    # poll until Redis expires it
    assert 0 == acquire(keys=keys, args=["alive", 0, 1, 60_000])


def test_the_coordinator_publishes_each_hosts_politeness(client: redis.Redis) -> None:
    publish_politeness(client, {"delay": 1.0, "concurrency": 2},
                       {"levant-ledger.test": {"delay": 3.0, "concurrency": 1}, "gulf-wire.test": {"delay": 0.5}})
    table = {k.decode(): json.loads(v) for k, v in client.hgetall(frontier.POLITE).items()}
    assert [(3.0, 1), (0.5, 2), (1.0, 2)] == [politeness_for(table, host) for host in
                                              ("levant-ledger.test", "gulf-wire.test", "other.test")]


def test_status_shows_the_queue_the_workers_and_the_results(client: redis.Redis, redis_server: RedisServer) -> None:
    client.zadd(QUEUE, {b"r1": 0, b"r2": 1, b"r3": 2})
    client.hset(TAKEN, mapping={"t:4": "rack-a", "t:5": "rack-a", "t:6": "rack-b"})
    client.rpush(RESULTS, b"x", b"y")
    now = frontier.server_time(client)
    # Seen 5 s, 12 s and an hour ago (the last no longer counts).
    client.zadd(WORKERS, {"rack-a": now - 5, "rack-b": now - 12, "gone": now - 3600})
    client.set(frontier.COORDINATOR, "cw1:4242 run abc")
    result = CliRunner().invoke(main, ["status", "--redis", redis_server.url])
    assert (0, "frontier: 3 requests waiting, 3 taken by workers, 2 results waiting to be written\n"
               "coordinator: cw1:4242 run abc\n"
               "workers seen in the last 60 s: 2\n"
               "  rack-a  seen 5 s ago, holding 2\n"
               "  rack-b  seen 12 s ago, holding 1\n") == (result.exit_code, result.output)
    as_json = json.loads(CliRunner().invoke(main, ["status", "--redis", redis_server.url, "--json"]).output)
    assert {"waiting": 3, "taken": 3, "results": 2, "coordinator": "cw1:4242 run abc"} == {
        k: v for k, v in as_json.items() if k != "workers"}
    assert [("rack-a", 2), ("rack-b", 1)] == [(w["name"], w["holding"]) for w in as_json["workers"]]


def test_a_redis_that_cannot_be_reached_is_one_line_and_exit_69(tmp_path: Path) -> None:
    port = closed_port()
    url = f"redis://127.0.0.1:{port}/0"
    status = CliRunner().invoke(main, ["status", "--redis", url])
    line = f"Error: cannot reach Redis at {url}: Error 111 connecting to 127.0.0.1:{port}. Connection refused.\n"
    assert (exitcodes.UNAVAILABLE, line) == (status.exit_code, status.output)
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "levant-ledger"\nhomepage = "http://127.0.0.1:9/"\n'
                       'feeds = ["http://127.0.0.1:9/feed.xml"]\n')
    crawl = CliRunner().invoke(main, ["crawl", "--db", str(tmp_path / "cw.db"), "--sources", str(sources),
                                      "--redis", url])
    assert (exitcodes.UNAVAILABLE, line) == (crawl.exit_code, crawl.output)


@pytest.mark.parametrize("command", [["status"], ["worker"], ["crawl"]])
def test_a_url_that_is_not_redis_is_a_usage_error(command: list[str], tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [*command, "--redis", "http://127.0.0.1:6379/0"])
    assert exitcodes.USAGE == result.exit_code
    assert ("Error: Invalid value for '--redis': http://127.0.0.1:6379/0: expected a Redis URL such as "
            "redis://127.0.0.1:6379/0") == result.output.splitlines()[0].split(" (see")[0]


def test_a_second_coordinator_is_refused_with_exit_75(client: redis.Redis, redis_server: RedisServer,
                                                      tmp_path: Path) -> None:
    client.set(frontier.COORDINATOR, "cw1:4242 run abc", ex=60)
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "levant-ledger"\nhomepage = "http://127.0.0.1:9/"\n'
                       'feeds = ["http://127.0.0.1:9/feed.xml"]\n')
    crawl = CliRunner().invoke(main, ["crawl", "--db", str(tmp_path / "cw.db"), "--sources", str(sources),
                                      "--redis", redis_server.url])
    assert (exitcodes.LOCKED, f"crosswire: another coordinator is using the frontier at {redis_server.url} "
                              f"(cw1:4242 run abc)\n") == (crawl.exit_code, crawl.output)
