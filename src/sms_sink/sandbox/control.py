"""HTTP control for other processes: faults, recorded messages, and the outbox page.

- ``POST /_sandbox/faults``: ``{"kind": "rate_limit", "retry_after": 1, "times": 2, "api": "twilio"}``
  or ``{"schedule": [{"kind": "reset"}, null, ...], "api": null}``; ``DELETE`` clears.
- ``GET /_sandbox/messages``: recorded messages as JSON (images as size + URL);
  ``DELETE`` forgets them; ``GET /_sandbox/messages/{sid}/media/{index}`` gives image bytes.
- ``GET /``: the outbox page (from the outbox folder when there is one, else from
  memory); ``/outbox/...`` serves the folder's files.

None of these count as requests or take faults.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..errors import ConfigurationError
from .faults import fault_from_json
from .page import render_index
from .records import message_to_json
from .state import STATE, SandboxState

__all__ = ["add_routes"]


def add_routes(app: web.Application, state: SandboxState) -> None:
    """Register control routes (and the outbox folder, if any) on ``app``."""
    app.router.add_get("/", index_page)
    app.router.add_get("/_sandbox/messages", list_messages)
    app.router.add_delete("/_sandbox/messages", clear_messages)
    app.router.add_get("/_sandbox/messages/{sid}/media/{index:\\d+}", message_media)
    app.router.add_post("/_sandbox/faults", add_fault)
    app.router.add_delete("/_sandbox/faults", clear_faults)
    if state.outbox is not None:
        app.router.add_static("/outbox", state.outbox.directory)


def _media_path(sid: str, index: int) -> str:
    return f"/_sandbox/messages/{sid}/media/{index}"


def _messages_json(state: SandboxState) -> list[dict[str, Any]]:
    return [
        message_to_json(message, image_url=lambda i, sid=message.sid: _media_path(sid, i))
        for message in state.log.snapshot()
    ]


#: The live page reloads itself this often, so messages show up while a demo or test runs.
LIVE_REFRESH_S = 5


async def index_page(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if state.outbox is not None:
        page = state.outbox.render(image_prefix="/outbox/", refresh_s=LIVE_REFRESH_S)
    else:
        page = render_index(_messages_json(state), refresh_s=LIVE_REFRESH_S)
    return web.Response(text=page, content_type="text/html", headers={"Cache-Control": "no-store"})


async def list_messages(request: web.Request) -> web.Response:
    return web.json_response(_messages_json(request.app[STATE]))


async def clear_messages(request: web.Request) -> web.Response:
    request.app[STATE].log.clear()
    return web.Response(status=204)


async def message_media(request: web.Request) -> web.Response:
    message = request.app[STATE].log.find(request.match_info["sid"])
    index = int(request.match_info["index"])
    if message is None or index >= len(message.images):
        raise web.HTTPNotFound(text="no such message image")
    image = message.images[index]
    return web.Response(body=image.data, content_type=image.content_type)


async def add_fault(request: web.Request) -> web.Response:
    state = request.app[STATE]
    try:
        spec = await request.json()
        if not isinstance(spec, dict):
            raise ConfigurationError("body", "must be a JSON object")
        api = spec.get("api")
        if "schedule" in spec:
            items = spec["schedule"]
            if not isinstance(items, list):
                raise ConfigurationError("schedule", "must be a list of fault objects or nulls")
            state.faults.schedule([None if item is None else fault_from_json(item) for item in items], api=api)
        else:
            state.faults.inject(fault_from_json(spec), spec.get("times", 1), api=api)
    except ValueError as exc:  # ConfigurationError and JSON errors are both ValueErrors
        return web.json_response({"error": str(exc)}, status=400)
    return web.json_response({"pending": state.faults.pending()}, status=201)


async def clear_faults(request: web.Request) -> web.Response:
    request.app[STATE].faults.clear()
    return web.Response(status=204)
