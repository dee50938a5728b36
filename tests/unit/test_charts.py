"""The SVG charts: well-formed XML, escaped text, accessible names, no inline styles."""
import xml.etree.ElementTree as ET

import pytest

from forum import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def test_bar_chart_is_well_formed_and_accessible():
    points = [charts.Point(f"03-{d:02d}", n) for d, n in ((1, 0), (2, 2), (3, 5))]
    root = parse(charts.bar_chart("c1", points, "Questions per day", "One bar per day."))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("aria-label") == "Questions per day"
    assert root.find(f"{SVG}title").text == "Questions per day"
    assert root.find(f"{SVG}desc").text == "One bar per day."
    bars = root.findall(f"{SVG}rect")
    assert len(bars) == 3
    heights = [float(bar.get("height")) for bar in bars]
    assert heights[0] == 0 and heights[2] > heights[1] > 0
    assert heights[1] / heights[2] == pytest.approx(2 / 5)  # proportional to the values
    assert [bar.find(f"{SVG}title").text for bar in bars] == ["03-01: 0", "03-02: 2", "03-03: 5"]


def test_labels_are_escaped():
    evil = '<script>alert("x")</script>&'
    markup = str(charts.bar_chart("c2", [charts.Point(evil, 1)], evil, evil))
    assert "<script>" not in markup
    root = parse(markup)
    assert root.find(f"{SVG}title").text == evil
    assert root.get("aria-label") == evil
    assert root.find(f"{SVG}rect/{SVG}title").text == f"{evil}: 1"


def test_no_inline_styles_or_scripts():
    points = [charts.Point("a", 0.5), charts.Point("b", None), charts.Point("c", 1.0)]
    for markup in (charts.bar_chart("c3", points, "t"), charts.line_chart("c4", points, "t", max_value=1)):
        root = parse(markup)
        for element in root.iter():
            assert "style" not in element.attrib
            assert element.tag != f"{SVG}script"


def test_line_chart_breaks_at_missing_values():
    points = [charts.Point("w1", 0.5), charts.Point("w2", 1.0), charts.Point("w3", None), charts.Point("w4", 0.25)]
    root = parse(charts.line_chart("c5", points, "Share", max_value=1.0, fmt=lambda v: f"{v:.0%}"))
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 2  # w1-w2; w4 stands alone
    dots = root.findall(f"{SVG}circle")
    assert [dot.find(f"{SVG}title").text for dot in dots] == ["w1: 50%", "w2: 100%", "w4: 25%"]
    assert float(dots[1].get("cy")) < float(dots[0].get("cy")) < float(dots[2].get("cy"))


def test_empty_and_all_zero_charts_still_render():
    assert parse(charts.bar_chart("c6", [], "Nothing")).find(f"{SVG}title").text == "Nothing"
    root = parse(charts.bar_chart("c7", [charts.Point("a", 0), charts.Point("b", 0)], "Zeros"))
    assert all(float(bar.get("height")) == 0 for bar in root.findall(f"{SVG}rect"))


def test_long_series_keep_few_axis_labels():
    points = [charts.Point(f"d{i}", i) for i in range(365)]
    root = parse(charts.bar_chart("c8", points, "Year"))
    labels = [t.text for t in root.findall(f"{SVG}text")][2:]  # after the two y-axis labels
    assert len(labels) <= 9 and labels[0] == "d0" and labels[-1] == "d364"
