"""The sandbox's Twilio Messages API over real HTTP: success shape, validation, auth."""

from __future__ import annotations

import logging
import re
from email.utils import parsedate_to_datetime

import aiohttp
import pytest

from sms_sink.sandbox import SandboxServer
from sms_sink.sandbox.twilio_api import basic_auth_header

TO = "+15551234567"
FROM = "+15557654321"
SERVICE = "MG" + "a" * 32


@pytest.fixture
async def sb():
    async with SandboxServer(senders=[FROM, "ALERTS"]) as server:
        yield server


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as client:
        yield client


async def create(session, sb, form, *, headers=None):
    """POST a form to the Messages endpoint; returns (status, json, headers)."""
    async with session.post(sb.twilio_url(), data=form, headers=headers or sb.twilio_auth_headers()) as response:
        return response.status, await response.json(), response.headers


async def test_created_message_has_twilio_shape(sb, session):
    form = [("To", TO), ("From", FROM), ("Body", "Person at gate 3"), ("StatusCallback", "http://127.0.0.1:1/cb"),
            ("ValidityPeriod", "600")]
    status, body, _ = await create(session, sb, form)

    assert status == 201
    assert re.fullmatch(r"SM[0-9a-f]{32}", body["sid"])
    assert body["status"] == "queued"
    assert (body["num_segments"], body["num_media"]) == ("1", "0")  # strings, like Twilio
    assert body["account_sid"] == sb.account_sid
    assert (body["to"], body["from"], body["body"]) == (TO, FROM, "Person at gate 3")
    assert body["direction"] == "outbound-api" and body["api_version"] == "2010-04-01"
    assert body["date_sent"] is None and body["price"] is None and body["price_unit"] == "USD"
    assert body["error_code"] is None and body["error_message"] is None
    assert parsedate_to_datetime(body["date_created"]).tzinfo is not None
    assert body["uri"] == f"/2010-04-01/Accounts/{sb.account_sid}/Messages/{body['sid']}.json"
    assert body["subresource_uris"]["media"].endswith(f"/Messages/{body['sid']}/Media.json")

    [message] = await sb.async_wait_for_messages(1)
    assert (message.sid, message.api, message.to, message.from_) == (body["sid"], "twilio", TO, FROM)
    assert message.extra == {"StatusCallback": "http://127.0.0.1:1/cb", "ValidityPeriod": "600"}
    assert sb.requests == 1


@pytest.mark.parametrize(
    ("body", "segments"),
    [("a" * 160, "1"), ("a" * 161, "2"), ("€" * 80, "1"), ("€" * 81, "2"), ("ю" * 70, "1"), ("ю" * 71, "2")],
)
async def test_num_segments_follows_the_encoding(sb, session, body, segments):
    status, reply, _ = await create(session, sb, {"To": TO, "From": FROM, "Body": body})
    assert (status, reply["num_segments"]) == (201, segments)


async def test_messaging_service_instead_of_from(sb, session):
    status, body, _ = await create(session, sb, {"To": TO, "MessagingServiceSid": SERVICE, "Body": "x"})
    assert status == 201
    assert body["from"] is None and body["messaging_service_sid"] == SERVICE


@pytest.mark.parametrize(
    ("form", "code", "message_part"),
    [
        ({"From": FROM, "Body": "x"}, 21604, "'To' phone number is required"),
        ({"To": "5551234567", "From": FROM, "Body": "x"}, 21211, "'To' number 5551234567 is not a valid"),
        ({"To": "+1555", "From": FROM, "Body": "x"}, 21211, "not a valid phone number"),
        ({"To": "+1 555 123 4567", "From": FROM, "Body": "x"}, 21211, "not a valid phone number"),
        ({"To": TO, "Body": "x"}, 21603, "'From' phone number is required"),
        ({"To": TO, "From": "+12", "Body": "x"}, 21212, "'From' number +12 is not a valid"),
        ({"To": TO, "From": "+15550000000", "Body": "x"}, 21606, "not a valid message-capable"),
        ({"To": TO, "MessagingServiceSid": "MGnope", "Body": "x"}, 21701, "MGnope is invalid"),
        ({"To": TO, "From": FROM}, 21602, "Message body is required"),
        ({"To": TO, "From": FROM, "Body": "a" * 1601}, 21617, "1600 character limit"),
        ([("To", TO), ("From", FROM)] + [("MediaUrl", f"http://127.0.0.1:1/{i}.jpg") for i in range(11)],
         21623, "exceeds allowed limit"),
        ({"To": TO, "From": FROM, "MediaUrl": "ftp://example/x.jpg"}, 21620, "Invalid media URL"),
        ({"To": TO, "From": FROM, "Body": "x", "ValidityPeriod": "0"}, 21624, "validity period"),
        ({"To": TO, "From": FROM, "Body": "x", "ValidityPeriod": "36001"}, 21624, "validity period"),
        ({"To": TO, "From": FROM, "Body": "x", "ValidityPeriod": "soon"}, 21624, "validity period"),
        ({"To": TO, "From": FROM, "Body": "x", "StatusCallback": "not a url"}, 21609, "StatusCallback"),
    ],
)
async def test_validation_errors_are_twilio_shaped(sb, session, form, code, message_part):
    status, body, _ = await create(session, sb, form)

    assert status == 400
    assert body["code"] == code and body["status"] == 400
    assert message_part in body["message"]
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    assert sb.messages == [] and sb.requests == 1


@pytest.mark.parametrize(
    "form",
    [
        {"Body": "a" * 1600},
        {"Body": "x", "ValidityPeriod": "1"},
        {"Body": "x", "ValidityPeriod": "36000"},
        {"Body": "x", "From": "ALERTS"},  # alphanumeric sender ID from the allowed list
        {"Body": "x", "To": "+447700900123"},
    ],
)
async def test_boundary_values_are_accepted(sb, session, form):
    status, reply, _ = await create(session, sb, {"To": TO, "From": FROM, **form})
    assert status == 201, reply
    [message] = await sb.async_wait_for_messages(1)
    assert message.body == form["Body"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer abc"},
        {"Authorization": "Basic not-base64!"},
        "wrong-token",
        "other-account",
    ],
)
async def test_authentication_failure_is_20003(sb, session, headers, caplog):
    caplog.set_level(logging.DEBUG)
    if headers == "wrong-token":
        headers = {"Authorization": basic_auth_header(sb.account_sid, "wrong")}
    elif headers == "other-account":  # valid credentials of no account in the URL
        headers = {"Authorization": basic_auth_header("AC" + "1" * 32, sb.auth_token)}
    async with session.post(sb.twilio_url(), data={"To": TO, "From": FROM, "Body": "x"}, headers=headers) as response:
        body = await response.json()
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert body == {"code": 20003, "message": "Authenticate",
                    "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}
    assert sb.messages == []
    assert "authentication failed" in caplog.text  # logged, but never with the credentials
    assert "wrong" not in caplog.text and sb.auth_token not in caplog.text


async def test_url_account_must_match_credentials():
    accounts = {"AC" + "1" * 32: "token-one", "AC" + "2" * 32: "token-two"}
    async with SandboxServer(accounts=accounts) as sb, aiohttp.ClientSession() as session:
        other = "AC" + "2" * 32
        headers = {"Authorization": basic_auth_header("AC" + "1" * 32, "token-one")}
        async with session.post(sb.twilio_url(other), data={"To": TO, "From": FROM, "Body": "x"}, headers=headers) as r:
            assert r.status == 401
        async with session.post(sb.twilio_url(other), data={"To": TO, "From": FROM, "Body": "x"},
                                headers=sb.twilio_auth_headers(other)) as r:
            assert r.status == 201
            assert (await r.json())["account_sid"] == other


async def test_fetch_message_returns_the_stored_resource(sb, session):
    _, created, _ = await create(session, sb, {"To": TO, "From": FROM, "Body": "hello"})
    url = sb.make_url(f"/2010-04-01/Accounts/{sb.account_sid}/Messages/{created['sid']}.json")

    async with session.get(url, headers=sb.twilio_auth_headers()) as response:
        assert response.status == 200
        assert await response.json() == created
    async with session.get(url.replace(created["sid"], "SM" + "0" * 32), headers=sb.twilio_auth_headers()) as response:
        assert response.status == 404
        assert (await response.json())["code"] == 20404
    async with session.get(url) as response:
        assert response.status == 401
    assert sb.requests == 1  # fetching is not sending
