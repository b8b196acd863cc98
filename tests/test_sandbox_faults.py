"""Fault injection, seen from a real client: status codes, headers, resets, hangs, ordering."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from sms_sink.errors import ConfigurationError
from sms_sink.sandbox import Hang, Latency, RateLimit, Reset, SandboxServer, ServerError, TwilioError

TO = "+15551234567"
FORM = {"To": TO, "From": "+15557654321", "Body": "alert"}
PAYLOAD = {"receiver_number": TO, "message": "alert"}


@pytest.fixture
async def sb():
    async with SandboxServer() as server:
        yield server


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as client:
        yield client


async def call(session, sb, api, *, timeout=5.0):
    """One send to ``api``; returns (status, json, headers)."""
    if api == "twilio":
        request = session.post(sb.twilio_url(), data=FORM, headers=sb.twilio_auth_headers(),
                               timeout=aiohttp.ClientTimeout(total=timeout))
    else:
        request = session.post(sb.roboflow_url(), json=PAYLOAD, timeout=aiohttp.ClientTimeout(total=timeout))
    async with request as response:
        return response.status, await response.json(), response.headers


@pytest.mark.parametrize(
    ("fault", "api", "status", "body", "retry_after"),
    [
        (RateLimit(), "twilio", 429, {"code": 20429, "message": "Too Many Requests"}, None),
        (RateLimit(retry_after=2), "twilio", 429, {"code": 20429}, "2"),
        (RateLimit(retry_after=0.5), "twilio", 429, {"code": 20429}, "0.5"),
        (RateLimit(), "roboflow", 429, {"error": "rate limit exceeded"}, None),
        (RateLimit(retry_after=3), "roboflow", 429, {"error": "rate limit exceeded"}, "3"),
        (ServerError(), "twilio", 500, {"code": 20500, "status": 500}, None),
        (ServerError(503), "twilio", 503, {"code": 20503, "status": 503}, None),
        (ServerError(), "roboflow", 500, {"error": "Internal server error"}, None),
        (ServerError(503), "roboflow", 503, {"error": "Service unavailable"}, None),
        (TwilioError(21610), "twilio", 400, {"code": 21610, "message": "Attempt to send to unsubscribed recipient"}, None),
        (TwilioError(21408), "twilio", 400, {"code": 21408, "message": "Permission to send an SMS has not been "
                                              "enabled for the region indicated by the 'To' number"}, None),
        (TwilioError(21211), "twilio", 400, {"message": "The 'To' number is not a valid phone number."}, None),
        (TwilioError(20003), "twilio", 401, {"code": 20003, "message": "Authenticate", "status": 401}, None),
        (TwilioError(20429), "twilio", 429, {"code": 20429, "status": 429}, None),
        (TwilioError(21611), "twilio", 400, {"code": 21611}, None),
        (TwilioError(30007, status=400, message="custom"), "twilio", 400, {"code": 30007, "message": "custom"}, None),
        (TwilioError(21610), "roboflow", 400, {"error": "Twilio error 21610: Attempt to send to unsubscribed recipient"},
         None),
    ],
)
async def test_error_faults_have_each_apis_shape(sb, session, fault, api, status, body, retry_after):
    sb.inject(fault)
    got_status, got_body, headers = await call(session, sb, api)

    assert got_status == status
    assert {key: got_body.get(key) for key in body} == body
    assert headers.get("Retry-After") == retry_after
    assert sb.messages == []
    assert (await call(session, sb, api))[0] in (200, 201)  # one request only


@pytest.mark.parametrize("api", ["twilio", "roboflow"])
async def test_reset_is_seen_as_a_disconnect(sb, session, api):
    sb.inject(Reset())
    with pytest.raises(aiohttp.ClientConnectionError):
        await call(session, sb, api)
    assert sb.messages == [] and sb.requests == 1
    assert (await call(session, sb, api))[0] in (200, 201)


async def test_hang_is_seen_as_a_client_timeout(sb, session):
    sb.inject(Hang())
    with pytest.raises(asyncio.TimeoutError):
        await call(session, sb, "twilio", timeout=0.3)
    assert sb.messages == []
    assert (await call(session, sb, "twilio"))[0] == 201


async def test_a_send_that_times_out_during_latency_is_still_recorded(sb, session):
    sb.inject(Latency(0.3))  # like Twilio: the client gave up, the message exists anyway
    with pytest.raises(asyncio.TimeoutError):
        await call(session, sb, "twilio", timeout=0.1)
    [message] = await sb.async_wait_for_messages(1, timeout=5)
    assert message.body == "alert"


async def test_hang_drops_the_connection_after_its_seconds(sb, session):
    sb.inject(Hang(seconds=0.2))
    with pytest.raises(aiohttp.ClientConnectionError):
        await call(session, sb, "roboflow", timeout=5.0)


async def test_hang_does_not_hold_up_shutdown(session):
    sb = await SandboxServer().start()
    sb.inject(Hang(seconds=60))
    pending = asyncio.ensure_future(call(session, sb, "twilio", timeout=30))
    await asyncio.sleep(0.2)

    started = time.monotonic()
    await sb.aclose()
    assert time.monotonic() - started < 5  # generous; without the fix it is 60 s
    with pytest.raises(aiohttp.ClientConnectionError):
        await pending


@pytest.mark.parametrize("api", ["twilio", "roboflow"])
async def test_latency_fault_delays_then_answers(sb, session, api):
    sb.inject(Latency(0.2))
    started = time.monotonic()
    status, _, _ = await call(session, sb, api)
    assert status in (200, 201)
    assert time.monotonic() - started >= 0.2
    assert len(sb.messages) == 1


async def test_global_latency_is_settable_at_run_time(sb, session):
    sb.latency = 0.15
    started = time.monotonic()
    await call(session, sb, "twilio")
    assert time.monotonic() - started >= 0.15
    with pytest.raises(ConfigurationError, match="latency"):
        sb.latency = -1


async def test_times_counts_matching_requests_only(sb, session):
    sb.inject(RateLimit(), times=2, api="twilio")
    statuses = [(await call(session, sb, api))[0] for api in ("roboflow", "twilio", "roboflow", "twilio", "twilio")]
    assert statuses == [200, 429, 200, 429, 201]
    assert sb.requests == 5 and len(sb.messages) == 3


async def test_schedule_is_consumed_in_order(sb, session):
    sb.schedule([RateLimit(retry_after=1), None, ServerError(503), TwilioError(21610), None])
    statuses = [(await call(session, sb, "twilio"))[0] for _ in range(6)]
    assert statuses == [429, 201, 503, 400, 201, 201]


async def test_injected_faults_win_and_do_not_advance_the_schedule(sb, session):
    sb.schedule([ServerError(503)])
    sb.inject(RateLimit())
    statuses = [(await call(session, sb, "roboflow"))[0] for _ in range(3)]
    assert statuses == [429, 503, 200]


async def test_schedule_filtered_by_api_and_clear_faults(sb, session):
    sb.schedule([ServerError(), ServerError()], api="roboflow")
    assert (await call(session, sb, "twilio"))[0] == 201
    assert (await call(session, sb, "roboflow"))[0] == 500
    sb.inject(RateLimit(), times=5)
    sb.clear_faults()
    assert (await call(session, sb, "roboflow"))[0] == 200


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: Latency(-1), "seconds"),
        (lambda: RateLimit(retry_after=-0.1), "retry_after"),
        (lambda: ServerError(404), "status"),
        (lambda: Hang(0), "seconds"),
        (lambda: TwilioError(0), "code"),
        (lambda: TwilioError(21610, status=200), "status"),
        (lambda: SandboxServer().inject(RateLimit(), times=0), "times"),
        (lambda: SandboxServer().inject(RateLimit(), api="sendgrid"), "api"),
        (lambda: SandboxServer().inject("rate_limit"), "fault"),
        (lambda: SandboxServer().schedule([RateLimit(), 429]), "fault"),
    ],
)
def test_bad_fault_arguments_name_the_field(make, field):
    with pytest.raises(ConfigurationError) as info:
        make()
    assert info.value.field == field


async def test_http_fault_control(sb, session):
    async with session.post(sb.make_url("/_sandbox/faults"),
                            json={"kind": "rate_limit", "retry_after": 1, "times": 2, "api": "twilio"}) as response:
        assert response.status == 201
        assert (await response.json())["pending"] == 2
    first, second, third = [await call(session, sb, "twilio") for _ in range(3)]
    assert (first[0], first[2]["Retry-After"], second[0], third[0]) == (429, "1", 429, 201)

    schedule = {"schedule": [{"kind": "server_error", "status": 503}, None, {"kind": "twilio_error", "code": 21610}]}
    async with session.post(sb.make_url("/_sandbox/faults"), json=schedule) as response:
        assert response.status == 201
    assert [(await call(session, sb, "roboflow"))[0] for _ in range(3)] == [503, 200, 400]

    async with session.post(sb.make_url("/_sandbox/faults"), json={"kind": "reset", "times": 3}) as response:
        assert response.status == 201
    async with session.delete(sb.make_url("/_sandbox/faults")) as response:
        assert response.status == 204
    assert (await call(session, sb, "twilio"))[0] == 201


@pytest.mark.parametrize(
    ("body", "error_part"),
    [
        ({"kind": "meteor"}, "kind"),
        ({"kind": "rate_limit", "times": 0}, "times"),
        ({"kind": "server_error", "status": 200}, "status"),
        ({"kind": "hang", "minutes": 1}, "unexpected"),
        ({"schedule": "reset"}, "schedule"),
        ([1], "JSON object"),
    ],
)
async def test_http_fault_control_rejects_bad_specs(sb, session, body, error_part):
    async with session.post(sb.make_url("/_sandbox/faults"), json=body) as response:
        assert response.status == 400
        assert error_part in (await response.json())["error"]
    assert (await call(session, sb, "twilio"))[0] == 201
