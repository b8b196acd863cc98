"""How many SMS segments a body costs, and in which encoding it travels.

Carriers bill per segment, so the sink reports the count with every message. A body
written only with the GSM 03.38 alphabet travels as GSM-7: 160 septets in one segment,
153 per part once concatenated (the user-data header takes the rest). Characters of the
GSM extension table (``^{}\\[~]|€`` and form feed) are sent as ESC + char and cost two
septets. Any other character switches the whole body to UCS-2: 70 UTF-16 code units in
one segment, 67 per part; characters outside the Basic Multilingual Plane (most emoji)
are surrogate pairs and cost two units.

An escape pair or a surrogate pair is never split between two parts, so a part can end
one unit short and the count can exceed the naive ``ceil(units / 153)``; this matches
Twilio's segment calculator. Twilio's optional "Smart Encoding" (which rewrites curly
quotes and the like into GSM-7) is not modelled: counts assume it is off.

The empty body counts as 0 segments (there is nothing to send as text; an MMS with only
media is billed by the provider as one message regardless).
"""

from __future__ import annotations

from typing import Literal

__all__ = ["GSM_BASIC", "GSM_EXTENSION", "Encoding", "count_segments", "encoding"]

Encoding = Literal["GSM-7", "UCS-2"]

#: GSM 03.38 default alphabet (0x1B, the escape code, is left out: it is not a character).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: GSM 03.38 extension table: each costs two septets (ESC + char).
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")
_GSM_ALL = GSM_BASIC | GSM_EXTENSION

_GSM_SINGLE, _GSM_PART = 160, 153
_UCS2_SINGLE, _UCS2_PART = 70, 67


def encoding(text: str) -> Encoding:
    """Return ``"GSM-7"`` when every character is in the GSM alphabet, else ``"UCS-2"``."""
    return "GSM-7" if _GSM_ALL.issuperset(text) else "UCS-2"


def count_segments(text: str) -> int:
    """Return the number of SMS segments ``text`` is split into (0 for ``""``)."""
    if not text:
        return 0
    if _GSM_ALL.issuperset(text):
        costs = [2 if char in GSM_EXTENSION else 1 for char in text]
        single, part = _GSM_SINGLE, _GSM_PART
    else:
        costs = [2 if ord(char) > 0xFFFF else 1 for char in text]
        single, part = _UCS2_SINGLE, _UCS2_PART
    if sum(costs) <= single:
        return 1
    return _pack(costs, part)


def _pack(costs: list[int], capacity: int) -> int:
    """Count parts when filling each up to ``capacity`` without splitting a character."""
    parts, used = 1, 0
    for cost in costs:
        if used + cost > capacity:
            parts += 1
            used = 0
        used += cost
    return parts
