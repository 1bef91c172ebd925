"""Exact money arithmetic: half-up rounding to the minor unit, ISO 4217 exponents, formatting."""

import random
from decimal import Decimal

import pytest

from workspace.core.errors import ValidationFailed
from workspace.core.money import (
    compute_totals,
    currency,
    format_money,
    line_total,
    major_to_minor,
    round_minor,
    tax_amount,
)


def test_half_up_rounding_to_the_minor_unit():
    assert round_minor(Decimal("2.5")) == 3
    assert round_minor(Decimal("3.5")) == 4  # not banker's rounding
    assert round_minor(Decimal("2.4999")) == 2
    assert line_total(Decimal("0.333"), 1000) == 333
    assert line_total(Decimal("1.5"), 333) == 500  # 499.5 rounds up
    assert tax_amount(5200000, Decimal("7.5")) == 390000
    assert tax_amount(1, Decimal("50")) == 1  # 0.5 rounds up


def test_seed_example_totals():
    totals = compute_totals([(Decimal(10), 500000), (Decimal(1), 200000)], Decimal("7.5"))
    assert totals.line_totals == (5000000, 200000)
    assert (totals.subtotal, totals.tax, totals.total) == (5200000, 390000, 5590000)


def test_currency_exponents_and_formatting():
    assert currency("ngn").exponent == 2
    assert currency("JPY").exponent == 0
    assert currency("KWD").exponent == 3
    assert format_money(559000000, "NGN") == "₦5,590,000.00"
    assert format_money(1234, "JPY") == "¥1,234"
    assert format_money(1234567, "KWD", symbol=False) == "KWD 1,234.567"
    assert format_money(-150, "USD") == "-$1.50"
    assert major_to_minor("1,234.56", "USD") == 123456
    assert major_to_minor(" 1234.5 ", "USD") == 123450
    assert major_to_minor("-3.75", "USD") == -375
    assert major_to_minor("1,234.567", "KWD") == 1234567
    assert major_to_minor("12.00", "JPY") == 12
    for typed, code, message in [
        ("1,234.565", "USD", "The amount can have at most 2 decimal places in USD."),
        ("12.5", "JPY", "The amount can have no decimal places in JPY."),
        ("1e2", "USD", "The amount must be a number, such as 1,250.00."),
        ("12,34", "USD", "The amount must be a number, such as 1,250.00."),
        ("", "USD", "The amount must be a number, such as 1,250.00."),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            major_to_minor(typed, code)
        assert refused.value.message == message
    with pytest.raises(ValidationFailed) as info:
        currency("XYZ")
    assert info.value.field == "currency"


def test_totals_always_equal_sum_of_rounded_lines_plus_tax():
    """Property: for random lines and rates, the invariants hold exactly."""
    rng = random.Random(20261123)
    for _ in range(2000):
        lines = [
            (
                Decimal(rng.randint(1, 10_000_000)).scaleb(-rng.randint(0, 6)),
                rng.randint(0, 10**9),
            )
            for _ in range(rng.randint(1, 12))
        ]
        rate = Decimal(rng.randint(0, 1_000_000)).scaleb(-4)
        totals = compute_totals(lines, rate)
        expected_lines = [
            int((q * p).quantize(Decimal(1), rounding="ROUND_HALF_UP")) for q, p in lines
        ]
        assert list(totals.line_totals) == expected_lines
        assert totals.subtotal == sum(expected_lines)
        exact_tax = Decimal(totals.subtotal) * rate / 100
        assert abs(Decimal(totals.tax) - exact_tax) <= Decimal("0.5")
        assert totals.total == totals.subtotal + totals.tax
