"""The `options` tag writes a select's options: escaped, the chosen one marked, whatever the value type."""

from django.template import Context, Template


def _render(choices, selected):
    return Template("{% load ui %}{% options choices selected %}").render(
        Context({"choices": choices, "selected": selected})
    )


def test_the_chosen_value_is_selected_and_numbers_compare_as_text():
    html = _render([(1, "Anna"), (2, "Mart")], "2")
    assert html == '<option value="1">Anna</option><option value="2" selected>Mart</option>'


def test_values_and_labels_are_escaped():
    html = _render([('"><script>', "<b>Tamm & Co</b>")], "")
    assert "<script>" not in html and "<b>" not in html
    assert "&quot;&gt;&lt;script&gt;" in html and "&lt;b&gt;Tamm &amp; Co&lt;/b&gt;" in html


def test_nothing_selected_without_a_match():
    assert "selected" not in _render([("new", "New")], None)


def test_a_label_already_marked_safe_is_not_escaped_twice_and_none_selects_nothing():
    from django.utils.html import format_html

    html = _render([("None", format_html("{} &amp; Co", "Tamm")), ("x", "X")], None)
    assert html == '<option value="None">Tamm &amp; Co</option><option value="x">X</option>'
