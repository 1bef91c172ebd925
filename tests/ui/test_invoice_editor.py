"""The invoice editor's live totals use the same exact arithmetic as the server."""

from workspace.ui.pages.invoice_detail import InvoiceState


def _editor(**values) -> InvoiceState:
    state = InvoiceState(_reflex_internal_init=True)
    for name, value in values.items():
        setattr(state, name, value)
    return state


def test_live_line_totals_and_currency_formatting():
    state = _editor(
        currency_code="NGN",
        tax_rate="7.5",
        lines=[
            {"description": "Strategy consulting", "quantity": "10", "unit_price": "5,000"},
            {"description": "Document review", "quantity": "1", "unit_price": "2000"},
        ],
    )
    assert [line["total"] for line in state.line_views] == ["₦50,000.00", "₦2,000.00"]
    assert state.totals_view == {
        "subtotal": "₦52,000.00",
        "tax": "₦3,900.00",
        "total": "₦55,900.00",
    }
    state.set_line(1, "quantity", "2.5")
    assert state.line_views[1]["total"] == "₦5,000.00"
    state.set_line(0, "unit_price", "abc")
    assert state.line_views[0]["total"] == "—" and state.totals_view["total"] == "—"


def test_zero_decimal_currency_and_line_removal():
    state = _editor(
        currency_code="JPY",
        tax_rate="10",
        lines=[{"description": "Consulting", "quantity": "1.5", "unit_price": "1001"}],
    )
    assert state.line_views[0]["total"] == "¥1,502"  # 1501.5 rounds half-up
    assert state.totals_view["tax"] == "¥150"
    state.add_line()
    state.remove_line(0)
    assert len(state.lines) == 1 and state.lines[0]["description"] == ""
