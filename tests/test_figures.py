"""Unit tests of the figure builders in ui/figures/: arrays in, figures out, no Streamlit."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import quant
from ui.figures import cloud, pictures
from ui.figures import compare as compare_figures


@pytest.fixture
def cloud_inputs():
    """5000 distinct random colours with counts, and a 16-colour palette."""
    rng = np.random.default_rng(7)
    codes = rng.choice(1 << 24, size=5000, replace=False)
    colors = np.stack([(codes >> 16) & 255, (codes >> 8) & 255, codes & 255], axis=1).astype(np.uint8)
    counts = rng.integers(1, 10_000, size=5000).astype(np.int64)
    palette = rng.integers(0, 256, size=(16, 3)).astype(np.uint8)
    palette_counts = np.sort(rng.integers(1, 100_000, size=16))[::-1].astype(np.int64)
    labels = rng.integers(0, 16, size=5000)
    return colors, counts, palette, palette_counts, labels


def test_color_cloud_draws_every_colour_in_its_own_colour(cloud_inputs) -> None:
    colors, counts, palette, palette_counts, _ = cloud_inputs
    figure = cloud.color_cloud(colors, counts, palette, palette_counts)

    points, centres = figure.data
    assert (points.type, centres.type) == ("scatter3d", "scatter3d")
    assert np.array_equal(np.asarray(points.x), colors[:, 0])
    assert np.array_equal(np.asarray(points.y), colors[:, 1])
    assert np.array_equal(np.asarray(points.z), colors[:, 2])
    assert list(points.marker.color) == quant.palette_hex(colors)
    assert len(centres.x) == len(palette)
    assert list(centres.marker.color) == quant.palette_hex(palette)
    assert centres.marker.line.width > 0


def test_color_cloud_axes_are_the_rgb_cube(cloud_inputs) -> None:
    figure = cloud.color_cloud(*cloud_inputs[:4])
    scene = figure.layout.scene
    for axis, name in ((scene.xaxis, "red"), (scene.yaxis, "green"), (scene.zaxis, "blue")):
        assert axis.title.text == name
        assert tuple(axis.range) == (0, 255)


def test_color_cloud_centre_markers_grow_with_their_share(cloud_inputs) -> None:
    figure = cloud.color_cloud(*cloud_inputs[:4])
    sizes = np.asarray(figure.data[1].marker.size, dtype=float)
    # palette_counts are decreasing, so the sizes must be too.
    assert np.all(np.diff(sizes) <= 0)
    assert sizes[0] > sizes[-1]


def test_color_cloud_by_centre_paints_points_in_their_centre_colour(cloud_inputs) -> None:
    colors, counts, palette, palette_counts, labels = cloud_inputs
    figure = cloud.color_cloud(colors, counts, palette, palette_counts, labels=labels)
    palette_hex = quant.palette_hex(palette)
    assert list(figure.data[0].marker.color) == [palette_hex[i] for i in labels]


def test_color_cloud_json_stays_under_one_megabyte(cloud_inputs) -> None:
    colors, counts, palette, palette_counts, labels = cloud_inputs
    for figure in (
        cloud.color_cloud(colors, counts, palette, palette_counts),
        cloud.color_cloud(colors, counts, palette, palette_counts, labels=labels),
    ):
        assert len(figure.to_json()) < 1_000_000


def test_color_cloud_of_a_real_sample_stays_under_one_megabyte() -> None:
    from ui.frame import samples

    image = samples.load_sample("flower")
    sample = quant.sample_colors(image, 5000, seed=0)
    result = quant.quantize(image, 64, seed=0)
    figure = cloud.color_cloud(sample.colors, sample.counts, result.palette, result.counts)
    size = len(figure.to_json())
    assert size < 1_000_000, f"3D chart is {size:,} bytes of JSON"
    # The payload is really there: one point per sampled colour.
    assert len(figure.data[0].x) == len(sample.colors) > 1000


def test_color_planes_show_the_three_channel_pairs(cloud_inputs) -> None:
    colors, _, palette, palette_counts, _ = cloud_inputs
    figure = cloud.color_planes(colors, palette, palette_counts)

    assert len(figure.data) == 2 * len(cloud.PLANES)
    titles = [annotation.text for annotation in figure.layout.annotations]
    assert titles == ["red–green", "red–blue", "green–blue"]
    for index, (a, b) in enumerate(cloud.PLANES):
        points, centres = figure.data[2 * index], figure.data[2 * index + 1]
        assert np.array_equal(np.asarray(points.x), colors[:, a])
        assert np.array_equal(np.asarray(points.y), colors[:, b])
        assert np.array_equal(np.asarray(centres.x), palette[:, a])
        assert np.array_equal(np.asarray(centres.y), palette[:, b])


def test_error_curves_one_line_per_method_on_a_log2_axis() -> None:
    sizes = (2, 4, 8, 16, 32, 64, 128, 256)
    errors = {"k-means": [8, 6, 4, 3, 2, 1.5, 1.2, 1.0], "random": [20, 18, 15, 12, 10, 8, 6, 5]}
    figure = compare_figures.error_curves(sizes, errors, metric="mean ΔE")

    assert [trace.name for trace in figure.data] == ["k-means", "random"]
    assert list(figure.data[0].x) == list(sizes)
    assert figure.layout.xaxis.type == "log"
    assert list(figure.layout.xaxis.tickvals) == list(sizes)
    assert figure.layout.yaxis.title.text == "mean ΔE"


def test_error_curves_leave_a_gap_for_infinite_psnr() -> None:
    figure = compare_figures.error_curves((2, 4), {"k-means": [30.0, float("inf")]}, metric="PSNR")
    y = np.asarray(figure.data[0].y, dtype=float)
    assert y[0] == 30.0 and np.isnan(y[1])
    json.loads(figure.to_json())  # still valid JSON


def test_error_heatmap_is_upright_with_square_pixels() -> None:
    error = np.arange(12, dtype=np.float32).reshape(3, 4)
    figure = compare_figures.error_heatmap(error, title="ΔE")

    (heatmap,) = figure.data
    assert heatmap.type == "heatmap"
    assert np.array_equal(np.asarray(heatmap.z), error)
    assert figure.layout.yaxis.autorange == "reversed"
    assert figure.layout.yaxis.scaleanchor == "x"
    assert heatmap.colorbar.title.text == "ΔE"


def test_palette_strip_has_one_swatch_per_colour_with_its_hex() -> None:
    palette = np.array([[255, 0, 0], [0, 128, 255], [17, 17, 17]], dtype=np.uint8)
    strip = pictures.palette_strip_html(palette)
    assert re.findall(r'title="(#[0-9a-f]{6})"', strip) == ["#ff0000", "#0080ff", "#111111"]
    assert strip.count("background:#") == 3


def test_color_cloud_in_lab_puts_lightness_up_and_keeps_each_point_in_its_colour(cloud_inputs) -> None:
    from skimage.color import rgb2lab

    colors, counts, palette, palette_counts, _ = cloud_inputs
    figure = cloud.color_cloud(colors, counts, palette, palette_counts, space="lab")

    points, centres = figure.data
    lab = rgb2lab(colors.reshape(-1, 1, 3) / 255.0).reshape(-1, 3)
    np.testing.assert_allclose(np.asarray(points.z, dtype=float), lab[:, 0], atol=0.06)
    np.testing.assert_allclose(np.asarray(points.x, dtype=float), lab[:, 1], atol=0.06)
    np.testing.assert_allclose(np.asarray(points.y, dtype=float), lab[:, 2], atol=0.06)
    palette_lab = rgb2lab(palette.reshape(-1, 1, 3) / 255.0).reshape(-1, 3)
    np.testing.assert_allclose(np.asarray(centres.z, dtype=float), palette_lab[:, 0], atol=0.06)
    assert list(points.marker.color) == quant.palette_hex(colors)
    assert list(centres.marker.color) == quant.palette_hex(palette)
    scene = figure.layout.scene
    assert scene.xaxis.title.text.startswith("a*")
    assert scene.yaxis.title.text.startswith("b*")
    assert scene.zaxis.title.text.startswith("L*")
    assert tuple(scene.zaxis.range) == (0, 100)
    # Every sRGB colour is inside the drawn ranges.
    for axis, values in ((scene.xaxis, lab[:, 1]), (scene.yaxis, lab[:, 2])):
        assert axis.range[0] <= values.min() and values.max() <= axis.range[1]
    # Lean: the coordinates travel as numeric arrays, not lists of numbers.
    assert np.asarray(points.x).dtype == np.float32
    assert len(figure.to_json()) < 1_000_000


def test_color_planes_in_lab_show_hue_and_lightness_views(cloud_inputs) -> None:
    from skimage.color import rgb2lab

    colors, _, palette, palette_counts, _ = cloud_inputs
    figure = cloud.color_planes(colors, palette, palette_counts, space="lab")

    titles = [annotation.text for annotation in figure.layout.annotations]
    assert titles == ["a*–b*", "a*–L*", "b*–L*"]
    lab = rgb2lab(colors.reshape(-1, 1, 3) / 255.0).reshape(-1, 3)
    for index, (a, b) in enumerate(cloud.LAB_PLANES):
        points = figure.data[2 * index]
        np.testing.assert_allclose(np.asarray(points.x, dtype=float), lab[:, a], atol=0.06)
        np.testing.assert_allclose(np.asarray(points.y, dtype=float), lab[:, b], atol=0.06)
    assert figure.layout.xaxis.title.text.startswith("a*")
    assert figure.layout.yaxis2.title.text.startswith("L*")


def test_unknown_space_is_refused(cloud_inputs) -> None:
    with pytest.raises(ValueError, match="space"):
        cloud.color_cloud(*cloud_inputs[:4], space="hsv")


def test_error_curves_log_axis_separates_close_methods_from_a_far_worse_one() -> None:
    sizes = (2, 4, 8, 16)
    errors = {"k-means": [8, 5, 3.0, 2.0], "median cut": [9, 6, 3.6, 2.4], "random": [40, 35, 30, 25]}
    figure = compare_figures.error_curves(sizes, errors, metric="mean ΔE", log_y=True)
    assert figure.layout.yaxis.type == "log"
    assert "log" in figure.layout.yaxis.title.text
    # The data are the values themselves; the axis does the scaling.
    assert list(figure.data[0].y) == [8, 5, 3.0, 2.0]
    assert compare_figures.error_curves(sizes, errors, metric="mean ΔE").layout.yaxis.type != "log"


@pytest.mark.parametrize(
    ("delta_e", "target", "expected"),
    [
        ([10.0, 8.0, 5.0, 3.0], 8.0, (4.0, True)),  # measured exactly
        ([10.0, 8.0, 5.0, 3.0], 20.0, (2.0, True)),  # the first size already does
        ([10.0, 8.0, 5.0, 3.0], 2.0, (None, False)),  # never reached
        ([10.0, 8.0, 0.0, 0.0], 1.0, (8.0, True)),  # an exact copy
        ([10.0, float("nan"), 5.0, 3.0], 6.0, None),  # a gap: interpolate from the point before
    ],
)
def test_colours_needed_reads_the_curve(delta_e, target, expected) -> None:
    sizes = (2, 4, 8, 16)
    answer = compare_figures.colours_needed(sizes, delta_e, target)
    if expected is not None:
        assert answer == expected
    else:
        assert answer[0] is not None and 4 < answer[0] <= 8 and answer[1] is False


def test_colours_needed_interpolates_on_log_log_axes() -> None:
    # ΔE = 16 / sqrt(k): a straight line in log-log, so interpolation is exact.
    sizes = (4, 16, 64)
    delta_e = [16 / np.sqrt(k) for k in sizes]
    needed, exact = compare_figures.colours_needed(sizes, delta_e, 16 / np.sqrt(32))
    assert needed == pytest.approx(32.0)
    assert exact is False


def test_colours_needed_chart_one_bar_per_method_with_unreached_hatched() -> None:
    needed = {"k-means": (23.4, False), "octree": (64.0, True), "random": (None, False)}
    figure = compare_figures.colours_needed_chart(needed, target=3.0, max_colors=256)
    (bars,) = figure.data
    assert bars.type == "bar" and bars.orientation == "h"
    assert list(bars.y) == ["k-means", "octree", "random"]
    assert list(bars.x) == [23.4, 64.0, 256.0]
    assert list(bars.text) == ["≈ 23", "64", "more than 256"]
    assert list(bars.marker.pattern.shape) == ["", "", "/"]
    assert figure.layout.xaxis.type == "log"


def test_lab_axes_have_equal_units_so_distances_look_true() -> None:
    # Greyish colours: a* and b* span far less than L*.
    rng = np.random.default_rng(1)
    grey = rng.integers(0, 256, size=(500, 1)).astype(np.uint8)
    colors = np.clip(grey + rng.integers(-12, 13, size=(500, 3)), 0, 255).astype(np.uint8)
    palette = colors[:4]
    figure = cloud.color_cloud(colors, np.ones(500), palette, np.ones(4), space="lab")
    scene = figure.layout.scene
    spans = {name: getattr(scene, name).range[1] - getattr(scene, name).range[0] for name in ("xaxis", "yaxis", "zaxis")}
    assert spans["zaxis"] == 100 and spans["xaxis"] < 100
    ratio = scene.aspectratio
    assert ratio.x / ratio.z == pytest.approx(spans["xaxis"] / spans["zaxis"])
    assert ratio.y / ratio.z == pytest.approx(spans["yaxis"] / spans["zaxis"])
    planes = cloud.color_planes(colors, palette, np.ones(4), space="lab")
    assert planes.layout.yaxis.scaleanchor == "x" and planes.layout.yaxis3.scaleanchor == "x3"


def test_before_after_html_embeds_both_pictures_and_escapes_its_labels() -> None:
    import base64

    page = pictures.before_after_html(
        b"BEFORE", b"AFTER", width=320, height=200, before_label="<img src=x onerror=alert(1)>", after_label="16 colours",
        element_id="detail-1",
    )
    assert f"data:image/png;base64,{base64.b64encode(b'BEFORE').decode()}" in page
    assert f"data:image/png;base64,{base64.b64encode(b'AFTER').decode()}" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'id="detail-1"' in page and 'getElementById("detail-1")' in page
    assert "width:320px;height:200px" in page
    with pytest.raises(ValueError, match="element_id"):
        pictures.before_after_html(b"", b"", width=1, height=1, before_label="", after_label="", element_id='x"); alert(1); ("')


def test_pinned_centres_are_diamonds_never_tiny_and_say_so() -> None:
    colors = np.array([[10, 10, 10], [200, 200, 200], [250, 0, 0]], np.uint8)
    palette = np.array([[12, 12, 12], [198, 198, 198], [255, 0, 0]], np.uint8)
    counts = np.array([1000, 900, 0])
    pinned = np.array([False, False, True])
    cloud_figure = cloud.color_cloud(colors, np.array([5, 4, 1]), palette, counts, pinned=pinned)
    centres = cloud_figure.data[1]
    assert list(centres.marker.symbol) == ["circle", "circle", "diamond"]
    assert centres.marker.size[2] >= 14
    assert "pinned colour 3" in centres.text[2] and "no pixel is nearest" in centres.text[2]
    planes = cloud.color_planes(colors, palette, counts, pinned=pinned)
    assert all(list(trace.marker.symbol) == ["circle", "circle", "diamond"] for trace in planes.data if trace.name == "centres")
    strip = pictures.palette_strip_html(palette, pinned=pinned)
    assert strip.count("pin-mark") == 1 and 'title="#ff0000 (pinned)"' in strip
