"""The pages' notebooks for pictures with transparency (ui.notebooks.transparency): the
logo sample on every page and an RGBA cut-out uploaded, run top to bottom in fresh
kernels, print the numbers the dashboard shows for them, and write PNGs that keep the
alpha. RGB notebooks are tests/test_notebooks.py's; its helpers are used here.

The dashboard's numbers come from its own doors (``ui.compute.cached`` and friends,
called here without Streamlit running), so a notebook is checked against what the page
shows, not against a second reading of quant.
"""

from __future__ import annotations

import ast
import asyncio
import base64
import concurrent.futures
import os
import re

import nbformat
import numpy as np
import pytest
from PIL import Image

import quant
from bench.images_alpha import cutout_rgba
from tests.test_app_alpha import decoded, png_of
from tests.test_notebooks import REPO, _execute_all, close, errors_of, numbers, run_of, sources
from ui.compute import cached, cached_compare, cached_steps
from ui.figures import pictures
from ui.frame import samples
from ui.frame.state import ImageRef, Settings
from ui.notebooks import EMBED_LIMIT, PAGES, NotebookSettings, code_cells, notebook, notebook_bytes
from ui.notebooks import settings as notebook_settings
from ui.notebooks.cells import logo_source
from ui.notebooks.settings import checked


SMALL_CUTOUT = png_of(cutout_rgba((120, 80)))
"""A photo cut out by a soft ellipse, its colours kept under the transparent surround:
embedded in the notebook."""
LARGE_CUTOUT = png_of(cutout_rgba())
"""The same at 640 × 427: too large to embed, so the notebook names the file."""


def sidebar(settings: NotebookSettings) -> Settings:
    """The dashboard's sidebar settings for a notebook's."""
    return Settings(
        method=settings.method, space=settings.space, dither=settings.strength, seed=settings.seed,
        dither_kind=settings.kind, pins=settings.pins, palette=settings.palette_colours,
    )


def ref_of(settings: NotebookSettings) -> ImageRef:
    if settings.image == "upload":
        return cached.upload_ref(settings.upload_name, settings.upload_bytes)
    return cached.sample_ref(settings.image)


# --- the notebooks that run ------------------------------------------------------------


def planned_runs() -> dict[str, tuple[str, NotebookSettings, bool]]:
    """id -> (page, settings, whether the file lies beside the notebook)."""
    runs = {f"logo-{page}": (page, NotebookSettings(image="logo"), False) for page in PAGES}
    small = {"image": "upload", "upload_name": "cut-out.png", "upload_bytes": SMALL_CUTOUT}
    runs["cutout-image"] = ("image", NotebookSettings(**small), False)
    runs["cutout-reconstructions"] = (
        "reconstructions",
        NotebookSettings(**small, sizes=(4, 16), dither=True, quality_target=3.0, pins=("#204020",)),
        False,
    )
    runs["cutout-kmeans_steps"] = ("kmeans_steps", NotebookSettings(**small, steps_k=5, start="random", steps_seed=3), False)
    runs["cutout-file-colour_space"] = (
        "colour_space",
        NotebookSettings(image="upload", upload_name="big cut-out.png", upload_bytes=LARGE_CUTOUT, space="lab", by_centre=True),
        True,
    )
    return runs


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[NotebookSettings, nbformat.NotebookNode]]:
    """Every planned notebook, executed in a fresh kernel, two at a time: id -> (settings, notebook)."""
    jobs, made = {}, {}
    for name, (page, settings, beside) in planned_runs().items():
        nb = notebook(page, settings)
        folder, env = REPO, dict(os.environ)
        if beside:
            folder = tmp_path_factory.mktemp("beside")
            (folder / settings.upload_name).write_bytes(settings.upload_bytes)
            env["PYTHONPATH"] = str(REPO)
        jobs[name] = (nb, folder, env)
        made[name] = (checked(page, settings), nb)
    # In a thread of its own, as tests/test_notebooks.py does (Playwright's loop may run in this one).
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as runner:
        runner.submit(asyncio.run, _execute_all(jobs)).result()
    return made


@pytest.mark.parametrize("name", list(planned_runs()))
def test_notebook_runs_top_to_bottom(executed, name):
    settings, nb = executed[name]
    assert settings.has_alpha
    assert errors_of(nb) == []
    assert all(cell.execution_count is not None for cell in nb.cells if cell.cell_type == "code")


def test_the_transparency_section_counts_what_the_image_page_counts(executed):
    for name in ("logo-image", "cutout-image", "cutout-kmeans_steps"):
        settings, text = run_of(executed, name)
        facts = cached.facts(ref_of(settings))
        assert facts.has_alpha
        assert numbers(text, "Fully transparent")[""] == facts.n_transparent
        assert numbers(text, "Partly transparent")[""] == facts.n_partial
        assert numbers(text, "Visible")[""] == facts.n_visible


def test_image_notebooks_count_colours_and_measure_pngs_as_the_page(executed):
    for name in ("logo-image", "cutout-image"):
        settings, text = run_of(executed, name)
        ref, chosen = ref_of(settings), sidebar(settings)
        assert numbers(text, "Distinct colours")[""] == cached.facts(ref).n_colors
        assert "quant.count_colors agrees: True" in text
        assert "Decodes to the reconstruction: True" in text
        pngs, errors = numbers(text, "PNG"), numbers(text, "MSE")
        for k in notebook_settings.STORAGE_SIZES:
            assert pngs[str(k)] == len(cached.indexed_png(ref, k, chosen)), f"{name} PNG {k}"
            close(errors[str(k)], cached.palette_view(ref, k, chosen).mse, f"{name} MSE {k}")
        height, width = cached.pixels(ref).shape[:2]
        assert numbers(text, "All colours")["(32-bit)"] == 4 * height * width


def test_colour_space_notebooks_draw_the_visible_colours_and_the_pages_centres(executed):
    for name in ("logo-colour_space", "cutout-file-colour_space"):
        settings, text = run_of(executed, name)
        ref, chosen = ref_of(settings), sidebar(settings)
        assert numbers(text, "Distinct colours")[""] == cached.facts(ref).n_colors
        assert numbers(text, "Drawn")[""] == len(cached.color_sample(ref).colors)
        view = cached.palette_view(ref, settings.k, chosen)
        close(numbers(text, "MSE")[str(settings.k)], view.mse, f"{name} MSE {settings.k}")
        cloud, _ = cached.cloud_figures(ref, settings.k, chosen, by_centre=settings.by_centre)
        drawn = re.search(r"^Centres drawn: (\d+) of (\d+) entries", text, flags=re.MULTILINE)
        assert drawn and int(drawn.group(1)) == len(cloud.data[1].x) and int(drawn.group(2)) == view.k
        assert "MiniBatchKMeans MSE" in text


def test_kmeans_steps_notebooks_trace_the_visible_pixels_as_the_page(executed):
    for name in ("logo-kmeans_steps", "cutout-kmeans_steps"):
        settings, text = run_of(executed, name)
        ref = ref_of(settings)
        trace = cached_steps.kmeans_trace(ref, settings.steps_k, settings.start, settings.steps_seed, settings.pins)
        lloyd, plain = numbers(text, "Lloyd MSE"), numbers(text, "NumPy MSE")
        assert len(lloyd) == len(plain) == trace.n_steps + 1
        for step in range(trace.n_steps + 1):
            close(lloyd[str(step)], trace.mse[step], f"{name} Lloyd MSE {step}")
            close(plain[str(step)], trace.mse[step], f"{name} NumPy MSE {step}")
        batches = cached_steps.minibatch_trace(ref, settings.steps_k, settings.start, settings.steps_seed, settings.pins)
        steps = str(notebook_settings.STEPS_MAX_ITER)
        close(numbers(text, "quant.minibatch_steps MSE")[steps], batches.mse[-1], f"{name} quant.minibatch_steps")
        table = cached_steps.seed_table(ref, settings.steps_k, settings.pins)
        for init in quant.INITS:
            finals = [run.final_mse for run in table.runs if run.init == init]
            found = re.search(rf"^{re.escape(init)}: final MSE ([\d.]+) to ([\d.]+)", text, flags=re.MULTILINE)
            assert found, init
            close(float(found.group(1)), round(min(finals), 1), f"{name} {init} best")
            close(float(found.group(2)), round(max(finals), 1), f"{name} {init} worst")


def test_reconstructions_match_the_tiles_and_their_pngs_keep_the_alpha(executed):
    for name in ("logo-reconstructions", "cutout-reconstructions"):
        settings, nb = executed[name]
        _, text = run_of(executed, name)
        ref, chosen = ref_of(settings), sidebar(settings)
        mse, delta_e, psnr, pngs = numbers(text, "MSE"), numbers(text, "ΔE"), numbers(text, "PSNR"), numbers(text, "PNG")
        tiles = [(str(k), k, None) for k in settings.sizes]
        if settings.with_random:
            tiles.append((f"random {notebook_settings.RANDOM_SIZE}", notebook_settings.RANDOM_SIZE, "random"))
        for label, k, method in tiles:
            tile = cached.reconstruction(ref, k, chosen, method=method)
            close(mse[label], tile.metrics.mse, f"{name} MSE {label}")
            close(delta_e[label], tile.metrics.delta_e, f"{name} ΔE {label}")
            close(psnr[label], tile.metrics.psnr, f"{name} PSNR {label}")
            assert pngs[label] == len(cached.indexed_png(ref, k, chosen, method=method)), f"{name} PNG {label}"
        if settings.quality_target is not None:
            from ui.compute import cached_inspect

            target = cached_inspect.smallest_palette(ref, settings.quality_target, chosen)
            assert numbers(text, "Smallest palette")[""] == target.n_colors
        # The file the notebook shows is the page's download of the largest palette, alpha and all.
        largest = settings.sizes[-1]
        assert f"The PNG file of {largest} colours decodes to the reconstruction: True" in text
        assert "Fully transparent pixels still fully transparent: True" in text and "Opaque pixels still opaque: True" in text
        shown = [
            output["data"]["image/png"]
            for cell in nb.cells if cell.cell_type == "code" and "quant.indexed_png(result)" in cell.source
            for output in cell.outputs if "image/png" in output.get("data", {})
        ]
        assert len(shown) == 1
        written = decoded(base64.b64decode(shown[0]))
        original = cached.pixels(ref)
        assert np.array_equal(written, decoded(cached.indexed_png(ref, largest, chosen)))
        assert (written[..., 3][original[..., 3] == 0] == 0).all()
        assert (written[..., 3][original[..., 3] == 255] == 255).all()


def test_compare_measures_the_pages_working_copy(executed):
    settings, text = run_of(executed, "logo-compare")
    ref, chosen = ref_of(settings), sidebar(settings)
    height, width = cached_compare.work_size(ref)
    assert f"Working copy: {width} x {height} pixels" in text
    mse, delta_e = numbers(text, "MSE"), numbers(text, "ΔE")
    for method in settings.compare_methods:
        for k in (2, 16, 256):
            point = cached_compare.compare_point(ref, k, method, chosen)
            close(mse[f"{method} {k}"], point.metrics.mse, f"MSE {method} {k}")
            close(delta_e[f"{method} {k}"], point.metrics.delta_e, f"ΔE {method} {k}")
    method, k = settings.heatmap
    close(numbers(text, f"Heat map {method}")[str(k)], float(cached_compare.error_map(ref, k, method, chosen).mean()), "heat map")


# --- what the notebooks hold, without running them --------------------------------------


def alpha_views() -> list[tuple[str, NotebookSettings]]:
    views = [(page, NotebookSettings(image="logo")) for page in PAGES]
    views += [(page, NotebookSettings(image="upload", upload_name="c.png", upload_bytes=SMALL_CUTOUT)) for page in PAGES]
    views += [(page, NotebookSettings(image="upload", upload_name="c.png", has_alpha=True)) for page in PAGES]
    return views


def downscale_calls(source: str) -> list[ast.Call]:
    return [
        node for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "quant.downscale"
    ]


@pytest.mark.parametrize(("page", "settings"), alpha_views(), ids=lambda value: getattr(value, "image", value))
def test_alpha_notebooks_give_rgb_only_work_the_visible_colours(page, settings):
    nb = notebook(page, settings)
    nbformat.validate(nb)
    assert len(notebook_bytes(page, settings)) < 100_000
    code = "\n".join(sources(nb, "code"))
    words = "\n".join(sources(nb, "markdown"))
    assert "## Transparency" in words and "premultiplied" in words and "see-through entry" in words
    assert "visible_image = visible[None]" in code and "def on_checkerboard" in code
    for rgb_only in ("sample_colors", "kmeans_steps", "minibatch_steps"):
        assert not re.search(rf"quant\.{rgb_only}\(\s*image\b", code), rgb_only
    # scikit-learn and the NumPy loops fit the visible colours; they only label the RGB of the rest.
    for rgb_rows in ("training = pixels", "predict(pixels)", "kneighbors(pixels,", "(pixels[:, 0]", "batch = pixels["):
        assert rgb_rows not in code, rgb_rows
    for source in sources(nb, "code"):
        for call in downscale_calls(source):
            assert any(keyword.arg == "alpha" for keyword in call.keywords), ast.unparse(call)  # every copy keeps its alpha
    assert "load_sample_image" not in code
    if settings.image == "upload":
        assert "keep_alpha=True" in code


def test_rgb_notebooks_stay_as_they_were():
    for page in PAGES:
        for settings in (NotebookSettings(image="china"), NotebookSettings(image="upload", upload_name="p.png", upload_bytes=png_of(cutout_rgba((40, 30))[..., :3]))):
            nb = notebook(page, settings)
            text = "\n".join(cell.source for cell in nb.cells)
            assert "keep_alpha" not in text and "## Transparency" not in text and "visible_image" not in text


def test_the_logo_generator_draws_the_dashboards_pixels():
    namespace = {"np": np}
    exec(logo_source(), namespace)
    assert np.array_equal(namespace["logo_rgba"](samples.LOGO_SIZE), samples.load_sample("logo"))
    namespace = {}
    exec(code_cells("image", NotebookSettings(image="logo"))[0], namespace)
    assert namespace["LOGO_SIZE"] == samples.LOGO_SIZE


def test_the_notebooks_checkerboard_is_the_dashboards():
    cell = next(source for source in code_cells("image", NotebookSettings(image="logo")) if "def on_checkerboard" in source)
    image = cutout_rgba((50, 30))
    namespace = {"np": np, "quant": quant, "Image": Image, "image": image, "pixels": image.reshape(-1, 4)}
    exec(cell, namespace)
    for picture in (image, image[..., :3], samples.logo_rgba(24)):
        assert np.array_equal(namespace["on_checkerboard"](picture), pictures.on_checkerboard(picture))
    assert np.array_equal(namespace["visible_image"], image[..., :3][image[..., 3] > 0][None])


def test_whether_a_picture_has_transparency():
    def resolved(**fields) -> bool:
        return checked("image", NotebookSettings(**fields)).has_alpha

    assert resolved(image="logo") and not resolved(image="china") and not resolved(image="sky")
    assert set(notebook_settings.ALPHA_SAMPLES) == {name for name in samples.SAMPLES if samples.load_sample(name).shape[-1] == 4}
    assert resolved(image="upload", upload_name="c.png", upload_bytes=SMALL_CUTOUT)
    opaque = cutout_rgba((40, 30))
    opaque[..., 3] = 255  # an RGBA file without transparency: RGB, as the dashboard decodes it
    assert not resolved(image="upload", upload_name="o.png", upload_bytes=png_of(opaque))
    assert not resolved(image="upload", upload_name="x.png", upload_bytes=b"\x89PNG small")
    assert not resolved(image="upload", upload_name="x.png")
    assert resolved(image="upload", upload_name="x.png", has_alpha=True)  # the dashboard's word
    with pytest.raises(ValueError, match="has_alpha"):
        notebook("image", NotebookSettings(image="china", has_alpha=True))
    with pytest.raises(ValueError, match="has_alpha"):
        notebook("image", NotebookSettings(image="logo", has_alpha="yes"))


def test_an_rgba_upload_is_read_with_its_alpha_embedded_or_beside():
    assert len(SMALL_CUTOUT) <= EMBED_LIMIT < len(LARGE_CUTOUT)
    embedded = code_cells("image", NotebookSettings(image="upload", upload_name="c.png", upload_bytes=SMALL_CUTOUT))
    assert any("quant.load_image(io.BytesIO(UPLOADED_FILE), keep_alpha=True)" in source for source in embedded)
    beside = code_cells("image", NotebookSettings(image="upload", upload_name="c.png", upload_bytes=LARGE_CUTOUT))
    assert any("quant.load_image(Path(IMAGE_FILE), keep_alpha=True)" in source for source in beside)
    words = "\n".join(sources(notebook("image", NotebookSettings(image="upload", upload_name="c.png", upload_bytes=SMALL_CUTOUT)), "markdown"))
    assert "keep_alpha=True" in words and "straight" in words and "laid over white" not in words.split("## Transparency")[0]
