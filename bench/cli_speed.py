"""The command line's speed: first contact, one photo, and forty, against pngquant.

    python -m bench.cli_speed                    # 3 repeats, median (about 3 min here)
    python -m bench.cli_speed --repeats 5 --markdown cli_speed.md

Every cell is the wall time of whole commands in fresh processes, as a person at a
shell waits for them, the median of ``--repeats`` runs, and the CPU time (user +
system, of the command and every process it started) of the same runs; the repeats
go round the commands in turn, so a busy spell of a shared machine falls on all of
them alike. On a machine others keep busy the wall times spread widely; the CPU
times much less. Compare the ratios within one run:

- ``python -c pass``: the interpreter's own start, the floor of any Python command, and
  ``python -c "import numpy, PIL.Image"``, the floor of any command that reads a picture
  into NumPy;
- ``python -m quant --help`` and a bad argument (``--colors 0``, exit status 2);
- one 0.24 MP photo at 32 colours: ``python -m quant PHOTO --colors 32 --json``
  against ``pngquant --nofs 32`` (no dithering, as quant), on scikit-learn's
  ``china.jpg`` and ``flower.jpg`` resized to 600 × 400 and on a noisy photo
  (``china.jpg`` resized, with Gaussian noise of σ = 10 levels); the MSE of each
  result is measured the same way (:func:`quant.metrics`);
- forty such photos (crops of the two sample photos, every third one noisy):
  ``python -m quant`` on all forty with ``--jobs 1`` and with ``--jobs N`` (every
  core), against ``pngquant --nofs 32`` run on each one after another (pngquant is
  single-threaded).

Then where the time of one photo goes, measured inside one fresh process per repeat
(imports, loading, ``quantize``, ``metrics`` and the scikit-image they import, the PNG),
and which of the packages only some paths need (scikit-learn, scipy, scikit-image,
Numba) one photo imports. Without pngquant on the PATH its cells say "pngquant not
installed".
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as `python bench/cli_speed.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image
from sklearn.datasets import load_sample_image

import quant
from bench.common import machine, make_photo

REPO_ROOT = Path(__file__).resolve().parents[1]
SIZE = (600, 400)
"""Width and height of every photo: 0.24 megapixels."""

N_COLORS = 32
N_MANY = 40
NOT_INSTALLED = "pngquant not installed"
USAGE_ERROR = "python -m quant photo.png --colors 0"
NUMPY_FLOOR = "python -c 'import numpy, PIL.Image'"
HEAVY = ("sklearn", "scipy", "skimage", "numba")
"""Packages only some paths need."""

_STAGES = r"""
import json, sys, time
from pathlib import Path
times = {}
mark = time.perf_counter()
def lap(name):
    global mark
    now = time.perf_counter(); times[name] = now - mark; mark = now
import quant, quant.cli; lap("import quant and its command line (numpy, Pillow)")
image = quant.load_image(sys.argv[1]); lap("load the photo")
result = quant.quantize(image, int(sys.argv[2])); lap("quantize (k-means, NumPy)")
import quant.metrics; lap("import quant.metrics (NumPy only)")
scores = quant.metrics(image, result, ssim=True); lap("metrics (MSE, PSNR, SSIM, ΔE00)")
png = quant.indexed_png(result); lap("indexed PNG")
print(json.dumps(times))
"""
"""Times the stages of one photo in a fresh process; argv: the photo, k."""

_LOADED = r"""
import json, sys
from quant.cli import main
status = main([sys.argv[1], "--colors", sys.argv[2], "--json", "--out", sys.argv[3]])
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[4:]))))
"""
"""Runs one photo through the command line's default path in a fresh process and prints
which of the packages named after the photo, k and output folder it imported."""


def photos(folder: Path) -> tuple[dict[str, Path], list[Path]]:
    """The three single photos (name -> file) and the forty, written as PNG into ``folder``."""
    samples = {name: load_sample_image(f"{name}.jpg") for name in ("china", "flower")}
    noisy = make_photo(SIZE, seed=0, noise=10.0)
    singles = {
        "china.jpg, 600×400": Image.fromarray(samples["china"]).resize(SIZE, Image.Resampling.LANCZOS),
        "flower.jpg, 600×400": Image.fromarray(samples["flower"]).resize(SIZE, Image.Resampling.LANCZOS),
        "noisy photo, 600×400": Image.fromarray(noisy),
    }
    single_paths = {}
    for index, (name, image) in enumerate(singles.items()):
        single_paths[name] = folder / f"single{index}.png"
        image.save(single_paths[name])
    rng = np.random.default_rng(0)
    many = []
    for index in range(N_MANY):
        source = samples["china" if index % 2 == 0 else "flower"]
        height, width = source.shape[:2]
        scale = rng.uniform(0.6, 1.0)
        crop_w, crop_h = int(width * scale), int(height * scale)
        left, top = int(rng.integers(0, width - crop_w + 1)), int(rng.integers(0, height - crop_h + 1))
        crop = Image.fromarray(source[top : top + crop_h, left : left + crop_w]).resize(SIZE, Image.Resampling.LANCZOS)
        pixels = np.asarray(crop, dtype=np.float32)
        if index % 3 == 2:
            pixels = np.clip(np.rint(pixels + rng.normal(0.0, 6.0, size=pixels.shape)), 0, 255)
        path = folder / "many" / f"photo{index:02d}.png"
        path.parent.mkdir(exist_ok=True)
        Image.fromarray(pixels.astype(np.uint8)).save(path)
        many.append(path)
    return single_paths, many


def _environment() -> dict[str, str]:
    """The benchmark's environment for its commands: this checkout first on the path, and
    bytecode written as an installed package has it (this machine's shell sets
    PYTHONDONTWRITEBYTECODE, which would recompile quant's changed modules on every run)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]))
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: Sequence[str], *, cwd: Path, allowed: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Wall and CPU seconds of one command; its exit status must be one of ``allowed``."""
    cpu, started = _children_cpu(), time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, env=_environment(), capture_output=True, check=False)
    seconds = time.perf_counter() - started
    if completed.returncode not in allowed:
        raise RuntimeError(f"{' '.join(map(str, command))} exited with {completed.returncode}: {completed.stderr.decode()[-2000:]}")
    return seconds, _children_cpu() - cpu


def quant_command(paths: Sequence[Path], out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "quant", *map(str, paths), "--colors", str(N_COLORS), "--json", "--out", str(out), *extra]


def pngquant_command(path: Path, out: Path) -> list[str]:
    return ["pngquant", "--nofs", "--force", "--output", str(out / f"{path.stem}-pngquant.png"), str(N_COLORS), str(path)]


def measure(folder: Path, repeats: int, jobs: int) -> tuple[dict[str, list[tuple[float, float]]], dict[str, dict[str, float]]]:
    """Every row's (wall, CPU) seconds, and the distinct colours and MSE (quant's and
    pngquant's) of each single photo."""
    singles, many = photos(folder)
    out = folder / "out"
    out.mkdir()
    has_pngquant = shutil.which("pngquant") is not None
    python = [sys.executable]
    cases: dict[str, Callable[[], tuple[float, float]]] = {
        "python -c pass": lambda: run([*python, "-c", "pass"], cwd=folder),
        NUMPY_FLOOR: lambda: run([*python, "-c", "import numpy, PIL.Image"], cwd=folder),
        "python -m quant --help": lambda: run([*python, "-m", "quant", "--help"], cwd=folder),
        USAGE_ERROR: lambda: run(
            [*python, "-m", "quant", "photo.png", "--colors", "0"], cwd=folder, allowed=(2,)
        ),
    }
    for name, path in singles.items():
        cases[f"one photo: quant, {name}"] = lambda path=path: run(quant_command([path], out), cwd=folder)
        if has_pngquant:
            cases[f"one photo: pngquant, {name}"] = lambda path=path: run(pngquant_command(path, out), cwd=folder)
    cases[f"{N_MANY} photos: quant --jobs 1"] = lambda: run(quant_command(many, out, "--jobs", "1"), cwd=folder)
    cases[f"{N_MANY} photos: quant --jobs {jobs}"] = lambda: run(quant_command(many, out, "--jobs", str(jobs)), cwd=folder)
    if has_pngquant:
        cases[f"{N_MANY} photos: pngquant, one after another"] = lambda: tuple(
            map(sum, zip(*(run(pngquant_command(path, out), cwd=folder) for path in many)))
        )
    for case in cases.values():  # warm-up: disk caches, and bytecode written once
        case()
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, case in cases.items():
            times[name].append(case())

    errors: dict[str, dict[str, float]] = {}
    for name, path in singles.items():
        image = quant.load_image(path)
        errors[name] = {"colours": quant.count_colors(image)}
        record = json.loads(subprocess.run(
            quant_command([path], out), cwd=folder, env=_environment(), capture_output=True, check=True
        ).stdout)
        errors[name]["quant"] = record["mse"]
        if has_pngquant:
            theirs = quant.load_image(out / f"{path.stem}-pngquant.png")
            errors[name]["pngquant"] = quant.metrics(image, theirs, ssim=False).mse
    return times, errors


def stages(folder: Path, repeats: int) -> dict[str, list[float]]:
    """Seconds of each stage of one photo (the noisy one) in fresh processes."""
    path = folder / "single2.png"
    laps: dict[str, list[float]] = {}
    for _ in range(repeats):
        completed = subprocess.run(
            [sys.executable, "-c", _STAGES, str(path), str(N_COLORS)],
            cwd=folder, env=_environment(), capture_output=True, check=True, text=True,
        )
        for name, seconds in json.loads(completed.stdout).items():
            laps.setdefault(name, []).append(seconds)
    return laps


def loaded(folder: Path) -> list[str]:
    """Which of :data:`HEAVY` one photo through ``python -m quant``'s default path imports."""
    completed = subprocess.run(
        [sys.executable, "-c", _LOADED, str(folder / "single2.png"), str(N_COLORS), str(folder / "out"), *HEAVY],
        cwd=folder, env=_environment(), capture_output=True, check=True, text=True,
    )
    return json.loads(completed.stdout.splitlines()[-1])


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.2f}"


def render(
    times: dict[str, list[tuple[float, float]]],
    errors: dict[str, dict[str, float]],
    laps: dict[str, list[float]],
    jobs: int,
    heavy: list[str],
) -> str:
    """The markdown tables and the lines under them."""
    wall = {name: statistics.median(run[0] for run in runs) for name, runs in times.items()}
    cpu = {name: statistics.median(run[1] for run in runs) for name, runs in times.items()}

    def row(name: str, label: str, versus: str) -> str:
        runs = ", ".join(f"{seconds:.2f}" for seconds, _ in times[name])
        return f"| {label} | {wall[name]:.2f} | {runs} | {cpu[name]:.2f} | {versus} |"

    def ratio(ours: str, theirs: str) -> str:
        return f"{wall[ours] / wall[theirs]:.2f}× pngquant's wall time, {cpu[ours] / cpu[theirs]:.2f}× its CPU time"

    lines = ["| command | wall s (median) | wall s, each run | CPU s (median) | compared with |", "|---|---:|---|---:|---|"]
    lines.append(row("python -c pass", "`python -c pass`", "the interpreter's start"))
    lines.append(row(NUMPY_FLOOR, '`python -c "import numpy, PIL.Image"`', f"+{wall[NUMPY_FLOOR] - wall['python -c pass']:.2f} s over `python -c pass`"))
    for name, label in (("python -m quant --help", "`python -m quant --help`"), (USAGE_ERROR, "`python -m quant photo.png --colors 0` (exit 2)")):
        lines.append(row(name, label, f"+{wall[name] - wall['python -c pass']:.2f} s over `python -c pass`"))
    for name, error in errors.items():
        ours, theirs = f"one photo: quant, {name}", f"one photo: pngquant, {name}"
        if theirs in times:
            lines.append(row(ours, f"one photo, k={N_COLORS}: quant, {name}", f"{ratio(ours, theirs)}; MSE {error['quant']:.1f} vs {error['pngquant']:.1f}"))
            lines.append(row(theirs, f"one photo, k={N_COLORS}: pngquant --nofs, {name}", ""))
        else:
            lines.append(row(ours, f"one photo, k={N_COLORS}: quant, {name}", f"{NOT_INSTALLED}; MSE {error['quant']:.1f}"))
    sequential = f"{N_MANY} photos: pngquant, one after another"
    for name in (f"{N_MANY} photos: quant --jobs 1", f"{N_MANY} photos: quant --jobs {jobs}"):
        lines.append(row(name, f"{name}, k={N_COLORS}", ratio(name, sequential) if sequential in times else NOT_INSTALLED))
    if sequential in times:
        lines.append(row(sequential, f"{sequential} (--nofs)", ""))
    lines += ["", "Distinct colours: " + ", ".join(f"{name} {error['colours']:,}" for name, error in errors.items()) + "."]
    lines += ["", f"Where one photo's time goes (the noisy one, k={N_COLORS}, wall time inside a fresh process, after the interpreter's start):", ""]
    lines += ["| stage | s (median) | s, each run |", "|---|---:|---|"]
    lines += [f"| {name} | {_median(values)} | {', '.join(f'{value:.2f}' for value in values)} |" for name, values in laps.items()]
    names = ", ".join(heavy) if heavy else "none"
    lines += ["", f"Of {', '.join(HEAVY)}, one photo through `python -m quant`'s default path imports: {names}."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cli_speed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of every command; the table gives the median (default: 3)")
    parser.add_argument("--markdown", type=Path, default=None, help="also write the table to this file")
    args = parser.parse_args(argv)
    jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    started = time.perf_counter()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    with tempfile.TemporaryDirectory() as folder:
        times, errors = measure(Path(folder), args.repeats, jobs)
        laps = stages(Path(folder), args.repeats)
        heavy = loaded(Path(folder))
    pngquant = NOT_INSTALLED
    if shutil.which("pngquant"):
        pngquant = "pngquant " + subprocess.run(["pngquant", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    when = f"{time.strftime('%Y-%m-%d')}, load average {load:.1f} at the start and {os.getloadavg()[0]:.1f} at the end"
    text = "\n".join([
        render(times, errors, laps, jobs, heavy),
        "",
        f"- Machine: {machine()}; {pngquant}.",
        f"- {when}; whole run {time.perf_counter() - started:.0f} s.",
    ])
    print(text)
    if args.markdown is not None:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
