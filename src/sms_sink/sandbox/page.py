"""The outbox page: one self-contained HTML document, a card per message.

No scripts, no external assets (inline CSS only) and an empty data: favicon,
so the page opens from disk or from the live server without a single request
the browser could log as an error.
"""

from __future__ import annotations

from html import escape
from typing import Any, Mapping, Sequence

__all__ = ["render_index"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f3f4f6;color:#111827}
header.top{padding:16px 24px;background:#111827;color:#f9fafb}
header.top h1{margin:0;font-size:20px}
header.top p{margin:4px 0 0;font-size:13px;color:#d1d5db}
main{display:grid;gap:16px;padding:24px;grid-template-columns:repeat(auto-fill,minmax(320px,1fr))}
.card{background:#fff;border-radius:8px;padding:16px;box-shadow:0 1px 3px rgba(0,0,0,.15);border-top:4px solid #10b981}
.card.failed{border-top-color:#ef4444}
.meta{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;margin:8px 0;font-size:13px}
.meta dt{color:#6b7280}.meta dd{margin:0;font-family:ui-monospace,monospace;overflow-wrap:anywhere}
.body{white-space:pre-wrap;overflow-wrap:anywhere;background:#f9fafb;padding:8px;border-radius:4px;margin:8px 0}
.images{display:flex;flex-wrap:wrap;gap:8px}
.images img{max-width:100%;max-height:240px;border-radius:4px;border:1px solid #e5e7eb}
.badge{display:inline-block;font-size:12px;padding:1px 8px;border-radius:999px;background:#e5e7eb;margin-right:4px}
.failed .badge.status{background:#fee2e2;color:#991b1b}
.empty{padding:24px;color:#6b7280}
"""


def render_index(cards: Sequence[Mapping[str, Any]], *, image_prefix: str = "", title: str = "sms-sink sandbox outbox",
                 refresh_s: int | None = None) -> str:
    """Render message dicts (``message_to_json`` shape), newest first.

    ``image_prefix`` is put before each image ``url`` (``""`` beside the files,
    ``"/outbox/"`` on the live server). ``refresh_s`` makes the browser reload the page
    that often (the live server's page: new messages show up on their own).
    """
    refresh = f'<meta http-equiv="refresh" content="{int(refresh_s)}">\n' if refresh_s else ""
    articles = "\n".join(_card(card, image_prefix) for card in reversed(cards))
    content = articles or '<p class="empty">No messages yet.</p>'
    count = len(cards)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        f"{refresh}"
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f'<header class="top"><h1>{escape(title)}</h1>'
        f"<p>{count} message{'' if count == 1 else 's'}</p></header>\n"
        f"<main>\n{content}\n</main>\n</body>\n</html>\n"
    )


def _card(card: Mapping[str, Any], image_prefix: str) -> str:
    status = str(card.get("status", ""))
    rows = [
        ("Time", card.get("created_at")),
        ("To", card.get("to")),
        ("From", card.get("from") or "(default sender)"),
        ("Segments", card.get("num_segments")),
        ("Media", card.get("num_media")),
        ("SID", card.get("sid")),
    ]
    if card.get("error_code") is not None:
        rows.append(("Error", f"{card['error_code']}: {card.get('error_message') or ''}"))
    meta = "".join(f"<dt>{escape(label)}</dt><dd>{escape(str(value))}</dd>" for label, value in rows)
    images = "".join(
        f'<img src="{escape(image_prefix + str(image["url"]))}" '
        f'alt="image {i + 1} of {escape(str(card.get("sid")))}" decoding="async">'
        for i, image in enumerate(card.get("images") or ())
    )
    css_class = "card failed" if status == "failed" else "card"
    return (
        f'<article class="{css_class}" id="{escape(str(card.get("sid")))}">'
        f'<span class="badge">{escape(str(card.get("api")))}</span>'
        f'<span class="badge status">{escape(status)}</span>'
        f'<dl class="meta">{meta}</dl>'
        f'<p class="body">{escape(str(card.get("body") or ""))}</p>'
        + (f'<div class="images">{images}</div>' if images else "")
        + "</article>"
    )
