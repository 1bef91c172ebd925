"""Money in integer minor units with exact decimal arithmetic.

Amounts are stored and sent as whole minor units (kobo, cents, fils…) of an ISO 4217
currency. Every computation goes through `Decimal` and rounds half-up to the minor
unit, so the same inputs always give the same totals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from workspace.core.errors import ValidationFailed


@dataclass(frozen=True)
class Currency:
    code: str
    exponent: int  # digits after the decimal point (ISO 4217 minor unit)
    symbol: str
    name: str


def _c(code: str, exponent: int, symbol: str, name: str) -> tuple[str, Currency]:
    return code, Currency(code, exponent, symbol, name)


CURRENCIES: dict[str, Currency] = dict(
    [
        _c("AED", 2, "AED", "UAE dirham"),
        _c("ARS", 2, "ARS", "Argentine peso"),
        _c("AUD", 2, "A$", "Australian dollar"),
        _c("BDT", 2, "৳", "Bangladeshi taka"),
        _c("BHD", 3, "BHD", "Bahraini dinar"),
        _c("BRL", 2, "R$", "Brazilian real"),
        _c("BWP", 2, "P", "Botswana pula"),
        _c("CAD", 2, "CA$", "Canadian dollar"),
        _c("CHF", 2, "CHF", "Swiss franc"),
        _c("CLP", 0, "CLP", "Chilean peso"),
        _c("CNY", 2, "CN¥", "Chinese yuan"),
        _c("COP", 2, "COP", "Colombian peso"),
        _c("CZK", 2, "Kč", "Czech koruna"),
        _c("DKK", 2, "kr", "Danish krone"),
        _c("EGP", 2, "E£", "Egyptian pound"),
        _c("ETB", 2, "Br", "Ethiopian birr"),
        _c("EUR", 2, "€", "Euro"),
        _c("GBP", 2, "£", "Pound sterling"),
        _c("GHS", 2, "GH₵", "Ghanaian cedi"),
        _c("HKD", 2, "HK$", "Hong Kong dollar"),
        _c("HUF", 2, "Ft", "Hungarian forint"),
        _c("IDR", 2, "Rp", "Indonesian rupiah"),
        _c("ILS", 2, "₪", "Israeli new shekel"),
        _c("INR", 2, "₹", "Indian rupee"),
        _c("IQD", 3, "IQD", "Iraqi dinar"),
        _c("ISK", 0, "kr", "Icelandic króna"),
        _c("JOD", 3, "JOD", "Jordanian dinar"),
        _c("JPY", 0, "¥", "Japanese yen"),
        _c("KES", 2, "KSh", "Kenyan shilling"),
        _c("KRW", 0, "₩", "South Korean won"),
        _c("KWD", 3, "KWD", "Kuwaiti dinar"),
        _c("LYD", 3, "LYD", "Libyan dinar"),
        _c("MAD", 2, "MAD", "Moroccan dirham"),
        _c("MXN", 2, "MX$", "Mexican peso"),
        _c("MYR", 2, "RM", "Malaysian ringgit"),
        _c("NGN", 2, "₦", "Nigerian naira"),
        _c("NOK", 2, "kr", "Norwegian krone"),
        _c("NZD", 2, "NZ$", "New Zealand dollar"),
        _c("OMR", 3, "OMR", "Omani rial"),
        _c("PHP", 2, "₱", "Philippine peso"),
        _c("PKR", 2, "Rs", "Pakistani rupee"),
        _c("PLN", 2, "zł", "Polish złoty"),
        _c("QAR", 2, "QAR", "Qatari riyal"),
        _c("RWF", 0, "RF", "Rwandan franc"),
        _c("SAR", 2, "SAR", "Saudi riyal"),
        _c("SEK", 2, "kr", "Swedish krona"),
        _c("SGD", 2, "S$", "Singapore dollar"),
        _c("THB", 2, "฿", "Thai baht"),
        _c("TND", 3, "TND", "Tunisian dinar"),
        _c("TRY", 2, "₺", "Turkish lira"),
        _c("TZS", 2, "TSh", "Tanzanian shilling"),
        _c("UGX", 0, "USh", "Ugandan shilling"),
        _c("USD", 2, "$", "US dollar"),
        _c("VND", 0, "₫", "Vietnamese đồng"),
        _c("XAF", 0, "FCFA", "Central African CFA franc"),
        _c("XOF", 0, "CFA", "West African CFA franc"),
        _c("ZAR", 2, "R", "South African rand"),
        _c("ZMW", 2, "ZK", "Zambian kwacha"),
    ]
)

ONE = Decimal(1)
HUNDRED = Decimal(100)
MAX_MINOR = 10**15  # keeps every amount far inside a signed 64-bit column


def currency(code: str | None, *, field: str = "currency") -> Currency:
    """The currency for an ISO 4217 code (case-insensitive), or a 400."""
    found = CURRENCIES.get((code or "").strip().upper())
    if found is None:
        raise ValidationFailed(
            f"Unsupported currency {code!r}. Use an ISO 4217 code such as NGN, USD or EUR.",
            field=field,
            value=code,
        )
    return found


def round_minor(value: Decimal) -> int:
    """Round half-up to a whole minor unit."""
    return int(value.quantize(ONE, rounding=ROUND_HALF_UP))


def to_decimal(value: object, *, field: str, label: str | None = None) -> Decimal:
    """Parse a JSON number or numeric string exactly (floats go through their shortest repr).
    Errors name the value as `label`, else by its field."""
    name = label or field
    if isinstance(value, bool) or value is None:
        raise ValidationFailed(f"{name} must be a number.", field=field, value=value)
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValidationFailed(f"{name} must be a number.", field=field, value=value) from None
    if not number.is_finite():
        raise ValidationFailed(f"{name} must be a finite number.", field=field, value=str(value))
    return number


def line_total(quantity: Decimal, unit_price_minor: int) -> int:
    return round_minor(quantity * unit_price_minor)


def tax_amount(subtotal_minor: int, rate_percent: Decimal) -> int:
    return round_minor(Decimal(subtotal_minor) * rate_percent / HUNDRED)


@dataclass(frozen=True)
class Totals:
    line_totals: tuple[int, ...]
    subtotal: int
    tax: int
    total: int


def compute_totals(lines: list[tuple[Decimal, int]], tax_rate_percent: Decimal) -> Totals:
    """Each line rounded to the minor unit, summed; tax rounded once on the subtotal."""
    line_totals = tuple(line_total(quantity, price) for quantity, price in lines)
    subtotal = sum(line_totals)
    tax = tax_amount(subtotal, tax_rate_percent)
    return Totals(line_totals, subtotal, tax, subtotal + tax)


# How people write an amount: 1250, 1,250.5, -3.75 (no exponents, spaces or other separators).
TYPED_AMOUNT = re.compile(r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?|-?\.\d+")


def major_to_minor(
    value: object, code: str, *, field: str = "amount", label: str = "The amount"
) -> int:
    """An amount typed in major units, '1,234.5' -> 123450 minor units. Refuses other notations
    (1e2) and more decimals than the currency has, rather than rounding what was typed."""
    text = str(value).strip() if value is not None else ""
    if not TYPED_AMOUNT.fullmatch(text):
        raise ValidationFailed(
            f"{label} must be a number, such as 1,250.00.", field=field, value=value
        )
    found = currency(code)
    minor = Decimal(text.replace(",", "")).scaleb(found.exponent)
    if minor != minor.to_integral_value():
        places = (
            f"at most {found.exponent} decimal places" if found.exponent else "no decimal places"
        )
        raise ValidationFailed(
            f"{label} can have {places} in {found.code}.", field=field, value=value
        )
    return int(minor)


def minor_to_major(amount: int, code: str) -> Decimal:
    exponent = currency(code).exponent
    return Decimal(amount).scaleb(-exponent)


def format_amount(amount: int, code: str) -> str:
    """12345 NGN -> '123.45' with thousands separators and the currency's own precision."""
    exponent = currency(code).exponent
    major = minor_to_major(amount, code)
    return f"{major:,.{exponent}f}"


def format_money(amount: int, code: str, *, symbol: bool = True) -> str:
    """12345 NGN -> '₦123.45'; with symbol=False -> 'NGN 123.45'."""
    cur = currency(code)
    sign = "-" if amount < 0 else ""
    body = format_amount(abs(amount), code)
    if symbol:
        separator = " " if cur.symbol.isalpha() else ""
        return f"{sign}{cur.symbol}{separator}{body}"
    return f"{sign}{cur.code} {body}"


def format_decimal(value: Decimal) -> str:
    """Shortest plain form of a decimal: 10 -> '10', 2.50 -> '2.5'."""
    normalized = value.normalize()
    if normalized == normalized.to_integral_value():
        return str(normalized.quantize(ONE))
    return format(normalized, "f")
