"""The command line: quantize image files to several palette sizes and report the error.

``python -m quant IMAGE [IMAGE ...] --colors 16 32 64`` runs, for each image and each
palette size, the same functions the dashboard uses: :func:`quant.load_image`,
:func:`quant.quantize`, :func:`quant.metrics` and :func:`quant.indexed_png`. Each run
writes an indexed PNG and its palette (GIMP ``.gpl`` and ``.json``) to the output
folder and prints one line: an aligned table row, or a JSON object with ``--json``.
``--max-delta-e DE`` instead of ``--colors`` makes one result per image, with the fewest
colours whose mean CIEDE2000 error is at most DE (:func:`quant.smallest_fit`).
``--pin HEX,...`` keeps some colours in every palette exactly (``fixed=``), and
``--palette NAME|FILE`` maps each image to a preset (:data:`quant.PALETTES`) or a
palette file (:func:`quant.read_palette`) instead of fitting one
(:func:`quant.map_to_palette`); ``--list-palettes`` names the presets. Images are done
several at once, in processes (``--jobs N``), and printed in order; the engine
(scikit-learn and scikit-image take seconds) is imported after the arguments are parsed.
Transparency is kept (an RGBA PNG with tRNS out), or flattened with ``--background``
(:mod:`quant.cli_alpha`).

A file that cannot be read is reported on stderr as ``quant: PATH: MESSAGE``; the
other files are still done and the exit status is 1 at the end. Usage errors exit
with status 2, as argparse does.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import hashlib
import json
import math
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import threadpoolctl

import quant
from quant import cli_alpha, parallel
from quant.progress import Progress
from quant.progress import wanted as progress_wanted

__all__ = ["build_parser", "main", "output_stem"]

DEFAULT_COLORS = (16, 32, 64)
"""Palette sizes tried when ``--colors`` is not given."""

_DESCRIPTION = """\
Reduce images to palettes of a few colours and measure what is lost.

For each image and palette size, write an indexed PNG and its palette (.gpl for
GIMP, Inkscape and Krita, and .json) to the output folder, and report MSE, PSNR,
SSIM, mean CIEDE2000 colour difference (ΔE00) and the size of the PNG.
"""

_EPILOG = """\
example:
  python -m quant photo.jpg scan.png --colors 8 16 32 --space lab --out palettes
      writes palettes/photo-8-kmeans-lab.png, .gpl and .json, and so on for every
      image and size, and prints one table row per result.

  python -m quant *.jpg --json > results.jsonl
      one JSON object per result (JSON Lines), for a notebook or a spreadsheet.

  python -m quant photo.jpg --max-delta-e 2.3 --json
      the fewest colours whose mean colour error is at most 2.3 (n_colors in the JSON).

  python -m quant logo.png --colors 8 --pin ffffff,#d03030
      8-colour palettes that hold white and that red exactly (logo-8-kmeans-pin-...).

  python -m quant logo.png --colors 16
      transparency kept: logo-16-kmeans.png has a tRNS chunk; --background ffffff
      flattens it on white instead (logo-16-kmeans-on-ffffff.png).

  python -m quant photo.jpg --palette pico-8 --dither
      the photo in the 16 colours of PICO-8, dithered (photo-pico-8-dither.png);
      --palette also takes a palette file (.gpl, .ase, hex list, .json, .csv,
      indexed PNG or GIF), and --list-palettes names the presets.

--colors takes every argument up to the next option, and --dither a number right
after it, so give the images first.
Exit status: 0 if every file was done, 1 if any file could not be read or
written, 2 for a usage error.
"""


def _strength(text: str) -> float:
    """argparse type of ``--dither``'s optional strength: a number from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(
            f"the dithering strength must be a number from 0 to 1, got {text!r} (give the images before --dither)"
        )
    return value


def _whole_number(low: int, high: int, what: str) -> Callable[[str], int]:
    """An argparse type that accepts a whole number from ``low`` to ``high``; ``what``
    starts the message for anything else (``"palette sizes must be whole numbers"``)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what} from {low} to {high}, got {text!r}")
        return value

    return parse


_seed = _whole_number(0, quant.MAX_SEED, "the seed must be a whole number")
"""argparse type of ``--seed``."""

_palette_size = _whole_number(1, quant.MAX_COLORS, "palette sizes must be whole numbers")
"""argparse type of ``--colors``."""


def _delta_e_target(text: str) -> float:
    """argparse type of ``--max-delta-e``: a positive, finite number."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"the target must be a positive number such as 2.3, got {text!r}")
    return value


def _pins(text: str) -> np.ndarray:
    """argparse type of ``--pin``: hex colours separated by commas or spaces."""
    try:
        colors = quant.parse_colors(text)
    except quant.ImageError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    if colors.shape[0] == 0:
        raise argparse.ArgumentTypeError(f"no colour in {text!r}; give hex colours such as ff0000,#00ff00")
    return colors


@dataclass(frozen=True)
class _Palette:
    """A palette given with ``--palette``: what the record calls it, what file names
    call it, and its colours."""

    name: str
    stem: str
    colors: np.ndarray


def _palette(text: str) -> _Palette:
    """argparse type of ``--palette``: a preset's name, or a palette file."""
    if text.lower() in quant.PALETTES:
        return _Palette(text.lower(), text.lower(), quant.PALETTES[text.lower()])
    try:
        return _Palette(text, Path(text).stem, quant.read_palette(text))
    except quant.ImageError as err:
        message = str(err).replace("\n", " ")
        if not Path(text).exists():
            message = f"{message.rstrip('.')}, or the name of a preset: {', '.join(quant.PALETTES)}."
        raise argparse.ArgumentTypeError(message) from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m quant``."""
    parser = argparse.ArgumentParser(
        prog="python -m quant",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "images", metavar="IMAGE", nargs="*",
        help=f"image files to quantize ({', '.join(quant.ALLOWED_FORMATS)})",
    )
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument(
        "--colors", metavar="K", nargs="+", type=_palette_size, default=list(DEFAULT_COLORS),
        help=(
            f"palette sizes, each 1 to {quant.MAX_COLORS} "
            f"(default: {' '.join(map(str, DEFAULT_COLORS))})"
        ),
    )
    sizes.add_argument(
        "--max-delta-e", metavar="DE", type=_delta_e_target, default=None,
        help=(
            "instead of --colors: the fewest colours whose mean CIEDE2000 error is at "
            "most DE (about 1 is invisible, 2.3 just noticeable); the JSON's n_colors is the size found"
        ),
    )
    sizes.add_argument(
        "--palette", metavar="NAME|FILE", type=_palette, default=None,
        help=(
            "instead of fitting: map each image to a preset palette (see --list-palettes) or "
            "the colours of a palette file; n_colors is then the palette's size"
        ),
    )
    parser.add_argument(
        "--pin", metavar="HEX[,HEX...]", type=_pins, action="append", default=None,
        help=(
            "colours every palette holds exactly, the others fitted around them "
            "(e.g. ffffff,#d03030); may be repeated"
        ),
    )
    parser.add_argument(
        "--list-palettes", action="store_true",
        help="print the preset palettes' names and sizes, and exit",
    )
    parser.add_argument(
        "--method", choices=quant.METHODS, default=None,
        help="how the palette is made (default: kmeans)",
    )
    parser.add_argument(
        "--space", choices=quant.SPACES, default="rgb",
        help="colour space in which distances are measured (default: rgb)",
    )
    parser.add_argument(
        "--dither", metavar="STRENGTH", nargs="?", type=_strength, const=1.0, default=0.0,
        help=(
            "map pixels by error diffusion, at a strength from 0 to 1 "
            "(default without a number: 1; 0 is no dithering)"
        ),
    )
    parser.add_argument(
        "--ordered", action="store_true",
        help="with --dither: an ordered 8x8 Bayer pattern instead of error diffusion",
    )
    parser.add_argument(
        "--seed", type=_seed, default=0,
        help="seed of the random parts; the same seed gives the same files (default: 0)",
    )
    parser.add_argument(
        "--out", metavar="DIR", type=Path, default=Path("."),
        help="folder for the output files, created if missing (default: .)",
    )
    parser.add_argument(
        "--json", action="store_true",
        help="print one JSON object per result (JSON Lines) instead of a table",
    )
    cli_alpha.add_arguments(parser)
    parser.add_argument(
        "--jobs", metavar="N", type=_whole_number(1, 1024, "the number of jobs must be a whole number"), default=None,
        help=f"images done at once, each in its own process (default: every core, here {parallel._usable_cores()}); "
        "the output is in the order of the images either way",
    )
    return parser


def output_stem(
    image_path: str | os.PathLike[str],
    n_colors: int,
    *,
    method: str,
    space: str,
    dither: float,
    ordered: bool = False,
    pins: np.ndarray | None = None,
    palette: str | None = None,
) -> str:
    """File name, without extension, of one result: ``photo-32-kmeans[-pin-...][-lab][-dither]``
    (``-dither`` at full strength, ``-dither0.5`` at 0.5; ``-ordered``, ``-ordered0.5``
    for ordered dithering), or ``photo-pico-8[-lab][-dither]`` for a given palette
    (its name, or its file's name without extension).

    Every option that changes the result and is not a default appears in the name, so
    runs with different options write side by side instead of over each other: up to
    three pins by their hex codes (``-pin-ffffff-d03030``), more by their number and a
    digest of them (``-pins5-1a2b3c``).
    """
    parts = [Path(image_path).stem]
    parts += [palette] if palette is not None else [str(n_colors), method]
    if pins is not None and len(pins):
        codes = [quant.palette_hex(pins[i : i + 1])[0].lstrip("#") for i in range(len(pins))]
        if len(codes) <= 3:
            parts += ["pin", *codes]
        else:
            parts += [f"pins{len(codes)}", hashlib.sha1(",".join(codes).encode()).hexdigest()[:6]]
    if space != "rgb":
        parts.append(space)
    if dither:
        kind = "ordered" if ordered else "dither"
        parts.append(kind if dither == 1.0 else f"{kind}{dither:g}")
    return "-".join(parts)


def _run_one(image: Any, image_path: str, n_colors: int | None, args: argparse.Namespace) -> dict[str, Any]:
    """Quantize, measure and write one result; return its JSON record.

    ``n_colors`` None means the smallest palette that meets ``args.max_delta_e``.
    """
    started = time.perf_counter()
    search = None
    dither_kind = "ordered" if args.ordered else "diffusion"
    if args.palette is not None:
        result = quant.map_to_palette(
            image, args.palette.colors, space=args.space, dither=args.dither, dither_kind=dither_kind
        )
        n_colors = result.n_colors
    elif n_colors is None:
        search = quant.smallest_fit(
            image, max_delta_e=args.max_delta_e, method=args.method, space=args.space, seed=args.seed, fixed=args.pins
        )
        n_colors = search.n_colors
        result = quant.apply_palette(image, search.fit)
    else:
        result = quant.quantize(
            image, n_colors, method=args.method, space=args.space, dither=args.dither, seed=args.seed,
            dither_kind=dither_kind, fixed=args.pins,
        )
    scores = quant.metrics(image, result, ssim=True)
    png = quant.indexed_png(result, compress_level=cli_alpha.png_level(image, args))
    seconds = time.perf_counter() - started

    stem = output_stem(
        image_path, n_colors, method=args.method, space=args.space, dither=args.dither, ordered=args.ordered,
        pins=args.pins, palette=None if args.palette is None else args.palette.stem,
    ) + cli_alpha.stem_suffix(args)
    png_path = args.out / f"{stem}.png"
    png_path.write_bytes(png)
    (args.out / f"{stem}.gpl").write_text(quant.palette_gpl(result.palette, stem, alpha=result.alpha), encoding="utf-8")
    alpha = None if result.transparency is None else result.alpha
    (args.out / f"{stem}.json").write_text(quant.palette_json(result.palette, result.counts, alpha=alpha) + "\n", encoding="utf-8")

    record = {
        "image": image_path,
        "method": result.method,
        "space": args.space,
        "dither": float(args.dither),
        "dither_kind": result.dither_kind,
        "n_colors": n_colors,
        "colors": result.k,
        "mse": scores.mse,
        # JSON has no infinity; an exact reconstruction has no finite PSNR.
        "psnr": scores.psnr if math.isfinite(scores.psnr) else None,
        "ssim": scores.ssim,
        "delta_e": scores.delta_e,
        "png_bytes": len(png),
        "png_path": str(png_path),
        "seconds": round(seconds, 4),
        **cli_alpha.record_fields(image, scores, args),
    }
    if search is not None:
        record["max_delta_e"] = search.max_delta_e
        record["palettes_tried"] = len(search.tried) + len(search.guide_tried)
    if args.pins is not None:
        record["pinned"] = quant.palette_hex(args.pins)
    if args.palette is not None:
        record["palette"] = args.palette.name
    return record


@dataclass(frozen=True)
class _Failure:
    """Why a file's results stop: the message printed after ``quant: PATH: ``."""

    message: str


_Outcome = dict[str, Any] | _Failure  # a result's record, or why a file's results stop


def _file_results(image_path: str, sizes: list[int | None], args: argparse.Namespace, show: Callable[[int, str], None]) -> Iterator[_Outcome]:
    """Load one image and yield the record of each size in turn, or a :class:`_Failure`
    that ends them; ``show(i, text)`` is told before the loading (0) and each size (i)."""
    source = Path(image_path)
    show(0, f"{source.name} loading")
    try:
        image = cli_alpha.load(source, args)
    except (quant.ImageError, OSError) as err:
        yield _Failure(_reason(err))
        return
    for size_index, n_colors in enumerate(sizes):
        show(size_index, f"{source.name} {_run_label(n_colors, args)}")
        try:
            yield _run_one(image, image_path, n_colors, args)
        except (quant.ImageError, OSError) as err:
            # Output that cannot be written for one size cannot be for the next.
            yield _Failure(_reason(err))
            return


def _run_label(n_colors: int | None, args: argparse.Namespace) -> str:
    """How the progress line names a run: ``k=32``, ``ΔE≤2.3`` or the palette's name."""
    if args.palette is not None:
        return args.palette.name
    return f"k={n_colors}" if n_colors is not None else f"ΔE≤{args.max_delta_e:g}"


def _all_file_results(image_path: str, sizes: list[int | None], args: argparse.Namespace) -> list[_Outcome]:
    """:func:`_file_results` as a list: what a process of the pool sends back."""
    return list(_file_results(image_path, sizes, args, lambda index, text: None))


def _start_worker(jobs: int) -> None:
    """Set up one of a pool of ``jobs`` processes, which share the cores out between them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to answer
    atexit.register(gc.freeze)  # see quant/__main__.py: the pool waits for its processes to end
    # Native pools at one thread: those loaded already (numpy's BLAS), and those loaded later.
    os.environ.update(dict.fromkeys(("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"), "1"))
    threadpoolctl.threadpool_limits(limits=1)
    parallel.WORKERS = max(1, min(parallel.WORKERS, parallel._usable_cores() // jobs))


@contextmanager
def _results(todo: list[str], sizes: list[int | None], args: argparse.Namespace, jobs: int) -> Iterator[Callable[..., Iterable[_Outcome]]]:
    """``results_of(path, show)``: the outcomes of one image of ``todo``, done here when asked
    for (``jobs`` 1) or by a pool of ``jobs`` processes that takes them all up in order and
    is waited on; leaving on an exception (Ctrl-C, a closed pipe) stops the pool at once."""
    if jobs <= 1:
        yield lambda path, show: _file_results(path, sizes, args, show)
        return
    # Here, not at the top: one image, the usual case, need not import them (10-15 ms).
    import multiprocessing
    from concurrent.futures.process import BrokenProcessPool, ProcessPoolExecutor

    started_before = set(multiprocessing.active_children())
    # spawn: a fresh interpreter per process, never a copy of this one's threads.
    pool = ProcessPoolExecutor(jobs, multiprocessing.get_context("spawn"), _start_worker, (jobs,))
    futures = {path: pool.submit(_all_file_results, path, sizes, args) for path in todo}

    def results_of(path: str, show: Callable[[int, str], None]) -> list[_Outcome]:
        show(0, f"{Path(path).name} {_run_label(sizes[0], args)}")  # what is waited for first
        try:
            return futures[path].result()
        except BrokenProcessPool:
            return [_Failure("the process quantizing it stopped before the end (out of memory?)")]

    try:
        yield results_of
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        for process in set(multiprocessing.active_children()) - started_before:
            process.terminate()  # what it was doing would only be thrown away
        raise
    pool.shutdown()


def _distinct_pins(groups: list[np.ndarray]) -> np.ndarray:
    """The colours of every ``--pin``, in order, each once."""
    pins = np.concatenate(groups)
    _, first = np.unique(pins, axis=0, return_index=True)
    return pins[np.sort(first)]


def _table_header(image_width: int) -> str:
    return (
        f"{'image':<{image_width}}  {'colors':>7}  {'method':<10}  {'space':<5}  {'dither':<6}"
        f"  {'MSE':>9}  {'PSNR dB':>7}  {'SSIM':>6}  {'ΔE00':>6}  {'PNG bytes':>10}  {'seconds':>7}  file"
    )


def _table_row(record: dict[str, Any], image_width: int) -> str:
    colors = f"{record['colors']}/{record['n_colors']}"
    psnr = "inf" if record["psnr"] is None else f"{record['psnr']:.2f}"
    ssim = "-" if record["ssim"] is None else f"{record['ssim']:.4f}"
    dither = "no" if not record["dither"] else "yes" if record["dither"] == 1.0 else f"{record['dither']:g}"
    if record["dither"] and record.get("dither_kind") == "ordered":
        dither = "ord" if record["dither"] == 1.0 else f"o{record['dither']:g}"
    return (
        f"{record['image']:<{image_width}}  {colors:>7}  {record['method']:<10}  {record['space']:<5}  {dither:<6}"
        f"  {record['mse']:>9.2f}  {psnr:>7}  {ssim:>6}  {record['delta_e']:>6.2f}"
        f"  {record['png_bytes']:>10,}  {record['seconds']:>7.2f}  {record['png_path']}"
    )


def _reason(err: BaseException) -> str:
    """The user-facing message of an ImageError, or the OS's words for an OSError."""
    if isinstance(err, OSError) and err.strerror:
        target = f" ({err.filename})" if err.filename else ""
        return f"{err.strerror}{target}"
    return str(err)


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Usage errors raise ``SystemExit(2)`` from argparse, after printing the usage.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list_palettes:
        width = max(map(len, quant.PALETTES))
        for name, colors in quant.PALETTES.items():
            print(f"{name:<{width}}  {len(colors):>3} colours", file=sys.stdout)
        return 0
    if not args.images:
        parser.error("the following arguments are required: IMAGE")
    # Asking twice for the same file or size would only redo identical work.
    images = list(dict.fromkeys(args.images))
    args.pins = None if args.pin is None else _distinct_pins(args.pin)
    if args.palette is not None:
        for option, given in (("--pin", args.pins is not None), ("--method", args.method is not None)):
            if given:
                parser.error(f"argument --palette: not allowed with {option} (the palette is used as it is, not fitted)")
        sizes: list[int | None] = [len(args.palette.colors)]
    else:
        # None: one run per image, whose size the --max-delta-e search chooses.
        sizes = [None] if args.max_delta_e is not None else list(dict.fromkeys(args.colors))
    args.method = args.method or "kmeans"
    if args.pins is not None and args.max_delta_e is None and args.palette is None and min(sizes) < len(args.pins):
        parser.error(
            f"argument --pin: {len(args.pins)} colours pinned, more than the palette of {min(sizes)} "
            f"(--colors); pin at most {min(sizes)}"
        )
    if args.max_delta_e is not None and args.dither:
        parser.error("argument --max-delta-e: not allowed with --dither (the target is met without dithering)")
    if args.ordered and not args.dither:
        parser.error("argument --ordered: needs --dither (it chooses how to dither)")
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        parser.error(f"argument --out: cannot create the folder '{args.out}': {err.strerror or err}")

    # a/photo.jpg and b/photo.png would write the same output files: the first one given does.
    owners = {Path(path).stem: Path(path).resolve() for path in reversed(images)}  # stem -> that file
    todo = [path for path in images if owners[Path(path).stem] == Path(path).resolve()]
    jobs = min(args.jobs or parallel._usable_cores(), len(todo))

    stdout, stderr = sys.stdout, sys.stderr
    total = len(images) * len(sizes)
    progress = Progress(stderr, total, enabled=progress_wanted(stderr, len(images), total))
    image_width = max(len("image"), *(len(path) for path in images))
    header_done = False
    failed = False

    def report(path: str, message: str) -> None:
        nonlocal failed
        failed = True
        progress.clear()
        print(f"quant: {path}: {message}", file=stderr, flush=True)

    def emit(record: dict[str, Any]) -> None:
        nonlocal header_done
        progress.clear()
        if args.json:
            print(json.dumps(record, allow_nan=False), file=stdout, flush=True)
            return
        if not header_done:
            print(_table_header(image_width), file=stdout)
            header_done = True
        print(_table_row(record, image_width), file=stdout, flush=True)

    try:
        with _results(todo, sizes, args, jobs) as results_of:
            for image_index, image_path in enumerate(images):
                if (owner := owners[Path(image_path).stem]) != Path(image_path).resolve():
                    report(image_path, f"its output files would overwrite those of '{owner}'; rename one of them")
                    continue
                first_job = image_index * len(sizes) + 1
                for outcome in results_of(image_path, lambda offset, label, first=first_job: progress.show(first + offset, label)):
                    if isinstance(outcome, _Failure):
                        report(image_path, outcome.message)
                    else:
                        emit(outcome)
    except KeyboardInterrupt:
        progress.clear()
        print("quant: interrupted", file=stderr)
        return 130
    except BrokenPipeError:
        # The reader (head, less) went away: stop quietly. Point stdout at devnull so
        # the interpreter's final flush does not fail again with a traceback.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), stdout.fileno())
        except (OSError, ValueError):  # not a real file descriptor: nothing to flush
            pass
        return 1
    progress.clear()
    return 1 if failed else 0
