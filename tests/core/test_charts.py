"""Server-drawn SVG charts: allowed by the CSP (no style), readable in black and white, safe with any text."""

from core.charts import Bar, stacked_bars


def chart(**kwargs):
    values = {
        "key": "k",
        "title": "分級",
        "description": "說明",
        "series": ["停滯型", "潛力型", "發展型"],
        "bars": [Bar("竹南鎮", [3, 5, 2]), Bar("頭份市", [0, 1, 0])],
    }
    return stacked_bars(**(values | kwargs)).svg


def test_chart_uses_no_style_attribute_or_element_the_csp_would_block():
    svg = chart()
    assert "style=" not in svg and "<style" not in svg and "<script" not in svg


def test_each_series_has_its_own_pattern_so_print_in_black_and_white_tells_them_apart():
    svg = chart()
    assert [f'fill="url(#k-p{i})"' in svg for i in range(3)] == [True, True, True]
    assert svg.count("<pattern ") == 3


def test_each_segment_carries_its_count_as_text_and_each_bar_its_total():
    svg = chart()
    assert ">3</text>" in svg and ">5</text>" in svg and ">10</text>" in svg


def test_chart_names_itself_for_screen_readers():
    svg = chart()
    assert 'role="img"' in svg
    assert '<title id="k-title">分級</title>' in svg and '<desc id="k-desc">說明</desc>' in svg


def test_labels_are_escaped():
    svg = chart(bars=[Bar("<script>x</script>", [1])])
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_an_empty_series_draws_no_segment():
    svg = chart(bars=[Bar("竹南鎮", [0, 4, 0])])
    assert svg.count("<rect x=") - svg.count('fill="#fff"') - 3 == 1  # three legend swatches, one segment
