"""Tests of the command line's first contact and of --jobs: --help without the engine,
`import quant` without scikit-learn, one photo without scikit-learn or Numba, and images done in a pool of processes, printed in
order and the same as one at a time. Behaviour only: the timings are bench/cli_speed.py's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import quant
from quant.cli import main
from tests.test_cli import json_records, write_image

REPO_ROOT = Path(__file__).resolve().parents[1]

HEAVY = ("sklearn", "skimage", "numba", "scipy")
"""What only some paths need, and `import quant` or --help should not import."""


def run_python(code: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, *(["-c", code] if code else []), *args],
        capture_output=True, text=True, env=env, cwd=cwd or REPO_ROOT, timeout=300, check=False,
    )


def heavy_modules_after(statements: str) -> list[str]:
    """The heavy packages loaded in a fresh interpreter after ``statements``."""
    code = f"{statements}\nimport json, sys\nprint(json.dumps(sorted(name for name in {HEAVY!r} if name in sys.modules)))"
    completed = run_python(code)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.splitlines()[-1])


def without_timing(record: dict) -> dict:
    return {key: value for key, value in record.items() if key != "seconds"}


@pytest.fixture
def mixed_photos(tmp_path: Path) -> list[Path]:
    """A large first image (done last by a pool), then small ones, and a bad one in the middle."""
    photos = [write_image(tmp_path / "big.png", seed=9, height=160, width=200)]
    photos += [write_image(tmp_path / f"small{i}.png", seed=i) for i in range(3)]
    bad = tmp_path / "notes.png"
    bad.write_text("not a picture\n", encoding="utf-8")
    photos.insert(2, bad)
    return photos


# --- first contact: nothing heavy before it is needed ------------------------------------


def test_import_quant_imports_no_heavy_package() -> None:
    assert heavy_modules_after("import quant") == []


def test_the_names_the_parser_needs_import_no_heavy_package() -> None:
    statements = "import quant\nquant.MAX_COLORS, quant.ALLOWED_FORMATS, quant.METHODS\nfrom quant.cli import build_parser\nbuild_parser()"
    assert heavy_modules_after(statements) == []


@pytest.mark.parametrize("argv", [["--help"], ["photo.png", "--colors", "0"], ["photo.png", "--jobs", "0"]])
def test_help_and_usage_errors_answer_before_the_engine_is_imported(argv: list[str]) -> None:
    statements = f"from quant.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit as exit:\n    print(exit.code)"
    assert heavy_modules_after(statements) == []


def one_photo_on_the_default_path(tmp_path: Path) -> list[str]:
    """The heavy packages loaded by one photo through the command line's default path
    (k-means in RGB, 32 colours, no dithering, PNG out, a JSON line)."""
    photo = write_image(tmp_path / "photo.png", seed=1, height=40, width=50)
    argv = [str(photo), "--colors", "32", "--json", "--out", str(tmp_path / "out")]
    return heavy_modules_after(f"from quant.cli import main\nassert main({argv!r}) == 0")


def test_one_photo_on_the_default_path_imports_neither_scikit_learn_nor_numba(tmp_path: Path) -> None:
    loaded = one_photo_on_the_default_path(tmp_path)
    assert "sklearn" not in loaded and "numba" not in loaded, loaded


def test_one_photo_on_the_default_path_imports_no_heavy_package(tmp_path: Path) -> None:
    # The JSON line's SSIM and ΔE are quant.colour_math's, not scikit-image's (which imports scipy).
    assert one_photo_on_the_default_path(tmp_path) == []


def test_python_dash_m_quant_help_works() -> None:
    completed = run_python("", "-m", "quant", "--help")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("usage: python -m quant")
    assert "--jobs N" in completed.stdout and "--colors K" in completed.stdout
    assert completed.stderr == ""


def test_every_public_name_is_there_when_asked_for() -> None:
    assert set(quant.__all__) <= set(dir(quant))
    for name in quant.__all__:
        assert getattr(quant, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'quantise'"):
        quant.quantise  # noqa: B018


def test_quant_metrics_stays_the_function_after_its_module_is_imported() -> None:
    code = "import quant\nimport quant.search\nfrom quant import metrics\nprint(callable(quant.metrics), quant.metrics is metrics)"
    completed = run_python(code)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["True", "True"]


# --- --jobs --------------------------------------------------------------------------------


def test_jobs_give_the_same_lines_in_the_order_of_the_images(tmp_path, mixed_photos, capsys) -> None:
    args = [*map(str, mixed_photos), "--colors", "3", "7", "--json"]
    assert main([*args, "--jobs", "1", "--out", str(tmp_path / "one")]) == 1
    one = capsys.readouterr()
    assert main([*args, "--jobs", "2", "--out", str(tmp_path / "two")]) == 1
    two = capsys.readouterr()

    one_records, two_records = json_records(one.out), json_records(two.out)
    good = [str(path) for path in mixed_photos if path.name != "notes.png"]
    assert [(r["image"], r["n_colors"]) for r in two_records] == [(path, k) for path in good for k in (3, 7)]
    assert len(one_records) == len(two_records) == 8
    for first, second in zip(one_records, two_records):
        first["png_path"] = Path(first["png_path"]).name
        second["png_path"] = Path(second["png_path"]).name
        assert without_timing(first) == without_timing(second)
    assert one.err == two.err
    for name in ("big-3-kmeans.png", "small2-7-kmeans.gpl", "small0-3-kmeans.json"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_a_bad_file_among_good_ones_is_reported_once_and_the_rest_done(tmp_path, mixed_photos, capsys) -> None:
    missing = tmp_path / "missing.png"
    out = tmp_path / "out"
    status = main([*map(str, mixed_photos), str(missing), "--colors", "4", "--jobs", "2", "--out", str(out)])

    assert status == 1
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"quant: {tmp_path / 'notes.png'}: ") and "looks like text" in errors[0]
    assert errors[1].startswith(f"quant: {missing}: ") and "There is no file" in errors[1]
    assert "Traceback" not in captured.err
    lines = captured.out.splitlines()
    assert len(lines) == 5  # header and the four good images, in order
    assert [line.split()[0] for line in lines[1:]] == [str(path) for path in mixed_photos if path.name != "notes.png"]
    assert sorted(path.name for path in out.glob("*.png")) == ["big-4-kmeans.png", *(f"small{i}-4-kmeans.png" for i in range(3))]


def test_same_stem_in_a_pool_is_reported_and_the_first_one_kept(tmp_path, capsys) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_image(tmp_path / "a" / "photo.png", seed=1)
    second = write_image(tmp_path / "b" / "photo.png", seed=2)
    other = write_image(tmp_path / "other.png", seed=3)

    status = main([str(first), str(second), str(other), "--colors", "2", "--jobs", "2", "--out", str(tmp_path / "out"), "--json"])

    assert status == 1
    captured = capsys.readouterr()
    (error,) = captured.err.splitlines()
    assert error.startswith(f"quant: {second}: ") and "overwrite" in error
    assert [record["image"] for record in json_records(captured.out)] == [str(first), str(other)]


def test_python_dash_m_quant_with_jobs(tmp_path) -> None:
    photos = [write_image(tmp_path / f"photo{i}.png", seed=i) for i in range(3)]
    completed = run_python("", "-m", "quant", *map(str, photos), "--colors", "2", "--jobs", "3", "--json", "--out", "out", cwd=tmp_path)

    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    assert [record["image"] for record in json_records(completed.stdout)] == list(map(str, photos))
    assert sorted(path.name for path in (tmp_path / "out").glob("*.png")) == [f"photo{i}-2-kmeans.png" for i in range(3)]


def test_a_process_of_the_pool_runs_single_threaded() -> None:
    code = (
        "from quant import cli, parallel\n"
        "cli._start_worker(2)\n"
        "import sklearn.cluster, threadpoolctl\n"  # loaded after, as the engine is
        "print(parallel.WORKERS <= max(1, parallel._usable_cores() // 2))\n"
        "print(sorted({pool['num_threads'] for pool in threadpoolctl.threadpool_info()}))"
    )
    completed = run_python(code)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == ["True", "[1]"]


@pytest.mark.parametrize("jobs", ["0", "-2", "two"])
def test_impossible_jobs_is_a_usage_error(tmp_path, capsys, jobs) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["photo.png", "--jobs", jobs, "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "argument --jobs" in err and "from 1 to 1024" in err and repr(jobs) in err
    assert not (tmp_path / "out").exists()


# --- the benchmark -------------------------------------------------------------------------


def test_the_speed_benchmark_says_pngquant_is_missing_instead_of_failing() -> None:
    from bench.cli_speed import N_MANY, NUMPY_FLOOR, USAGE_ERROR, render

    times = {
        "python -c pass": [(0.05, 0.04)], NUMPY_FLOOR: [(0.12, 0.1)], "python -m quant --help": [(0.2, 0.15)],
        USAGE_ERROR: [(0.2, 0.15)], "one photo: quant, china": [(2.0, 1.9)],
        f"{N_MANY} photos: quant --jobs 1": [(12.0, 11.0)], f"{N_MANY} photos: quant --jobs 2": [(8.0, 14.0)],
    }
    table = render(times, {"china": {"colours": 1000, "quant": 50.0}}, {"load the photo": [0.02]}, 2, ["scipy"])
    rows = [line for line in table.splitlines() if "quant, china" in line or "photos: quant" in line]
    assert len(rows) == 3 and all("pngquant not installed" in row for row in rows)
    assert "+0.15 s over `python -c pass`" in table and "+0.07 s over `python -c pass`" in table
    assert table.endswith("one photo through `python -m quant`'s default path imports: scipy.")
