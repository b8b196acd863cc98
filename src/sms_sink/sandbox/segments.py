"""SMS segment counting the way carriers (and Twilio's ``num_segments``) do it.

A body that fits the GSM 03.38 alphabet is sent as GSM-7: 160 septets in one
segment, 153 per segment once concatenated (the user-data header eats 7).
Characters from the extension table (``^{}\\[~]|€`` and form feed) cost two
septets, and an escape pair never straddles two segments. Anything else forces
UCS-2: 70 UTF-16 code units in one segment, 67 when concatenated, and a
surrogate pair is never split.
"""

from __future__ import annotations

__all__ = ["count_segments", "is_gsm7"]

_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

_GSM7_SINGLE, _GSM7_MULTI = 160, 153
_UCS2_SINGLE, _UCS2_MULTI = 70, 67


def is_gsm7(text: str) -> bool:
    """True when every character of ``text`` has a GSM-7 encoding."""
    return all(ch in _GSM7_BASIC or ch in _GSM7_EXTENSION for ch in text)


def count_segments(text: str) -> int:
    """Number of SMS segments ``text`` is billed as; an empty body is one segment."""
    if is_gsm7(text):
        units = [2 if ch in _GSM7_EXTENSION else 1 for ch in text]
        single, multi = _GSM7_SINGLE, _GSM7_MULTI
    else:
        units = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
        single, multi = _UCS2_SINGLE, _UCS2_MULTI
    if sum(units) <= single:
        return 1
    return _pack(units, multi)


def _pack(units: list[int], capacity: int) -> int:
    """Greedily fill segments of ``capacity`` without splitting a multi-unit character."""
    segments, used = 1, 0
    for size in units:
        if used + size > capacity:
            segments += 1
            used = 0
        used += size
    return segments
