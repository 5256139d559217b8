"""The pages' notebooks (ui.notebooks): valid, small, without outputs, safe whatever the
uploaded file is called, in step with the dashboard's settings and work sizes, and
they run top to bottom in a fresh kernel, printing the numbers the dashboard shows.

The notebooks that run are executed once per test session, two kernels at a time
(``executed``); each test then reads the lines it needs (``MSE 16: 114.62``) from
their outputs and compares them with ``quant`` called in this process as the
dashboard calls it.
"""

from __future__ import annotations

import ast
import asyncio
import concurrent.futures
import io
import json
import os
import re
import subprocess
import sys
import textwrap
import tokenize
from dataclasses import fields, replace
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from PIL import Image

import quant
from ui.frame import samples
from ui.notebooks import EMBED_LIMIT, PAGES, NotebookSettings, code_cells, notebook, notebook_bytes, notebook_file_name, safe_file_name
from ui.notebooks import settings as notebook_settings
from ui.notebooks.cells import sky_source

REPO = Path(__file__).resolve().parent.parent
CELL_TIMEOUT = 300
RELATIVE = 0.03
"""Largest relative difference allowed between a notebook's error and quant's here."""

HOSTILE_NAMES = (
    'it\'s "quoted".png',
    "'''triple'''.png",
    '"""; import os; os.system(\'x\') #.png',
    "line\nbreak\r\n.jpg",
    "../../etc/passwd",
    "C:\\Users\\me\\photo.png",
    "back\\slash\\\\photo.png",
    "\u202egnp.exe",
    "tab\tand\x00nul\x1b[31m.png",
    "$x$ <b>bold</b> `code` [link](http://x) {{ x }}.png",
    "..",
    "",
    "   ",
    "a" * 500 + ".png",
)

PRESET = {"test-four": np.array([[20, 40, 90], [200, 120, 80], [250, 220, 190], [90, 110, 160]], dtype=np.uint8)}
"""A preset palette for the tests, put into quant.PALETTES while a notebook is built."""


# --- helpers ---------------------------------------------------------------------------


def sources(nb, kind: str) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == kind]


def printed(nb) -> str:
    """Everything the notebook's code printed."""
    return "".join(output.get("text", "") for cell in nb.cells for output in cell.get("outputs", []) if output.get("name") == "stdout")


def errors_of(nb) -> list[str]:
    return [f"{output.ename}: {output.evalue}" for cell in nb.cells for output in cell.get("outputs", []) if output.output_type == "error"]


def numbers(text: str, label: str) -> dict[str, float]:
    """``{"16": 114.62, ...}`` from lines ``{label} 16: 114.62`` (the key is what lies between)."""
    found = {}
    for match in re.finditer(rf"^{re.escape(label)} ?(.*?): (-?[\d.]+|inf)", text, flags=re.MULTILINE):
        found[match.group(1)] = float(match.group(2))
    return found


def rgb(pins: tuple[str, ...]) -> list[tuple[int, int, int]]:
    """``("#ff8000",)`` -> ``[(255, 128, 0)]``: pins as quant's ``fixed=`` takes them."""
    return [(int(pin[1:3], 16), int(pin[3:5], 16), int(pin[5:7], 16)) for pin in pins]


def close(value: float, expected: float, what: str) -> None:
    assert value == pytest.approx(expected, rel=RELATIVE, abs=0.01), f"{what}: notebook {value}, quant {expected}"


def sample(name: str) -> np.ndarray:
    return samples.load_sample(name)


def with_preset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quant, "PALETTES", {**getattr(quant, "PALETTES", {}), **PRESET}, raising=False)


def png_bytes(picture: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="PNG")
    return buffer.getvalue()


def small_upload() -> bytes:
    """A small PNG (well under EMBED_LIMIT) with a gradient and some noise."""
    rng = np.random.default_rng(7)
    ramp = np.linspace(0, 255, 96)[None, :, None] * np.array([1.0, 0.6, 0.3])
    picture = np.clip(np.repeat(ramp, 64, axis=0) + rng.normal(0, 6, (64, 96, 3)), 0, 255).astype(np.uint8)
    return png_bytes(picture)


def large_upload() -> bytes:
    """A PNG over EMBED_LIMIT: noise does not compress."""
    picture = np.random.default_rng(3).integers(0, 256, (260, 300, 3), dtype=np.uint8)
    raw = png_bytes(picture)
    assert len(raw) > EMBED_LIMIT
    return raw


# The hostile-looking but legal name of the large upload on disk: quotes, spaces, a
# would-be statement. The notebook must load it by that very name.
LARGE_NAME = 'it\'s a """ photo"; import os #.png'


# --- the notebooks that run ------------------------------------------------------------


def planned_runs() -> dict[str, tuple[str, NotebookSettings, dict]]:
    """id -> (page, settings, how to run): every bundled page on china, the sky on two
    pages, Lab and non-default controls, and both kinds of upload."""
    runs = {f"china-{page}": (page, NotebookSettings(image="china"), {}) for page in PAGES}
    runs["sky-image"] = ("image", NotebookSettings(image="sky"), {})
    runs["sky-reconstructions"] = (
        "reconstructions",
        NotebookSettings(
            image="sky", method="median-cut", space="lab", dither=True, dither_kind="ordered",
            dither_strength=0.5, sizes=(8, 4), with_random=False, quality_target=4.0, palette="test-four",
            pins=("#ff0000", "#203040"),
        ),
        {},
    )
    runs["flower-colour_space-lab"] = (
        "colour_space", NotebookSettings(image="flower", space="lab", k=24, by_centre=True, seed=3, pins=("#ffffff",)), {}
    )
    # Small, so that its seed table of 30 traces is quick.
    runs["upload-kmeans_steps-pins"] = (
        "kmeans_steps",
        NotebookSettings(
            image="upload", upload_name="small.png", upload_bytes=small_upload(), steps_k=6, start="random", steps_seed=2,
            pins=("#ff0000", "#203040"),
        ),
        {},
    )
    runs["upload-embedded"] = (
        "image", NotebookSettings(image="upload", upload_name="../secret/small.png", upload_bytes=small_upload()), {}
    )
    runs["upload-file"] = (
        "image", NotebookSettings(image="upload", upload_name=LARGE_NAME, upload_bytes=large_upload()), {"beside": True}
    )
    return runs


async def _execute_all(jobs: dict[str, tuple[nbformat.NotebookNode, Path, dict]]) -> None:
    slots = asyncio.Semaphore(2)  # two kernels at a time: the machine has two cores

    async def run(nb, folder: Path, env: dict) -> None:
        async with slots:
            client = NotebookClient(
                nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=True,
                resources={"metadata": {"path": str(folder)}},
            )
            await client.async_execute(env=env)

    await asyncio.gather(*(run(nb, folder, env) for nb, folder, env in jobs.values()))


@pytest.fixture(scope="session")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[NotebookSettings, nbformat.NotebookNode]]:
    """Every planned notebook, executed in a fresh kernel: run id -> (settings, notebook)."""
    patch = pytest.MonkeyPatch()
    with_preset(patch)
    try:
        jobs, made = {}, {}
        for name, (page, settings, how) in planned_runs().items():
            nb = notebook(page, settings)
            folder, env = REPO, dict(os.environ)
            if how.get("beside"):
                # The file beside the notebook, in a folder of its own; quant from PYTHONPATH.
                folder = tmp_path_factory.mktemp("beside")
                (folder / safe_file_name(settings.upload_name)).write_bytes(settings.upload_bytes)
                env["PYTHONPATH"] = str(REPO)
            jobs[name] = (nb, folder, env)
            made[name] = (settings, nb)
    finally:
        patch.undo()
    # In a thread of its own: the browser tests' Playwright (same session) keeps an event
    # loop running in this one, where asyncio.run() refuses to start another.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as runner:
        runner.submit(asyncio.run, _execute_all(jobs)).result()
    return made


def run_of(executed, name: str) -> tuple[NotebookSettings, str]:
    settings, nb = executed[name]
    assert errors_of(nb) == [], f"{name} raised"
    return settings, printed(nb)


@pytest.mark.parametrize("name", list(planned_runs()))
def test_notebook_runs_top_to_bottom(executed, name):
    settings, nb = executed[name]
    assert errors_of(nb) == []
    code_cells_run = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code_cells_run)


# --- their numbers against the dashboard's ------------------------------------------------


def test_image_notebooks_count_colours_and_measure_pngs_as_the_page(executed):
    for name, picture in (("china-image", sample("china")), ("sky-image", sample("sky"))):
        settings, text = run_of(executed, name)
        assert numbers(text, "Distinct colours")[""] == quant.count_colors(picture)
        pngs, errors = numbers(text, "PNG"), numbers(text, "MSE")
        for k in notebook_settings.STORAGE_SIZES:
            result = quant.quantize(picture, k, method=settings.method, space=settings.space, seed=settings.seed)
            # The page's "Indexed PNG" column is quant.indexed_png of this very result.
            assert pngs[str(k)] == len(quant.indexed_png(result)), f"{name} PNG {k}"
            fit = quant.fit_palette(picture, k, method=settings.method, space=settings.space, seed=settings.seed)
            close(errors[str(k)], fit.mse, f"{name} MSE {k}")


def test_a_brought_palette_is_mapped_and_measured(executed):
    settings, text = run_of(executed, "sky-reconstructions")
    picture = sample("sky")
    # As ui.compute.cached's tile of a brought palette: mapped, not fitted, then dithered.
    mapped = quant.map_fit(picture, PRESET["test-four"], space=settings.space)
    result = quant.apply_palette(picture, mapped, dither=settings.strength, dither_kind=settings.kind)
    measured = quant.metrics(picture, result, ssim=False)
    assert numbers(text, "PNG")["palette"] == len(quant.indexed_png(result))
    close(numbers(text, "MSE")["palette"], measured.mse, "MSE palette")
    close(numbers(text, "ΔE")["palette"], measured.delta_e, "ΔE palette")


def test_uploads_are_read_as_the_dashboard_reads_them(executed):
    for name in ("upload-embedded", "upload-file"):
        settings, text = run_of(executed, name)
        picture = quant.load_image(io.BytesIO(settings.upload_bytes))
        assert numbers(text, "Distinct colours")[""] == quant.count_colors(picture)
        close(numbers(text, "MSE")["16"], quant.fit_palette(picture, 16).mse, f"{name} MSE 16")


def test_colour_space_notebooks_match_the_palette_view(executed):
    for name, picture in (("china-colour_space", sample("china")), ("flower-colour_space-lab", sample("flower"))):
        settings, text = run_of(executed, name)
        assert numbers(text, "Distinct colours")[""] == quant.count_colors(picture)
        assert numbers(text, "Drawn")[""] == notebook_settings.CLOUD_SAMPLES
        fit = quant.fit_palette(
            picture, settings.k, method=settings.method, space=settings.space, seed=settings.seed,
            fixed=rgb(settings.pins)[: settings.k - 1],
        )
        close(numbers(text, "MSE")[str(settings.k)], fit.mse, f"{name} MSE {settings.k}")
        # The plain scikit-learn palette is there, and no better than quant's k-means in RGB.
        plain = numbers(text, "MiniBatchKMeans MSE")[str(settings.k)]
        if settings.space == "rgb":
            assert plain >= fit.mse * 0.99


def test_reconstructions_match_the_tiles(executed):
    for name, picture in (("china-reconstructions", sample("china")), ("sky-reconstructions", sample("sky"))):
        settings, text = run_of(executed, name)
        mse, delta_e, psnr = numbers(text, "MSE"), numbers(text, "ΔE"), numbers(text, "PSNR")
        tiles = [(str(k), k, settings.method) for k in settings.sizes]
        if settings.with_random:
            tiles.append((f"random {notebook_settings.RANDOM_SIZE}", notebook_settings.RANDOM_SIZE, "random"))
        assert set(mse) >= {label for label, _, _ in tiles}
        for label, k, method in tiles:
            # As ui.compute.cached.reconstruction: the fit's exact measures, or the dithered result's.
            fit = quant.fit_palette(
                picture, k, method=method, space=settings.space, seed=settings.seed, fixed=rgb(settings.pins)[: k - 1]
            )
            if settings.strength:
                measured = quant.metrics(picture, quant.apply_palette(picture, fit, dither=settings.strength, dither_kind=settings.kind), ssim=False)
            else:
                measured = quant.metrics(picture, fit, ssim=False)
            close(mse[label], measured.mse, f"{name} MSE {label}")
            close(delta_e[label], measured.delta_e, f"{name} ΔE {label}")
            close(psnr[label], measured.psnr, f"{name} PSNR {label}")
        if settings.quality_target is not None:
            search = quant.smallest_fit(
                picture, max_delta_e=settings.quality_target, method=settings.method, space=settings.space,
                seed=settings.seed, fixed=rgb(settings.pins),
            )
            assert numbers(text, "Smallest palette")[""] == search.n_colors
    # The teaching notebook's random palette is quant's draw: the same error in RGB.
    _, text = run_of(executed, "china-reconstructions")
    close(numbers(text, "By hand, random palette MSE")[""], numbers(text, "MSE")["random 32"], "by-hand random")


@pytest.mark.parametrize("name", ["china-kmeans_steps", "upload-kmeans_steps-pins"])
def test_kmeans_steps_match_the_traces(executed, name):
    settings, text = run_of(executed, name)
    picture = sample("china") if settings.image == "china" else quant.load_image(io.BytesIO(settings.upload_bytes))
    # As ui.compute.cached_steps: the first k - 1 pins are centres that never move.
    fixed = rgb(settings.pins)[: settings.steps_k - 1] or None
    trace = quant.kmeans_steps(
        picture, settings.steps_k, init=settings.start, seed=settings.steps_seed, max_iter=notebook_settings.STEPS_MAX_ITER,
        fixed=fixed,
    )
    assert int(trace.pinned.sum()) == len(fixed or [])
    lloyd, plain = numbers(text, "Lloyd MSE"), numbers(text, "NumPy MSE")
    assert len(plain) == len(lloyd) == trace.n_steps + 1
    for step in range(trace.n_steps + 1):
        close(lloyd[str(step)], trace.mse[step], f"Lloyd MSE {step}")
        # The plain NumPy loop from the same start walks the same path.
        close(plain[str(step)], trace.mse[step], f"NumPy MSE {step}")
    batches = quant.minibatch_steps(
        picture, settings.steps_k, init=settings.start, seed=settings.steps_seed,
        max_iter=notebook_settings.STEPS_MAX_ITER, batch_size=max(notebook_settings.STEPS_BATCH_SIZE, settings.steps_k),
        fixed=fixed,
    )
    steps = str(notebook_settings.STEPS_MAX_ITER)
    close(numbers(text, "quant.minibatch_steps MSE")[steps], batches.mse[-1], "quant.minibatch_steps")
    close(numbers(text, "MiniBatch MSE")[steps], batches.mse[-1], "scikit-learn's MiniBatch loop")
    for init in quant.INITS:
        assert re.search(rf"^{re.escape(init)}: final MSE [\d.]+ to [\d.]+", text, flags=re.MULTILINE)


def test_compare_matches_the_points_on_the_working_copy(executed):
    settings, text = run_of(executed, "china-compare")
    work = quant.downscale(sample("china"), notebook_settings.WORK_PIXELS)
    assert f"Working copy: {work.shape[1]} x {work.shape[0]} pixels" in text
    mse = numbers(text, "MSE")
    assert len(mse) == len(settings.compare_methods) * len(notebook_settings.COMPARE_SIZES)
    for method in settings.compare_methods:
        for k in notebook_settings.COMPARE_SIZES:
            result = quant.quantize(work, k, method=method, space=settings.space, seed=settings.seed)
            close(mse[f"{method} {k}"], quant.metrics(work, result, ssim=False).mse, f"MSE {method} {k}")
    method, k = settings.heatmap
    assert numbers(text, f"Heat map {method}")[str(k)] == pytest.approx(numbers(text, f"ΔE {method}")[str(k)], rel=1e-3)


# --- what every notebook is ----------------------------------------------------------------


def every_view() -> list[tuple[str, NotebookSettings]]:
    views = [(page, NotebookSettings(image=image)) for page in PAGES for image in samples.SAMPLES]
    views += [(page, NotebookSettings(image="upload", upload_name="photo.jpg")) for page in PAGES]
    return views


@pytest.mark.parametrize(("page", "settings"), every_view(), ids=lambda value: getattr(value, "image", value))
def test_notebooks_are_valid_small_and_without_outputs(page, settings):
    nb = notebook(page, settings)
    nbformat.validate(nb)
    raw = notebook_bytes(page, settings)
    assert len(raw) < 100_000
    assert nbformat.reads(raw.decode("utf-8"), as_version=4) == nb
    assert nb.metadata.kernelspec.name == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            compile(cell.source, "cell", "exec")
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    # A lesson: words between the code.
    assert len(sources(nb, "markdown")) >= len(sources(nb, "code")) // 2


def test_the_same_view_gives_the_same_file():
    for page in PAGES:
        assert notebook_bytes(page, NotebookSettings(image="sky")) == notebook_bytes(page, NotebookSettings(image="sky"))


def test_code_cells_are_the_central_code():
    for page in PAGES:
        shown = code_cells(page, NotebookSettings())
        assert shown and all(isinstance(source, str) for source in shown)
        joined = "\n".join(shown)
        assert "importlib" not in joined  # the cell that finds quant is not the lesson
        for source in shown:
            compile(source, "cell", "exec")
    embedded = code_cells("image", NotebookSettings(image="upload", upload_name="a.png", upload_bytes=small_upload()))
    assert not any("b64decode" in source for source in embedded)
    assert any("quant.load_image(io.BytesIO(UPLOADED_FILE))" in source for source in embedded)


def test_the_settings_cell_holds_the_view():
    settings = NotebookSettings(
        image="flower", method="octree", space="lab", seed=12, dither=True, dither_kind="ordered",
        dither_strength=0.35, sizes=(64, 8, 8), with_random=False,
    )
    namespace: dict = {}
    exec(code_cells("reconstructions", settings)[0], namespace)
    assert (namespace["IMAGE"], namespace["METHOD"], namespace["SPACE"], namespace["SEED"]) == ("flower", "octree", "lab", 12)
    assert (namespace["DITHER"], namespace["DITHER_KIND"]) == (0.35, "ordered")
    assert namespace["SIZES"] == [8, 64] and namespace["RANDOM_SIZE"] is None
    # Dithering off: strength 0 and plain diffusion, whatever the hidden controls say.
    namespace = {}
    exec(code_cells("compare", replace(settings, dither=False))[0], namespace)
    assert (namespace["DITHER"], namespace["DITHER_KIND"]) == (0.0, "diffusion")
    assert namespace["METHODS"] == ["kmeans", "median-cut", "octree", "random"]
    namespace = {}
    exec(code_cells("compare", replace(settings, method="minibatch"))[0], namespace)
    assert namespace["METHODS"] == ["minibatch", "kmeans", "median-cut", "octree", "random"]


def test_sky_generator_draws_the_dashboards_pixels():
    namespace = {"np": np}
    exec(sky_source(), namespace)
    assert np.array_equal(namespace["sky_gradient"](), samples.load_sample("sky"))


def test_pins_reach_quant_only_when_given():
    for page in PAGES:
        assert "fixed" not in "\n".join(code_cells(page, NotebookSettings()))
    pinned = NotebookSettings(pins=("#FF8000", "#102030"))
    for page in ("image", "colour_space", "kmeans_steps", "reconstructions", "compare"):
        nb = notebook(page, pinned)
        nbformat.validate(nb)
        code = "\n".join(sources(nb, "code"))
        assert "fixed=pinned[: k - 1]" in code or "fixed=pinned[: K - 1]" in code
        namespace: dict = {}
        exec(code_cells(page, pinned)[0], namespace)
        assert namespace["PINNED"] == ["#ff8000", "#102030"]
        for source in sources(nb, "code"):
            compile(source, "cell", "exec")


def test_a_preset_needs_quants_presets(monkeypatch):
    with pytest.raises(ValueError, match="quant.PALETTES"):
        notebook("reconstructions", NotebookSettings(palette="no-such-preset"))
    with_preset(monkeypatch)
    nb = notebook("reconstructions", NotebookSettings(palette="test-four"))
    code = "\n".join(sources(nb, "code"))
    assert "'#14285a', '#c87850', '#fadcbe', '#5a6ea0'" in code
    assert "test\\-four" in "\n".join(sources(nb, "markdown"))
    # A palette file's colours travel; its name does not.
    brought = NotebookSettings(palette_colours=("#000000", "#FFFFFF", "#808080"))
    nb = notebook("colour_space", brought)
    assert "'#000000', '#ffffff', '#808080'" in "\n".join(sources(nb, "code"))
    assert "K = " not in code_cells("colour_space", brought)[0]  # the palette's colours are the centres
    assert "from your file" in "\n".join(sources(nb, "markdown"))
    with pytest.raises(ValueError, match="palette_colours"):
        notebook("image", NotebookSettings(palette_colours=("white",)))
    # The colours the dashboard uses win over the preset's (an entry may have been edited).
    edited = notebook("reconstructions", NotebookSettings(palette="test-four", palette_colours=("#010203", "#fafafa")))
    assert "'#010203', '#fafafa'" in "\n".join(sources(edited, "code"))
    assert "#14285a" not in "\n".join(sources(edited, "code"))
    # Only the pages that show a brought palette get it.
    for page in ("image", "kmeans_steps", "compare"):
        assert "YOUR_PALETTE" not in "\n".join(code_cells(page, brought))


# --- hostile file names ------------------------------------------------------------------


def test_safe_file_name():
    assert safe_file_name("../../etc/passwd") == "passwd"
    assert safe_file_name("C:\\Users\\me\\photo.png") == "photo.png"
    assert safe_file_name("line\nbreak\r\n.jpg") == "linebreak.jpg"
    assert safe_file_name("\u202egnp.exe") == "gnp.exe"
    assert safe_file_name("..") == safe_file_name("") == safe_file_name(None) == safe_file_name(" / ") == "image.png"
    long = safe_file_name("a" * 500 + ".png")
    assert len(long) <= 120 and long.endswith(".png")
    for name in HOSTILE_NAMES:
        cleaned = safe_file_name(name)
        assert cleaned and "/" not in cleaned and "\\" not in cleaned
        assert all(character.isprintable() for character in cleaned)


def literals_and_rest(source: str) -> tuple[list[object], str]:
    """The string literals of some Python code, and the code without them."""
    literals, rest = [], []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING:
            # An f-string (Python 3.11 tokenizes it whole) is no plain literal; ours hold no name.
            is_f = "f" in token.string.split(token.string[-1], 1)[0].lower()
            literals.append(token.string if is_f else ast.literal_eval(token.string))
        elif token.type == getattr(tokenize, "FSTRING_START", None):
            rest.append("f'")  # an f-string's parts follow as their own tokens
        else:
            rest.append(token.string)
    return literals, " ".join(rest)


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
@pytest.mark.parametrize("page", PAGES)
def test_a_hostile_file_name_is_only_a_literal(page, name):
    cleaned = safe_file_name(name)
    for settings in (
        NotebookSettings(image="upload", upload_name=name),  # named: the reader puts the file beside it
        NotebookSettings(image="upload", upload_name=name, upload_bytes=b"\x89PNG small"),  # embedded
    ):
        nb = notebook(page, settings)
        nbformat.validate(nb)
        holding = []
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                assert cleaned not in cell.source
                assert "os.system" not in cell.source and "passwd" not in cell.source
                continue
            source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
            compile(source, "cell", "exec")
            literals, rest = literals_and_rest(source)
            if cleaned in literals:
                holding.append(cell.source)
            for fragment in ("os.system", "import os", "passwd", "gnp.exe", "<b>"):
                assert fragment not in rest
        if settings.embedded:
            assert holding == []  # the embedded file needs no name at all
        else:
            assert len(holding) == 1
            namespace: dict = {}
            exec(holding[0], namespace)
            assert namespace["IMAGE_FILE"] == cleaned
        # Nowhere else in the file: not in metadata, not in the file name.
        document = json.loads(notebook_bytes(page, settings))
        assert cleaned not in json.dumps(document["metadata"], ensure_ascii=False)
        assert re.fullmatch(r"[A-Za-z0-9_-]+\.ipynb", notebook_file_name(page, settings))


def test_an_embedded_upload_travels_hidden_and_a_large_one_does_not():
    small = NotebookSettings(image="upload", upload_name="s.png", upload_bytes=small_upload())
    nb = notebook("image", small)
    hidden = [cell for cell in nb.cells if cell.get("metadata", {}).get("jupyter", {}).get("source_hidden")]
    assert len(hidden) == 1 and "b64decode" in hidden[0].source
    large = NotebookSettings(image="upload", upload_name="l.png", upload_bytes=large_upload())
    raw = notebook_bytes("image", large)
    assert len(raw) < 100_000 and b"b64decode" not in raw and b"IMAGE_FILE" in raw


# --- finding quant ---------------------------------------------------------------------------


def test_the_first_cell_finds_quant_from_a_folder_below_the_project(tmp_path):
    setup = notebook("image", NotebookSettings()).cells[1].source
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    below = subprocess.run([sys.executable, "-c", setup], cwd=REPO / "tests", env=env, capture_output=True, text=True)
    assert below.returncode == 0, below.stderr
    elsewhere = subprocess.run([sys.executable, "-c", setup], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert elsewhere.returncode != 0 and "set PROJECT_FOLDER" in elsewhere.stderr
    told = setup.replace("PROJECT_FOLDER = None", f"PROJECT_FOLDER = {str(REPO)!r}")
    assert subprocess.run([sys.executable, "-c", told], cwd=tmp_path, env=env, capture_output=True).returncode == 0


def test_no_streamlit_and_no_nbformat_until_a_notebook_is_built():
    probe = textwrap.dedent(
        """
        import sys
        from ui.notebooks import NotebookSettings, code_cells
        code_cells("compare", NotebookSettings())
        assert "streamlit" not in sys.modules, "streamlit"
        assert "nbformat" not in sys.modules, "nbformat"
        """
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --- settings in step with the dashboard ------------------------------------------------------


def test_bad_settings_say_what_is_accepted():
    cases = [
        ("nope", NotebookSettings(), "page must be one of"),
        ("colour_space", NotebookSettings(k=999), "k must be a whole number from 2 to 128"),
        ("image", NotebookSettings(image="../../etc/passwd"), "image must be one of"),
        ("image", NotebookSettings(method="random"), "method must be one of"),
        ("reconstructions", NotebookSettings(sizes=tuple(range(2, 12))), "at most 8"),
        ("image", NotebookSettings(pins=("red",)), "'#rrggbb'"),
        ("image", NotebookSettings(image="upload"), "upload_name"),
        ("compare", NotebookSettings(heatmap=("minibatch", 16)), "heatmap"),
        ("image", NotebookSettings(dither_strength=float("nan")), "dither_strength"),
        ("colour_space", NotebookSettings(by_centre="__import__('os')"), "by_centre must be True or False"),
    ]
    for page, settings, message in cases:
        with pytest.raises(ValueError, match=re.escape(message)):
            notebook(page, settings)


def assignments(path: Path) -> dict[str, object]:
    """The module-level constants of a dashboard file, read without running it (pages and
    ui.compute import Streamlit); names used as dictionary keys resolve to their strings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: dict[str, object] = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else node.target if isinstance(node, ast.AnnAssign) else None
        if not isinstance(target, ast.Name) or node.value is None:
            continue
        value = node.value
        if isinstance(value, ast.Dict):

            def constant(node: ast.expr | None) -> object:
                if isinstance(node, ast.Name) and node.id in names:
                    return names[node.id]
                return ast.literal_eval(node)

            try:
                names[target.id] = {constant(key): constant(item) for key, item in zip(value.keys, value.values)}
            except ValueError:  # not a dictionary of constants (a ** entry, a call)
                continue
        else:
            try:
                names[target.id] = ast.literal_eval(value)
            except ValueError:
                if ast.unparse(value) == "tuple(range(10))":
                    names[target.id] = tuple(range(10))
    return names


def dashboard_constant(name: str) -> object:
    """The one value the dashboard's files give ``name``, wherever it lives now."""
    values = []
    for path in [*sorted((REPO / "ui").rglob("*.py")), *sorted((REPO / "pages").glob("*.py"))]:
        if "notebooks" in path.parts:
            continue
        constants = assignments(path)
        if name in constants:
            values.append((path.relative_to(REPO), constants[name]))
    assert values, f"the dashboard defines no {name}"
    assert len({repr(value) for _, value in values}) == 1, values
    return values[0][1]


def test_work_sizes_and_options_are_the_dashboards():
    for ours, theirs in (
        ("WORK_PIXELS", "WORK_PIXELS"),
        ("CLOUD_SAMPLES", "CLOUD_SAMPLES"),
        ("STEPS_MAX_ITER", "STEPS_MAX_ITER"),
        ("STEPS_BATCH_SIZE", "STEPS_BATCH_SIZE"),
        ("STEPS_TABLE_PIXELS", "STEPS_TABLE_PIXELS"),
        ("STEPS_TABLE_MAX_ITER", "STEPS_TABLE_MAX_ITER"),
        ("STEPS_TABLE_SEEDS", "STEPS_TABLE_SEEDS"),
        ("COMPARE_SIZES", "SIZES"),
        ("BASELINES", "BASELINES"),
        ("COMPARE_TARGETS", "TARGETS"),
        ("RANDOM_SIZE", "RANDOM_SIZE"),
        ("MAX_TILES", "MAX_TILES"),
        ("STORAGE_SIZES", "STORAGE_SIZES"),
        ("SIDEBAR_METHODS", "SIDEBAR_METHODS"),
        ("SPACE_LABELS", "SPACE_LABELS"),
    ):
        assert getattr(notebook_settings, ours) == dashboard_constant(theirs), ours
    labels = dashboard_constant("METHOD_LABELS")
    assert {method: labels[method] for method in notebook_settings.METHOD_LABELS} == notebook_settings.METHOD_LABELS
    assert dashboard_constant("_CLOUD_SEED") == 0  # the notebook draws its cloud with seed 0
    assert tuple(dashboard_constant("ERROR_MEASURES")) == notebook_settings.COMPARE_MEASURES


def test_defaults_are_the_dashboards():
    defaults = dashboard_constant("DEFAULTS")
    ours = {field.name: field.default for field in fields(NotebookSettings)}
    for key, field in (
        ("source", "image"), ("method", "method"), ("space", "space"), ("dither", "dither"),
        ("dither_strength", "dither_strength"), ("dither_kind", "dither_kind"), ("seed", "seed"),
        ("cloud_k", "k"), ("cloud_by_centre", "by_centre"), ("recon_random", "with_random"),
        ("quality_target", "quality_target"), ("steps_k", "steps_k"), ("steps_init", "start"),
        ("steps_seed", "steps_seed"), ("compare_metric", "measure"), ("compare_log", "log_axis"),
        ("compare_target", "target"), ("heatmap_choice", "heatmap"),
    ):
        assert defaults[key] == ours[field], key
    assert list(NotebookSettings().sizes) == defaults["recon_sizes"]
