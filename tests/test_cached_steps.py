"""ui.compute.cached_steps, the k-means page's door: pins in every result and its key,
and only the pixels one can see, with ``cached.pixels`` patched to return an RGBA image."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from ui.compute import cached, cached_steps
from ui.frame.state import ImageRef

PINS = ("#ff0000", "#00c800")


def rgba_picture(height: int = 60, width: int = 80) -> np.ndarray:
    """Two colours and a soft edge on a ground whose colour, white, hides under alpha 0."""
    left, right = width // 8, width - width // 8
    image = np.zeros((height, width, 4), dtype=np.uint8)
    image[..., :3] = 255
    image[: height // 2, left:right, :3] = (200, 40, 30)
    image[height // 2 :, left:right, :3] = (30, 60, 200)
    image[:, left:right, 3] = 255
    image[:, left, 3] = 100  # a half-see-through edge counts as visible
    return image


def patched(monkeypatch: pytest.MonkeyPatch, image: np.ndarray) -> ImageRef:
    """A reference of its own (keys never meet another test's) whose pixels are ``image``."""
    image.flags.writeable = False
    monkeypatch.setattr(cached, "pixels", lambda ref: image)
    return ImageRef(digest=uuid.uuid4().hex, name="patched.png", raw=b"-")


def test_traces_leave_out_the_fully_transparent_pixels(monkeypatch: pytest.MonkeyPatch) -> None:
    image = rgba_picture()
    ref = patched(monkeypatch, image)
    for trace in (cached_steps.kmeans_trace(ref, 3, "random", 1), cached_steps.minibatch_trace(ref, 3, "random", 1)):
        assert trace.n_pixels == 60 * 60
        # The white under the transparent pixels is not a colour of the picture.
        assert (trace.centres[-1] < 250).any(axis=1).all()
    table = cached_steps.seed_table(ref, 3)
    assert table.n_visible == 60 * 60 and (table.height, table.width) == (1, 60 * 60)
    assert len(table.runs) == 3 * len(cached_steps.STEPS_TABLE_SEEDS)
    figure = cached_steps.steps_animation(ref, 3, "random", 1)
    assert len(figure.frames) == 2 * cached_steps.kmeans_trace(ref, 3, "random", 1).n_steps + 2
    # The picture keeps its transparency: a checkerboard shows through, as everywhere in the dashboard.
    assert len(figure.layout.images) == 1 and figure.layout.images[0].layer == "below"
    rgb = patched(monkeypatch, np.ascontiguousarray(rgba_picture()[..., :3]))
    assert len(cached_steps.steps_animation(rgb, 3, "random", 1).layout.images) == 0


def test_a_large_rgba_image_runs_the_seed_table_on_evenly_spread_visible_pixels(monkeypatch: pytest.MonkeyPatch) -> None:
    image = rgba_picture(300, 400)  # 90,000 visible pixels, over the table's budget
    ref = patched(monkeypatch, image)
    table = cached_steps.seed_table(ref, 2)
    assert table.n_visible == 300 * 300 and table.height == 1
    assert table.width <= cached_steps.STEPS_TABLE_PIXELS and table.width >= cached_steps.STEPS_TABLE_PIXELS // 2


def test_pins_are_kept_and_are_part_of_every_key(monkeypatch: pytest.MonkeyPatch) -> None:
    ref = patched(monkeypatch, rgba_picture())
    plain = cached_steps.kmeans_trace(ref, 4, "k-means++", 0)
    pinned = cached_steps.kmeans_trace(ref, 4, "k-means++", 0, PINS)
    assert not plain.pinned.any()
    assert pinned.pinned.tolist() == [True, True, False, False]
    np.testing.assert_array_equal(pinned.centres[:, :2], np.broadcast_to([[255, 0, 0], [0, 200, 0]], (pinned.n_steps + 1, 2, 3)))
    batches = cached_steps.minibatch_trace(ref, 4, "k-means++", 0, PINS)
    np.testing.assert_array_equal(batches.centres[-1, :2], [[255, 0, 0], [0, 200, 0]])
    assert cached_steps.seed_table(ref, 4, PINS) != cached_steps.seed_table(ref, 4)
    with_pins = cached_steps.steps_animation(ref, 4, "k-means++", 0, PINS)
    without = cached_steps.steps_animation(ref, 4, "k-means++", 0)
    assert with_pins is not without
    assert list(with_pins.data[5].text[:2]) == ["pinned colour"] * 2 and "pinned colour" not in without.data[5].text
