"""python -m quant with transparency: alpha kept by default, --background flattens (quant.cli_alpha)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import quant
from bench.images_alpha import logo_rgba
from quant.alpha import OPAQUE, TRANSPARENT, visibility
from quant.cli import main
from quant.modes import composite


@pytest.fixture
def logo(tmp_path: Path) -> Path:
    path = tmp_path / "logo.png"
    Image.fromarray(logo_rgba(48)).save(path)
    return path


def records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_alpha_is_kept_by_default(tmp_path: Path, logo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main([str(logo), "--colors", "8", "--json", "--out", str(out), "--jobs", "1"]) == 0
    (record,) = records(capsys.readouterr().out)
    assert record["alpha"] is True and record["changed_visibility"] >= 0 and "background" not in record
    png = (out / "logo-8-kmeans.png").read_bytes()
    assert Image.open(io.BytesIO(png)).mode == "P"
    original, decoded = logo_rgba(48), quant.load_image(png, keep_alpha=True)
    assert decoded.shape == original.shape
    before, after = visibility(original), visibility(decoded)
    assert (after[before == TRANSPARENT] == TRANSPARENT).all() and (after[before == OPAQUE] == OPAQUE).all()
    assert record["changed_visibility"] == int((before != after).sum())
    assert record["mse"] == pytest.approx(quant.metrics(original, decoded, ssim=False).mse)
    entries = json.loads((out / "logo-8-kmeans.json").read_text())["colors"]
    assert sorted(entry["alpha"] for entry in entries)[0] == 0 and len(entries) == record["colors"]


def test_background_flattens_and_names_the_files(tmp_path: Path, logo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main([str(logo), "--colors", "8", "--json", "--out", str(out), "--background", "#202020", "--jobs", "1"]) == 0
    (record,) = records(capsys.readouterr().out)
    assert record["alpha"] is False and record["background"] == "#202020" and "changed_visibility" not in record
    png = out / "logo-8-kmeans-on-202020.png"
    decoded = quant.load_image(png.read_bytes(), keep_alpha=True)
    assert decoded.shape == (48, 48, 3)
    flat = composite(logo_rgba(48), (32, 32, 32))
    assert record["mse"] == pytest.approx(quant.metrics(flat, decoded, ssim=False).mse)
    assert "alpha" not in json.loads((out / "logo-8-kmeans-on-202020.json").read_text())["colors"][0]


@pytest.mark.parametrize("colour", ["nothex", "ff00", "ff0000,00ff00", ""])
def test_a_bad_background_is_a_usage_error(logo: Path, colour: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([str(logo), "--background", colour])
    assert exit_info.value.code == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert len(errors) == 1 and "argument --background" in errors[0]


def test_max_delta_e_keeps_transparency(tmp_path: Path, logo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main([str(logo), "--max-delta-e", "4", "--json", "--out", str(out), "--jobs", "1"]) == 0
    (record,) = records(capsys.readouterr().out)
    assert record["delta_e"] <= 4 and record["alpha"] is True
    written = np.asarray(Image.open(out / Path(record["png_path"]).name).convert("RGBA"))[..., 3]
    original = np.asarray(Image.open(logo).convert("RGBA"))[..., 3]
    assert (written[original == 0] == 0).all() and (written[original == 255] == 255).all()
    assert main([str(logo), "--max-delta-e", "4", "--json", "--out", str(out), "--background", "ffffff", "--jobs", "1"]) == 0
    (record,) = records(capsys.readouterr().out)
    assert record["delta_e"] <= 4 and record["background"] == "#ffffff"


def test_png_level_best_for_a_small_image_with_transparency_and_chosen_by_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logo = tmp_path / "logo-256.png"
    Image.fromarray(logo_rgba(256)).save(logo)
    sizes = {}
    for level in ("9", "6", None):
        out = tmp_path / f"level-{level}"
        extra = [] if level is None else ["--png-level", level]
        assert main([str(logo), "--colors", "16", "--json", "--out", str(out), "--jobs", "1", *extra]) == 0
        (record,) = records(capsys.readouterr().out)
        sizes[level] = (out / Path(record["png_path"]).name).stat().st_size
    assert sizes[None] == sizes["9"] and sizes["9"] < sizes["6"]
    with pytest.raises(SystemExit) as exit_info:
        main([str(logo), "--png-level", "10"])
    assert exit_info.value.code == 2
    assert "from 0 to 9" in capsys.readouterr().err


def test_too_few_colours_for_transparency_is_that_file_s_error(tmp_path: Path, logo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    opaque = tmp_path / "opaque.png"
    Image.fromarray(np.full((8, 8, 3), 90, np.uint8)).save(opaque)
    assert main([str(logo), str(opaque), "--colors", "1", "--json", "--out", str(tmp_path / "out"), "--jobs", "1"]) == 1
    captured = capsys.readouterr()
    assert "ask for at least 2" in captured.err
    (record,) = records(captured.out)
    assert record["image"] == str(opaque) and "alpha" not in record
