"""An amount of money from a person, read one way (services/amounts.py): every accepted and
refused form, each refusal with the one code and its message, and fen → text → fen round trips
for any amount (hypothesis: once derandomised, once with a fresh seed on every run, whose failure
prints the example that broke it)."""

import math
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from linli.billing.services import amounts
from linli.billing.services.amounts import (
    EMPTY,
    FRACTION_OF_FEN,
    MAX_FEN,
    NEGATIVE,
    NOT_FEN,
    NOT_YUAN,
    TOO_LARGE,
    ZERO,
    fen,
    fen_from_yuan,
)
from linli.core.errors import ServiceError
from linli.core.shell.formatting import yuan, yuan_to_type

FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def refusal(parse, value, **options) -> tuple[str, str, dict]:
    with pytest.raises(ServiceError) as refused:
        parse(value, **options)
    error = refused.value
    return error.code, str(error.message), {k: str(v) for k, v in error.fields.items()}


# --- fen from an API client -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1),
        (22375, 22375),
        (MAX_FEN, MAX_FEN),
        ("22375", 22375),
        ("0000000001", 1),  # ten characters: what the API's type publishes at most
        (12.0, 12),  # JSON 12.0 is the integer 12
        (Decimal("5000.0000"), 5000),  # a one-off charge's standard price, 4 places
    ],
)
def test_fen_accepts_whole_fen(value, expected):
    assert fen(value) == expected


@pytest.mark.parametrize("value", [0, "0", 0.0, Decimal("0.0000")])
def test_fen_accepts_zero_only_where_it_is_allowed(value):
    assert fen(value, allow_zero=True) == 0
    assert refusal(fen, value) == ("invalid_amount", str(ZERO), {"amount_fen": str(ZERO)})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, EMPTY),
        ("", EMPTY),
        (True, NOT_FEN),
        (False, NOT_FEN),
        (12.5, NOT_FEN),
        (0.1 + 0.2, NOT_FEN),
        (Decimal("12.5"), NOT_FEN),
        (math.nan, NOT_FEN),
        (math.inf, NOT_FEN),
        (Decimal("NaN"), NOT_FEN),
        ("12.5", NOT_FEN),
        ("-12", NOT_FEN),
        (" 12", NOT_FEN),
        ("１２", NOT_FEN),  # full-width digits are for people typing 元, not for clients
        ("٣", NOT_FEN),  # a digit of another script, which int() would read
        ("1e3", NOT_FEN),
        ("abc", NOT_FEN),
        ([12], NOT_FEN),
        ({"fen": 12}, NOT_FEN),
        (-1, NEGATIVE),
        (-1.5, NEGATIVE),
        (-math.inf, NOT_FEN),
        (MAX_FEN + 1, TOO_LARGE),
        (10**30, TOO_LARGE),
        (1e300, TOO_LARGE),
        ("1000000001", TOO_LARGE),
        ("9" * 5000, TOO_LARGE),  # refused before int(), which would give up past 4300 digits
    ],
)
def test_fen_refuses_with_one_code_and_says_what_is_wrong(value, message):
    assert refusal(fen, value, field="refund_fen") == (
        "invalid_amount",
        str(message),
        {"refund_fen": str(message)},
    )


# --- 元 typed into a form ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 1200),
        ("12.3", 1230),
        ("12.30", 1230),
        ("0.01", 1),
        ("0.5", 50),
        ("１２.３０", 1230),  # full-width digits
        ("１２．３０", 1230),  # and a full-width point
        ("¥12.30", 1230),
        ("￥12.30", 1230),  # the full-width yen sign of a Chinese keyboard
        ("¥ 12.30", 1230),
        ("  12.30  ", 1230),
        ("\u300012.30\u3000", 1230),  # ideographic spaces
        ("12.30元", 1230),
        ("12.30 元", 1230),
        ("1,234.50", 123450),
        ("¥1,234.50", 123450),
        ("１，２３４.５０", 123450),
        ("10,000,000.00", MAX_FEN),
        ("007", 700),
    ],
)
def test_yuan_accepts_what_people_type(text, expected):
    assert fen_from_yuan(text) == expected


@pytest.mark.parametrize("text", ["0", "0.00", "¥0", "-0"])
def test_yuan_accepts_zero_only_where_it_is_allowed(text):
    assert fen_from_yuan(text, allow_zero=True) == 0
    assert refusal(fen_from_yuan, text)[1] == str(ZERO)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, EMPTY),
        ("", EMPTY),
        ("   ", EMPTY),
        ("12.345", FRACTION_OF_FEN),
        ("12.300", FRACTION_OF_FEN),
        ("0.005", FRACTION_OF_FEN),
        ("-12", NEGATIVE),
        ("-¥12.30", NEGATIVE),
        ("¥-12.30", NEGATIVE),
        ("－12", NEGATIVE),  # a full-width minus
        ("-¥-12", NOT_YUAN),
        ("abc", NOT_YUAN),
        ("12a", NOT_YUAN),
        ("十二元", NOT_YUAN),
        ("12 30", NOT_YUAN),
        ("12.", NOT_YUAN),
        (".5", NOT_YUAN),
        ("1,23", NOT_YUAN),
        ("1,2345.00", NOT_YUAN),
        ("1e3", NOT_YUAN),
        ("NaN", NOT_YUAN),
        ("Infinity", NOT_YUAN),
        ("¥¥12", NOT_YUAN),
        ("12元元", NOT_YUAN),
        ("٣", NOT_YUAN),
        ("12\u0000", NOT_YUAN),
        (12, NOT_YUAN),  # a form gives text; a number here is a caller's mistake
        ("10000000.01", TOO_LARGE),
        ("9" * 5000, TOO_LARGE),
    ],
)
def test_yuan_refuses_with_one_code_and_says_what_is_wrong(text, message):
    assert refusal(fen_from_yuan, text) == ("invalid_amount", str(message), {"amount": str(message)})


def test_both_ways_in_share_the_limit_and_the_messages():
    assert fen(MAX_FEN) == fen_from_yuan(yuan(MAX_FEN))
    assert refusal(fen, MAX_FEN + 1)[1] == refusal(fen_from_yuan, yuan(MAX_FEN + 1))[1] == str(TOO_LARGE)
    assert refusal(fen, -5)[1] == refusal(fen_from_yuan, "-0.05")[1] == str(NEGATIVE)
    assert refusal(fen, 0)[1] == refusal(fen_from_yuan, "0.00")[1] == str(ZERO)


# --- round trips ------------------------------------------------------------------------------------

amounts_in_range = st.integers(min_value=1, max_value=MAX_FEN)


def _round_trips(amount: int) -> None:
    for text in (yuan(amount), yuan_to_type(amount), yuan_to_type(amount).translate(FULL_WIDTH)):
        assert fen_from_yuan(text) == amount, text
    assert fen(amount) == fen(str(amount)) == fen(float(amount)) == amount


@given(amounts_in_range)
@hypothesis_settings(derandomize=True, max_examples=300)
def test_fen_to_text_to_fen(amount):
    _round_trips(amount)


@given(amounts_in_range)
@hypothesis_settings(max_examples=300)
def test_fen_to_text_to_fen_with_a_random_seed(amount):
    _round_trips(amount)


typed = st.one_of(
    st.text(max_size=30), st.text(alphabet="0123456789.,-¥￥元 ０１２３４５６７８９．，", max_size=16)
)


@given(typed)
@hypothesis_settings(max_examples=500)
def test_any_text_is_whole_fen_in_range_or_invalid_amount(text):
    try:
        amount = fen_from_yuan(text)
    except ServiceError as error:
        assert error.code == amounts.CODE
        return
    # Accepted: exactly the number written, once the sign, unit, grouping and spaces are gone.
    bare = "".join(c for c in unicodedata.normalize("NFKC", text) if c not in "¥元," and not c.isspace())
    assert 1 <= amount <= MAX_FEN and Decimal(amount) == Decimal(bare) * 100
