"""The lane a turn's Redis commands share (relay.cluster.lane), on a real redis-server: many commands in flight on
one connection each get their own answer, a broken connection fails what was in flight and the next command
connects again, a Redis that forgot its scripts gets them again, and the URL's password and database are used."""

from __future__ import annotations

import asyncio

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from relay.cluster.client import async_client, lane_of
from relay.cluster.lane import RedisLane

_ECHO = "return {KEYS[1], ARGV[1], #ARGV}"


async def test_many_commands_at_once_each_get_their_own_answer_on_one_connection(redis_server):
    client = async_client(redis_server.url)
    lane = lane_of(client)
    try:
        keys = [f"lane:{i}" for i in range(300)]
        await asyncio.gather(*(lane.execute("SET", key, f"value-{i}é") for i, key in enumerate(keys)))
        values = await asyncio.gather(*(lane.execute("GET", key) for key in keys))
        assert values == [f"value-{i}é" for i in range(300)]
        assert await lane.execute("GET", "lane:none") is None
        await lane.execute("HSET", "lane:hash", "a", "1", "b", "2")
        assert await lane.hgetall("lane:hash") == {"a": "1", "b": "2"}
        assert await lane.hgetall("lane:no-hash") == {}
        with redis_server.client() as raw:  # one connection carried them all (besides the test's own)
            lanes = [c for c in raw.client_list() if c["cmd"] not in ("client|list", "client")]
            assert len(lanes) == 1
    finally:
        await client.aclose()


async def test_errors_scripts_and_pipelines_answer_as_redis_py_does(redis_server):
    client = async_client(redis_server.url)
    lane = lane_of(client)
    try:
        script = client.register_script(_ECHO)
        assert await lane.evalsha(script, ["k"], ["v", 3]) == ["k", "v", 2]  # NOSCRIPT first: loaded, run again
        with redis_server.client() as raw:
            raw.script_flush()  # as after a Redis restart
        assert await lane.evalsha(script, ["k2"], ["w"]) == ["k2", "w", 1]
        await lane.execute("SET", "lane:text", "x")
        with pytest.raises(ResponseError):
            await lane.execute("INCR", "lane:text")
        # A pipeline: every command runs; the first error is raised once all answered.
        with pytest.raises(ResponseError):
            await lane.pipeline([("SET", "lane:p1", "1"), ("INCR", "lane:text"), ("SET", "lane:p2", "2")])
        assert await lane.pipeline([("GET", "lane:p1"), ("GET", "lane:p2")]) == ["1", "2"]
        assert await lane.execute("PING") == "PONG"  # the connection is still in step after the errors
    finally:
        await client.aclose()


async def test_a_caller_that_stops_waiting_leaves_the_others_answers_in_order(redis_server):
    client = async_client(redis_server.url)
    lane = lane_of(client)
    try:
        await lane.execute("SET", "lane:a", "a")
        slow = asyncio.ensure_future(lane.execute("BLPOP", "lane:empty-list", "0.3"))  # Redis answers after 0.3 s
        behind = asyncio.ensure_future(lane.execute("GET", "lane:a"))  # answered after it: one connection
        await asyncio.sleep(0.05)
        slow.cancel()
        assert await behind == "a"
        assert await lane.execute("GET", "lane:a") == "a"
    finally:
        await client.aclose()


async def test_redis_gone_fails_what_is_in_flight_and_the_next_command_connects_again(redis_server):
    client = async_client(redis_server.url)
    lane = lane_of(client)
    try:
        await lane.execute("SET", "lane:x", "1")
        in_flight = asyncio.ensure_future(lane.execute("BLPOP", "lane:empty-list", "5"))
        await asyncio.sleep(0.05)
        with redis_server.client() as raw:
            raw.client_kill_filter(_type="normal", skipme=True)  # the lane's connection dropped by Redis
        with pytest.raises(RedisConnectionError):
            await in_flight
        assert await lane.execute("GET", "lane:x") == "1"  # a new connection, made when needed

        await asyncio.to_thread(redis_server.stop)
        with pytest.raises(RedisConnectionError):
            await lane.execute("GET", "lane:x")
        await asyncio.to_thread(redis_server.start)
        assert await lane.execute("SET", "lane:y", "2") == "OK"
    finally:
        await client.aclose()


async def test_a_command_unanswered_within_the_timeout_breaks_the_lane(redis_server):
    client = async_client(redis_server.url)
    lane = RedisLane(client.connection_pool, timeout_s=0.2)
    try:
        with pytest.raises(RedisTimeoutError):
            await lane.execute("BLPOP", "lane:empty-list", "3")  # Redis holds the answer back for 3 s
        assert await lane.execute("PING") == "PONG"  # on a new connection
    finally:
        await lane.close()
        await client.aclose()


async def test_the_urls_password_and_database_are_used(redis_server):
    with redis_server.client() as raw:
        raw.config_set("requirepass", "s3cret-pass")
    client = async_client(f"redis://:s3cret-pass@127.0.0.1:{redis_server.port}/3")
    lane = lane_of(client)
    try:
        await lane.execute("SET", "lane:db", "three")
        assert await client.get("lane:db") == "three"  # the same database as redis-py's own commands
        refused = async_client(f"redis://:wrong@127.0.0.1:{redis_server.port}/3")
        with pytest.raises((RedisConnectionError, ResponseError)):
            await lane_of(refused).execute("GET", "lane:db")
        await refused.aclose()
    finally:
        await client.config_set("requirepass", "")
        await client.aclose()


async def test_a_unix_socket_url_works_too(tmp_path):
    import subprocess

    from redis_server import redis_server_binary

    folder = tmp_path / "unix-redis"
    folder.mkdir()
    socket_path = folder / "redis.sock"
    subprocess.run(
        [redis_server_binary(), "--port", "0", "--unixsocket", str(socket_path), "--unixsocketperm", "700",
         "--save", "", "--appendonly", "no", "--daemonize", "yes", "--dir", str(folder),
         "--pidfile", str(folder / "redis.pid"), "--logfile", str(folder / "redis.log")],
        check=True,
        timeout=30,
    )  # fmt: skip
    client = async_client(f"unix://{socket_path}?db=2")
    try:
        for _ in range(200):
            if socket_path.exists():
                break
            await asyncio.sleep(0.05)
        lane = lane_of(client)
        await asyncio.gather(*(lane.execute("SET", f"unix:{i}", str(i)) for i in range(50)))
        assert await lane.execute("GET", "unix:49") == "49"
        assert await client.get("unix:7") == "7"  # redis-py's own connection: the same database
    finally:
        await client.aclose()
        subprocess.run(["redis-cli", "-s", str(socket_path), "shutdown", "nosave"], capture_output=True, timeout=30)
