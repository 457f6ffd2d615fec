"""The ROC date box lets a phone keyboard type 「/」 and 「.」."""

from core.forms import ROCDateField


def test_a_date_box_does_not_ask_phones_for_the_number_pad():
    html = ROCDateField().widget.render("founded_on", None)
    assert "inputmode" not in html
    assert 'placeholder="112/01/03"' in html
