"""Segment counting and encoding detection at the GSM-7 / UCS-2 boundaries."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sms_sink.segments import GSM_BASIC, GSM_EXTENSION, count_segments, encoding

EMOJI = "\U0001f600"  # outside the BMP: a surrogate pair in UTF-16
HAN = "\u6211"  # inside the BMP, not GSM


@pytest.mark.parametrize(
    ("text", "expected_encoding", "expected_segments"),
    [
        ("", "GSM-7", 0),
        ("a", "GSM-7", 1),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("é£$¥Δ_ΦΩ§¿ÄÖÑÜäöñüà@\n\r", "GSM-7", 1),
        ("€" * 80, "GSM-7", 1),  # 160 septets
        ("€" * 81, "GSM-7", 2),  # 162 septets
        ("a" * 158 + "^", "GSM-7", 1),  # 160 septets
        ("a" * 159 + "^", "GSM-7", 2),  # 161 septets
        ("\f{}\\[~]|", "GSM-7", 1),
        # An escape pair is never split: 306 septets, but the first part holds only 152.
        ("a" * 152 + "€" + "a" * 152, "GSM-7", 3),
        ("`", "UCS-2", 1),  # backtick is not in the GSM alphabet
        ("\x1b", "UCS-2", 1),  # the escape code itself is not a character
        ("ê", "UCS-2", 1),
        (HAN * 70, "UCS-2", 1),
        (HAN * 71, "UCS-2", 2),
        (HAN * 134, "UCS-2", 2),
        (HAN * 135, "UCS-2", 3),
        ("€" * 69 + "ê", "UCS-2", 1),  # in UCS-2, € is one unit
        ("a" * 160 + "ê", "UCS-2", 3),  # one non-GSM char turns 161 chars into UCS-2
        (EMOJI * 35, "UCS-2", 1),  # 70 units
        (EMOJI * 36, "UCS-2", 2),  # 72 units: 33 emoji per part
        (EMOJI * 67, "UCS-2", 3),  # 134 units, but a part holds 66 of them
        # A surrogate pair is never split: 134 units, but the first part holds only 66.
        (HAN * 66 + EMOJI + HAN * 66, "UCS-2", 3),
    ],
)
def test_encoding_and_segments(text: str, expected_encoding: str, expected_segments: int) -> None:
    assert encoding(text) == expected_encoding
    assert count_segments(text) == expected_segments


def test_alphabets_have_the_gsm_sizes() -> None:
    assert len(GSM_BASIC) == 127  # 128 code points minus the escape code
    assert len(GSM_EXTENSION) == 10
    assert not GSM_BASIC & GSM_EXTENSION


@settings(deadline=None)  # shared 2-core machine: no per-example timing
@given(st.text(max_size=800))
def test_segments_cover_the_text(text: str) -> None:
    segments = count_segments(text)
    if encoding(text) == "GSM-7":
        units = sum(2 if char in GSM_EXTENSION else 1 for char in text)
        single, part = 160, 153
    else:
        units = sum(2 if ord(char) > 0xFFFF else 1 for char in text)
        single, part = 70, 67
    assert (segments == 0) == (text == "")
    if units > single:
        # Never fewer parts than the naive count, at most one lost unit per boundary.
        assert math.ceil(units / part) <= segments <= math.ceil(units / (part - 1))
    else:
        assert segments == (1 if text else 0)
