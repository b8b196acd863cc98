import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sms_sink.errors import ConfigurationError
from sms_sink.phone import normalize_e164

E164 = re.compile(r"^\+[1-9]\d{1,14}$")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+15551234567", "+15551234567"),
        (" +1 (555) 123-4567 ", "+15551234567"),
        ("+447911123456", "+447911123456"),
        ("+4930123456", "+4930123456"),
    ],
)
def test_accepted_and_normalised(raw: str, expected: str) -> None:
    assert normalize_e164(raw, "receiver_number") == expected


@pytest.mark.parametrize("raw", ["15551234567", "+1555", "+999123456789", "", None, 15551234567, "+1 555 CALL NOW"])
def test_rejected_naming_the_field(raw: object) -> None:
    with pytest.raises(ConfigurationError) as info:
        normalize_e164(raw, "sender_number")
    assert info.value.field == "sender_number" and str(info.value).startswith("sender_number:")


@given(st.text(alphabet="+0123456789 ()-", max_size=20))
def test_any_input_is_normalised_or_rejected_clearly(raw: str) -> None:
    try:
        number = normalize_e164(raw, "receiver_number")
    except ConfigurationError as exc:
        assert exc.field == "receiver_number"
    else:
        assert E164.match(number) and normalize_e164(number, "receiver_number") == number
