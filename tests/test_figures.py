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


# Accessibility (docs/accessibility.md): text alternatives, not by colour alone, legible text,
# an animation that never moves by itself.


def contrast(hex_a: str, hex_b: str) -> float:
    """WCAG contrast ratio of two "#rrggbb" colours."""

    def luminance(hex_color: str) -> float:
        channels = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)]) / 255
        linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
        return float(linear @ [0.2126, 0.7152, 0.0722])

    high, low = sorted((luminance(hex_a), luminance(hex_b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_palette_strip_is_one_picture_that_lists_every_swatch() -> None:
    palette = np.array([[255, 0, 0], [0, 128, 255], [17, 17, 17]], dtype=np.uint8)
    strip = pictures.palette_strip_html(palette, pinned=np.array([False, True, False]), counts=np.array([3, 1, 0]))
    (label,) = re.findall(r'role="img" aria-label="([^"]*)"', strip)
    assert label == "Palette of 3 colours: #ff0000 75.0 %, #0080ff 25.0 % (pinned), #111111 (unused)"
    assert re.findall(r'title="([^"]*)"', strip) == ["#ff0000", "#0080ff (pinned)", "#111111 (unused)"]
    # Without counts the label still names every colour.
    assert 'aria-label="Palette of 3 colours: #ff0000, #0080ff, #111111"' in pictures.palette_strip_html(palette)


def test_before_after_pictures_say_what_they_show_and_the_handle_says_where_it_is() -> None:
    page = pictures.before_after_html(
        b"B", b"A", width=10, height=10, before_label="Original", after_label="16 colours", element_id="ba",
        before_alt='The original "x.png", pixels 0–9 across', after_alt="The same pixels rebuilt from 16 colours",
    )
    assert 'alt="The original &quot;x.png&quot;, pixels 0–9 across"' in page
    assert 'alt="The same pixels rebuilt from 16 colours"' in page
    assert 'type="range"' in page and 'aria-label="Where the two pictures meet"' in page
    assert 'aria-valuetext="50 % original"' in page and 'setAttribute("aria-valuetext"' in page
    # Without alt text the labels stand in.
    plain = pictures.before_after_html(b"B", b"A", width=1, height=1, before_label="Original", after_label="8 colours", element_id="p")
    assert 'alt="Original"' in plain and 'alt="8 colours"' in plain


def test_alt_text_says_what_a_picture_shows() -> None:
    from ui.frame import text

    assert text.rebuilt_alt("china.jpg", 16, "kmeans", "rgb", delta_e=5.968) == (
        "china.jpg rebuilt from 16 k-means colours in RGB, mean ΔE 5.97"
    )
    assert text.rebuilt_alt(
        "a.png", 16, "palette", "lab", delta_e=9.0, dither=0.5, palette_name="PICO-8", edits=1
    ) == "a.png mapped to the 16 colours of PICO-8 in Lab, dithered at 0.5, 1 entry recoloured, mean ΔE 9.00"
    assert text.rebuilt_alt("a.png", 32, "random", "rgb") == "a.png rebuilt from 32 random colours in RGB"
    assert text.original_alt("china.jpg", 640, 427, 96615) == (
        "china.jpg, the original picture: 640 × 427 pixels, 96,615 distinct colours"
    )
    assert text.region_words(160, 53, 320, 320) == "pixels 160–479 across and 53–372 down"


def test_error_curves_differ_by_dash_and_marker_as_well_as_colour() -> None:
    from ui.figures.style import LINE_COLORS

    errors = {name: [8.0, 4.0, 2.0] for name in ("minibatch", "k-means", "median cut", "octree", "random")}
    figure = compare_figures.error_curves((2, 4, 8), errors, metric="mean ΔE")
    styles = [(trace.line.color, trace.line.dash, trace.marker.symbol) for trace in figure.data]
    for part in range(3):
        assert len({style[part] for style in styles}) == len(errors), styles
    assert all(trace.marker.color == trace.line.color for trace in figure.data)
    # Okabe and Ito's colours; the ones the five methods use keep 3:1 against the white plot.
    assert LINE_COLORS[:4] == ("#0072b2", "#d55e00", "#009e73", "#cc79a7")
    assert all(contrast(color, "#ffffff") >= 3 for color in LINE_COLORS[:5])


def test_lloyd_and_minibatch_differ_without_colour() -> None:
    from ui.figures import steps as steps_figures

    rng = np.random.default_rng(0)
    centres = rng.uniform(0, 255, size=(3, 4, 3))
    figure = steps_figures.lloyd_and_minibatch(centres, np.array([3.0, 2.0, 1.0]), centres, np.array([3.0, 2.5, 2.0]), batch_size=64)
    by_name = {trace.name: trace for trace in figure.data}
    assert (by_name["Lloyd paths"].line.dash, by_name["MiniBatch paths"].line.dash) == ("solid", "dot")
    assert (by_name["Lloyd end"].marker.symbol, by_name["MiniBatch end"].marker.symbol) == ("circle", "square")
    curves = [trace for trace in figure.data if trace.mode == "lines+markers"]
    assert {trace.marker.symbol for trace in curves} == {"circle", "square"}
    assert {trace.line.dash for trace in curves} == {"solid", "dot"}


def test_themed_figures_draw_their_labels_dark_enough(cloud_inputs) -> None:
    from ui.figures.style import TEXT

    assert contrast(TEXT, "#ffffff") >= 4.5
    colors, counts, palette, palette_counts, _ = cloud_inputs
    figures = [
        compare_figures.error_curves((2, 4), {"k-means": [3.0, 2.0]}, metric="ΔE"),
        compare_figures.colours_needed_chart({"k-means": (4.0, True)}, target=2.3),
        cloud.color_cloud(colors, counts, palette, palette_counts),
        cloud.color_planes(colors, palette, palette_counts),
    ]
    for figure in figures:
        assert figure.layout.font.color == TEXT
        for axis in [getattr(figure.layout, name) for name in figure.layout if name.startswith(("xaxis", "yaxis"))]:
            assert axis.tickfont.color == TEXT and axis.title.font.color == TEXT
        assert all(annotation.font.color == TEXT for annotation in figure.layout.annotations)


def test_error_heatmap_colour_bar_is_labelled() -> None:
    figure = compare_figures.error_heatmap(np.ones((2, 2), dtype=np.float32), title="ΔE")
    assert figure.data[0].colorbar.title.text == "ΔE"
    assert figure.data[0].hovertemplate.count("%{z") == 1  # every pixel's value in words on hover


def test_kmeans_animation_never_moves_by_itself_nor_glides() -> None:
    from ui.compute import cached_steps
    from ui.frame import samples

    image = np.ascontiguousarray(samples.load_sample("flower")[100:160, 200:280])
    trace = quant.kmeans_steps(image, 4, seed=1, max_iter=3)
    figure = cached_steps.animation_of(trace, image)
    menu = figure.layout.updatemenus[0]
    assert [button.label for button in menu.buttons] == ["▶ Play", "❚❚ Pause"]
    # Frames change only when asked (Play, the slider), and never glide: no transition, so
    # nothing moves for a visitor who prefers reduced motion beyond the frames they ask for.
    arguments = [button.args[1] for button in menu.buttons] + [step.args[1] for step in figure.layout.sliders[0].steps]
    assert all(argument["transition"]["duration"] == 0 for argument in arguments)


def test_animation_keys_script_speaks_each_frame_and_refuses_odd_keys() -> None:
    from ui.figures import keyboard

    figure = compare_figures.error_curves((2, 4), {"k-means": [3.0, 2.0]}, metric="ΔE")
    figure.frames = [
        {"name": "0", "layout": {"title": {"text": "<b>Start</b>: 4 centres &amp; more"}}},
        {"name": "1", "layout": {"title": {"text": "<b>End</b>: &lt;/script&gt;&lt;script&gt;alert(1)"}}},
    ]
    assert keyboard.frame_titles(figure) == ["Start: 4 centres & more", "End: </script><script>alert(1)"]
    page = keyboard.animation_keys_html(figure, chart_key="steps_animation")
    assert page.count("<script>") == 1 and page.count("</script>") == 1
    assert '"Start: 4 centres & more"' in page and ".st-key-steps_animation" in page
    assert 'setAttribute("role", "slider")' in page and 'setAttribute("role", "button")' in page
    assert ":focus-visible" in page
    with pytest.raises(ValueError, match="chart_key"):
        keyboard.animation_keys_html(figure, chart_key='x"); alert(1); ("')
