"""Tests of the command line (quant.cli and python -m quant); every image is made in tmp_path."""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import quant
from quant.cli import main

REPO_ROOT = Path(__file__).resolve().parents[1]

RECORD_KEYS = {
    "image", "method", "space", "dither", "dither_kind", "n_colors", "colors", "mse", "psnr",
    "ssim", "delta_e", "png_bytes", "png_path", "seconds",
}


# --- helpers --------------------------------------------------------------------------


def write_image(path: Path, *, seed: int = 0, height: int = 20, width: int = 24) -> Path:
    """A small noisy gradient (many distinct colours, big enough for SSIM's 7 x 7 window)."""
    rng = np.random.default_rng(seed)
    rows = np.linspace(0, 200, height)[:, None]
    cols = np.linspace(0, 200, width)[None, :]
    base = np.stack([rows + 0 * cols, cols + 0 * rows, (rows + cols) / 2], axis=2)
    noise = rng.integers(0, 50, size=(height, width, 3))
    Image.fromarray((base + noise).clip(0, 255).astype(np.uint8)).save(path)
    return path


def json_records(text: str) -> list[dict]:
    # parse_constant rejects the NaN/Infinity extensions that json.dumps would allow.
    def refuse(name: str) -> None:
        raise AssertionError(f"not valid JSON: {name}")

    return [json.loads(line, parse_constant=refuse) for line in text.splitlines()]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def photos(tmp_path: Path) -> list[Path]:
    return [write_image(tmp_path / f"photo{i}.png", seed=i) for i in range(2)]


# --- good files -----------------------------------------------------------------------


def test_writes_indexed_png_and_palettes_named_after_image_size_and_method(tmp_path, photos, capsys):
    out = tmp_path / "out" / "nested"  # created by the command

    status = main([*map(str, photos), "--colors", "2", "5", "--out", str(out)])

    assert status == 0
    captured = capsys.readouterr()
    assert captured.err == ""  # not a terminal: no progress line
    expected_names = {
        f"{photo.stem}-{k}-kmeans{ext}" for photo in photos for k in (2, 5) for ext in (".png", ".gpl", ".json")
    }
    assert {path.name for path in out.iterdir()} == expected_names
    for photo in photos:
        image = quant.load_image(photo)
        for k in (2, 5):
            expected = quant.quantize(image, k, method="kmeans", space="rgb", dither=False, seed=0)
            with Image.open(out / f"{photo.stem}-{k}-kmeans.png") as written:
                assert written.format == "PNG"
                assert written.mode == "P"
                np.testing.assert_array_equal(np.asarray(written.convert("RGB")), expected.image)
            gpl = (out / f"{photo.stem}-{k}-kmeans.gpl").read_text(encoding="utf-8")
            assert gpl == quant.palette_gpl(expected.palette, f"{photo.stem}-{k}-kmeans")
            palette = json.loads((out / f"{photo.stem}-{k}-kmeans.json").read_text(encoding="utf-8"))
            assert [entry["rgb"] for entry in palette["colors"]] == expected.palette.tolist()


def test_table_has_a_header_and_one_row_per_result(tmp_path, photos, capsys):
    status = main([str(photos[0]), "--colors", "3", "4", "--out", str(tmp_path)])

    assert status == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].split()[:2] == ["image", "colors"]
    for line, k in zip(lines[1:], (3, 4)):
        assert line.startswith(str(photos[0]))
        assert f"/{k} " in line
        assert line.endswith(f"{photos[0].stem}-{k}-kmeans.png")
    # Aligned: each column starts at the same place in the header and in every row.
    assert len({line.index("method" if i == 0 else "kmeans") for i, line in enumerate(lines)}) == 1


def test_json_lines_have_every_key_with_sensible_values(tmp_path, photos, capsys):
    out = tmp_path / "out"
    args = [str(photos[0]), str(photos[1]), "--colors", "2", "2", "6", "--method", "median-cut"]

    status = main([*args, "--out", str(out), "--json", "--seed", "3"])

    assert status == 0
    records = json_records(capsys.readouterr().out)
    # The repeated size is done once.
    assert [(r["image"], r["n_colors"]) for r in records] == [
        (str(photos[0]), 2), (str(photos[0]), 6), (str(photos[1]), 2), (str(photos[1]), 6),
    ]
    for record in records:
        assert set(record) == RECORD_KEYS
        assert record["method"] == "median-cut"
        assert record["space"] == "rgb"
        assert record["dither"] == 0.0 and record["dither_kind"] == "diffusion"
        assert 1 <= record["colors"] <= record["n_colors"]
        assert record["mse"] > 0
        assert record["psnr"] == pytest.approx(10 * math.log10(255**2 / record["mse"]))
        assert -1 <= record["ssim"] <= 1
        assert record["delta_e"] > 0
        assert record["png_bytes"] == os.path.getsize(record["png_path"])
        assert Path(record["png_path"]).parent == out
        assert record["seconds"] >= 0


def test_exact_reconstruction_reports_psnr_as_null_and_tiny_image_ssim_as_null(tmp_path, capsys):
    two_colours = np.zeros((4, 5, 3), dtype=np.uint8)
    two_colours[:2] = (200, 30, 30)
    Image.fromarray(two_colours).save(tmp_path / "flat.png")

    status = main([str(tmp_path / "flat.png"), "--colors", "8", "--out", str(tmp_path), "--json"])

    assert status == 0
    (record,) = json_records(capsys.readouterr().out)
    assert record["mse"] == 0
    assert record["psnr"] is None  # infinite: JSON has no infinity
    assert record["ssim"] is None  # under 7 pixels on a side
    assert record["colors"] == 2


# --- options change names, seeds fix bytes --------------------------------------------


def test_dither_and_lab_are_in_the_file_names(tmp_path, photos):
    photo = str(photos[0])
    out = tmp_path / "out"
    for extra in ([], ["--dither"], ["--space", "lab"], ["--space", "lab", "--dither"]):
        assert main([photo, "--colors", "4", "--out", str(out), *extra]) == 0

    pngs = sorted(path.name for path in out.glob("*.png"))
    assert pngs == [
        "photo0-4-kmeans-dither.png",
        "photo0-4-kmeans-lab-dither.png",
        "photo0-4-kmeans-lab.png",
        "photo0-4-kmeans.png",
    ]
    # Different options, different pictures: nothing was overwritten by a later run.
    assert len({(out / name).read_bytes() for name in pngs}) == 4


def test_dither_strength_is_in_the_name_the_record_and_the_library_result(tmp_path, photos, capsys):
    photo = str(photos[0])
    out = tmp_path / "out"
    for extra in (["--dither", "0.5"], ["--dither=1"], ["--dither", "0"]):
        assert main([photo, "--colors", "4", "--out", str(out), "--json", *extra]) == 0
    records = json_records(capsys.readouterr().out)
    assert [r["dither"] for r in records] == [0.5, 1.0, 0.0]
    assert [Path(r["png_path"]).name for r in records] == [
        "photo0-4-kmeans-dither0.5.png", "photo0-4-kmeans-dither.png", "photo0-4-kmeans.png",
    ]
    image = quant.load_image(photo)
    for record, strength in zip(records, (0.5, 1.0, 0.0)):
        expected = quant.quantize(image, 4, dither=strength)
        with Image.open(record["png_path"]) as png:
            np.testing.assert_array_equal(np.asarray(png.convert("RGB")), expected.image)
        assert record["mse"] == pytest.approx(expected.mse, rel=1e-12)
    assert main([photo, "--colors", "4", "--out", str(out), "--dither", "0.25"]) == 0
    row = capsys.readouterr().out.splitlines()[1]
    assert " 0.25 " in row and row.endswith("photo0-4-kmeans-dither0.25.png")


def test_ordered_dithering_has_its_own_name_record_and_library_result(tmp_path, photos, capsys):
    photo = str(photos[0])
    out = tmp_path / "out"
    for extra in (["--dither", "--ordered"], ["--dither", "0.5", "--ordered"], ["--dither"]):
        assert main([photo, "--colors", "4", "--out", str(out), "--json", *extra]) == 0
    records = json_records(capsys.readouterr().out)
    assert [r["dither_kind"] for r in records] == ["ordered", "ordered", "diffusion"]
    assert [Path(r["png_path"]).name for r in records] == [
        "photo0-4-kmeans-ordered.png", "photo0-4-kmeans-ordered0.5.png", "photo0-4-kmeans-dither.png",
    ]
    image = quant.load_image(photo)
    for record, strength in zip(records[:2], (1.0, 0.5)):
        expected = quant.quantize(image, 4, dither=strength, dither_kind="ordered")
        with Image.open(record["png_path"]) as png:
            np.testing.assert_array_equal(np.asarray(png.convert("RGB")), expected.image)
        assert record["mse"] == pytest.approx(expected.mse, rel=1e-12)
    assert main([photo, "--colors", "4", "--out", str(out), "--dither", "--ordered"]) == 0
    row = capsys.readouterr().out.splitlines()[1]
    assert " ord " in row and row.endswith("photo0-4-kmeans-ordered.png")


def test_ordered_without_dither_is_a_usage_error(tmp_path, photos, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([str(photos[0]), "--out", str(tmp_path / "out"), "--ordered"])
    assert exit_info.value.code == 2
    assert "argument --ordered: needs --dither" in capsys.readouterr().err


@pytest.mark.parametrize("strength", ["1.5", "-0.2", "strong", "nan"])
def test_impossible_dither_strength_is_a_usage_error(tmp_path, photos, capsys, strength):
    with pytest.raises(SystemExit) as exit_info:
        main([str(photos[0]), "--out", str(tmp_path / "out"), "--dither", strength])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "argument --dither" in err and "from 0 to 1" in err and repr(strength) in err


def test_same_seed_gives_the_same_bytes(tmp_path, photos):
    for run in ("first", "second"):
        args = [str(photos[0]), "--colors", "3", "7", "--seed", "11", "--out", str(tmp_path / run)]
        assert main(args) == 0

    first = {path.name: path.read_bytes() for path in (tmp_path / "first").iterdir()}
    second = {path.name: path.read_bytes() for path in (tmp_path / "second").iterdir()}
    assert len(first) == 6
    assert first == second


# --- bad files ------------------------------------------------------------------------


def test_bad_files_are_reported_once_each_and_the_good_ones_still_done(tmp_path, photos, capsys):
    text = tmp_path / "notes.png"
    text.write_text("not a picture\n", encoding="utf-8")
    missing = tmp_path / "missing.png"
    out = tmp_path / "out"

    status = main([str(photos[0]), str(text), str(missing), str(photos[1]), "--colors", "2", "--out", str(out)])

    assert status == 1
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"quant: {text}: ")
    assert "looks like text" in errors[0]
    assert errors[1].startswith(f"quant: {missing}: ")
    assert "There is no file" in errors[1]
    assert "Traceback" not in captured.err
    assert (out / "photo0-2-kmeans.png").is_file()
    assert (out / "photo1-2-kmeans.png").is_file()
    assert not list(out.glob("notes*")) and not list(out.glob("missing*"))
    assert len(captured.out.splitlines()) == 3  # header and the two good results


def test_output_that_cannot_be_written_is_a_bad_file_not_a_traceback(tmp_path, photos, capsys):
    out = tmp_path / "out"
    (out / "photo0-2-kmeans.png").mkdir(parents=True)  # in the way of the file

    status = main([str(photos[0]), str(photos[1]), "--colors", "2", "--out", str(out)])

    assert status == 1
    (error,) = capsys.readouterr().err.splitlines()
    assert error.startswith(f"quant: {photos[0]}: ")
    assert "photo0-2-kmeans.png" in error
    assert (out / "photo1-2-kmeans.png").is_file()


def test_two_images_with_the_same_stem_do_not_overwrite_each_other(tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_image(tmp_path / "a" / "photo.png", seed=1)
    second = write_image(tmp_path / "b" / "photo.png", seed=2)
    out = tmp_path / "out"

    status = main([str(first), str(second), "--colors", "2", "--out", str(out), "--json"])

    assert status == 1
    captured = capsys.readouterr()
    (error,) = captured.err.splitlines()
    assert error.startswith(f"quant: {second}: ") and "overwrite" in error
    assert [record["image"] for record in json_records(captured.out)] == [str(first)]


# --- usage errors ---------------------------------------------------------------------


@pytest.mark.parametrize("colors", ["0", "300", "-4", "many"])
def test_impossible_palette_size_is_a_usage_error(tmp_path, photos, capsys, colors):
    with pytest.raises(SystemExit) as exit_info:
        main([str(photos[0]), "--colors", "8", colors, "--out", str(tmp_path / "out")])

    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "argument --colors" in err
    assert "from 1 to 256" in err and repr(colors) in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("seed", ["-1", "4294967296", "1.5", "lucky"])
def test_impossible_seed_is_a_usage_error(tmp_path, photos, capsys, seed):
    with pytest.raises(SystemExit) as exit_info:
        main([str(photos[0]), "--seed", seed, "--out", str(tmp_path / "out")])

    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "argument --seed" in err and "from 0 to 4294967295" in err and repr(seed) in err
    assert not (tmp_path / "out").exists()


def test_unknown_method_is_a_usage_error(photos, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([str(photos[0]), "--method", "magic"])

    assert exit_info.value.code == 2
    assert "invalid choice: 'magic'" in capsys.readouterr().err


# --- progress -------------------------------------------------------------------------


def test_progress_is_shown_on_a_terminal_and_cleared(tmp_path, photos, monkeypatch, capsys):
    third = write_image(tmp_path / "photo2.png", seed=2)
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)

    status = main([*map(str, photos), str(third), "--colors", "2", "--out", str(tmp_path / "out"), "--json"])

    assert status == 0
    shown = terminal.getvalue()
    for done, name in enumerate(["photo0.png", "photo1.png", "photo2.png"], start=1):
        assert f"\r[{done}/3] {name} k=2" in shown
    assert shown.endswith("\r")  # the line is blanked out at the end
    assert "\n" not in shown
    assert len(json_records(capsys.readouterr().out)) == 3  # stdout stays clean JSON


def test_no_progress_for_a_short_run_even_on_a_terminal(tmp_path, photos, monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)

    assert main([str(photos[0]), "--colors", "2", "3", "--out", str(tmp_path / "out")]) == 0
    assert terminal.getvalue() == ""


# --- the module entry point -----------------------------------------------------------


def test_python_dash_m_quant_runs_the_command_line(tmp_path, photos):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}

    completed = subprocess.run(
        [sys.executable, "-m", "quant", str(photos[0]), str(bad), "--colors", "4", "--out", str(out), "--json"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )

    assert completed.returncode == 1
    (record,) = json_records(completed.stdout)
    assert record["image"] == str(photos[0]) and record["colors"] == 4
    assert completed.stderr.splitlines() == [f"quant: {bad}: 'bad.png' is empty (0 bytes); expected a PNG, JPEG, WebP, GIF, BMP or TIFF image."]
    assert (out / "photo0-4-kmeans.png").is_file()


# --- --max-delta-e: the smallest palette for a quality target -------------------------


def test_max_delta_e_names_the_smallest_size_and_agrees_with_the_library(tmp_path, photos, capsys):
    out = tmp_path / "out"
    status = main([str(photos[0]), "--max-delta-e", "6", "--json", "--out", str(out)])

    assert status == 0
    (record,) = json_records(capsys.readouterr().out)
    assert set(record) == RECORD_KEYS | {"max_delta_e", "palettes_tried"}
    k = record["n_colors"]
    assert record["max_delta_e"] == 6.0 and record["delta_e"] <= 6.0
    assert record["palettes_tried"] >= 2
    image = quant.load_image(photos[0])
    assert k == quant.smallest_palette(image, max_delta_e=6.0).n_colors
    # One colour fewer misses the target, measured on the pixels.
    fewer = quant.quantize(image, k - 1)
    assert quant.metrics(image, fewer.image, ssim=False).delta_e > 6.0
    with Image.open(out / f"{photos[0].stem}-{k}-kmeans.png") as written:
        assert len(written.getpalette()) // 3 >= record["colors"]
        np.testing.assert_array_equal(np.asarray(written.convert("RGB")), quant.quantize(image, k).image)


def test_max_delta_e_that_256_colours_miss_is_reported_for_that_file(tmp_path, photos, capsys):
    status = main([str(photos[0]), "--max-delta-e", "0.001", "--out", str(tmp_path)])

    assert status == 1
    err = capsys.readouterr().err
    assert err.startswith(f"quant: {photos[0]}: No palette of at most 256 colours")


@pytest.mark.parametrize("target", ["0", "-1", "nan", "inf", "good"])
def test_impossible_target_is_a_usage_error(tmp_path, photos, capsys, target):
    with pytest.raises(SystemExit) as exit_info:
        main([str(photos[0]), f"--max-delta-e={target}", "--out", str(tmp_path / "out")])

    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "argument --max-delta-e" in err and repr(target) in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("other", [["--colors", "8"], ["--dither"]])
def test_max_delta_e_excludes_colors_and_dither(tmp_path, photos, capsys, other):
    with pytest.raises(SystemExit) as exit_info:
        main([str(photos[0]), "--max-delta-e", "3", *other])

    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "not allowed with" in err and "--max-delta-e" in err


# --- --pin, --palette, --list-palettes ----------------------------------------------------


def test_pins_are_in_every_palette_the_name_and_the_record(tmp_path, photos, capsys):
    out = tmp_path / "out"
    status = main([str(photos[0]), "--colors", "3", "5", "--pin", "ffffff,#d03030", "--pin", "d03030", "--out", str(out), "--json"])

    assert status == 0
    records = json_records(capsys.readouterr().out)
    image = quant.load_image(photos[0])
    for record, k in zip(records, (3, 5)):
        assert set(record) == RECORD_KEYS | {"pinned"}
        assert record["pinned"] == ["#ffffff", "#d03030"]
        assert Path(record["png_path"]).name == f"photo0-{k}-kmeans-pin-ffffff-d03030.png"
        expected = quant.quantize(image, k, fixed=[(255, 255, 255), (208, 48, 48)])
        with Image.open(record["png_path"]) as png:
            np.testing.assert_array_equal(np.asarray(png.convert("RGB")), expected.image)
        palette = json.loads((out / f"photo0-{k}-kmeans-pin-ffffff-d03030.json").read_text(encoding="utf-8"))
        assert {"#ffffff", "#d03030"} <= {entry["hex"] for entry in palette["colors"]}


def test_many_pins_are_named_by_their_number_and_a_digest(tmp_path, photos, capsys):
    pins = "000000,ffffff,ff0000,00ff00"
    assert main([str(photos[0]), "--colors", "6", "--pin", pins, "--out", str(tmp_path), "--json"]) == 0
    (record,) = json_records(capsys.readouterr().out)
    assert Path(record["png_path"]).name.startswith("photo0-6-kmeans-pins4-")
    assert main([str(photos[0]), "--colors", "6", "--pin", "000000,ffffff,ff0000,0000ff", "--out", str(tmp_path), "--json"]) == 0
    (other,) = json_records(capsys.readouterr().out)
    assert other["png_path"] != record["png_path"]


def test_pins_with_max_delta_e(tmp_path, photos, capsys):
    assert main([str(photos[0]), "--max-delta-e", "8", "--pin", "0000ff", "--out", str(tmp_path), "--json"]) == 0
    (record,) = json_records(capsys.readouterr().out)
    assert record["pinned"] == ["#0000ff"] and record["delta_e"] <= 8.0
    image = quant.load_image(photos[0])
    assert record["n_colors"] == quant.smallest_fit(image, max_delta_e=8.0, fixed=[(0, 0, 255)]).n_colors


@pytest.mark.parametrize(
    ("pin", "message"),
    [
        ("ff00zz", "'ff00zz' is not a colour"),
        ("", "no colour in ''"),
        ("12345", "'12345' is not a colour"),
    ],
)
def test_a_bad_pin_is_a_usage_error(tmp_path, photos, capsys, pin, message):
    with pytest.raises(SystemExit) as exit_info:
        main([str(photos[0]), "--pin", pin, "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    (line,) = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert "argument --pin" in line and message in line
    assert not (tmp_path / "out").exists()


def test_more_pins_than_colours_is_a_usage_error(tmp_path, photos, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([str(photos[0]), "--colors", "2", "8", "--pin", "ff0000,00ff00,0000ff"])
    assert exit_info.value.code == 2
    assert "3 colours pinned, more than the palette of 2" in capsys.readouterr().err


@pytest.mark.parametrize("extra", [[], ["--dither"], ["--dither", "0.5", "--ordered"], ["--space", "lab"]])
def test_a_preset_palette_maps_without_fitting(tmp_path, photos, capsys, extra):
    out = tmp_path / "out"
    assert main([str(photos[0]), "--palette", "PICO-8", "--out", str(out), "--json", *extra]) == 0
    (record,) = json_records(capsys.readouterr().out)
    assert set(record) == RECORD_KEYS | {"palette"}
    assert record["palette"] == "pico-8" and record["method"] == "palette" and record["n_colors"] == 16
    image = quant.load_image(photos[0])
    options = {"space": "lab"} if "lab" in extra else {}
    if "--dither" in extra:
        options = {"dither": 0.5 if "0.5" in extra else 1.0, "dither_kind": "ordered" if "--ordered" in extra else "diffusion"}
    expected = quant.map_to_palette(image, quant.PALETTES["pico-8"], **options)
    with Image.open(record["png_path"]) as png:
        np.testing.assert_array_equal(np.asarray(png.convert("RGB")), expected.image)
    assert record["mse"] == pytest.approx(expected.mse, rel=1e-12)
    assert Path(record["png_path"]).name.startswith("photo0-pico-8")
    pico = {tuple(row) for row in quant.PALETTES["pico-8"].tolist()}
    assert {tuple(row) for row in expected.image.reshape(-1, 3).tolist()} <= pico


def test_a_palette_file_maps_and_is_named_in_the_record(tmp_path, photos, capsys):
    colors = np.array([[0, 0, 0], [255, 255, 255], [200, 40, 40]], dtype=np.uint8)
    palette_file = tmp_path / "mine.gpl"
    palette_file.write_text(quant.palette_gpl(colors, "mine"), encoding="utf-8")
    assert main([str(photos[0]), "--palette", str(palette_file), "--out", str(tmp_path / "out"), "--json"]) == 0
    (record,) = json_records(capsys.readouterr().out)
    assert record["palette"] == str(palette_file) and record["n_colors"] == 3
    assert Path(record["png_path"]).name == "photo0-mine.png"
    expected = quant.map_to_palette(quant.load_image(photos[0]), colors)
    assert record["mse"] == pytest.approx(expected.mse, rel=1e-12)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--palette", "pico8"], "There is no file at 'pico8'"),
        (["--palette", "notes.txt"], "not a palette in a recognised format"),
        (["--palette", "pico-8", "--colors", "4"], "not allowed with"),
        (["--palette", "pico-8", "--max-delta-e", "3"], "not allowed with"),
        (["--palette", "pico-8", "--pin", "ff0000"], "argument --palette: not allowed with --pin"),
        (["--palette", "pico-8", "--method", "octree"], "argument --palette: not allowed with --method"),
    ],
)
def test_a_bad_palette_or_combination_is_a_usage_error(tmp_path, photos, capsys, monkeypatch, args, message):
    (tmp_path / "notes.txt").write_text("not a palette\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main([str(photos[0]), *args, "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    (line,) = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert message in line
    if args[1] == "pico8":
        assert "or the name of a preset: pico-8" in line
    assert not (tmp_path / "out").exists()


def test_list_palettes_prints_names_and_sizes(capsys):
    assert main(["--list-palettes"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(quant.PALETTES)
    for line, (name, colors) in zip(lines, quant.PALETTES.items()):
        assert line.split()[:2] == [name, str(len(colors))]


def test_images_are_still_required_without_list_palettes(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--colors", "4"])
    assert exit_info.value.code == 2
    assert "the following arguments are required: IMAGE" in capsys.readouterr().err
