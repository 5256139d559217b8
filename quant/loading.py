"""Turn whatever a user hands us into an (H, W, 3) uint8 RGB array (or RGBA, if asked), safely.

Every image enters the toolkit through :func:`load_image`, from a path, raw bytes or
an uploaded file object. It is the one place that deals with untrusted files, so it:

* decodes only a short list of raster formats (:data:`ALLOWED_FORMATS`), so that
  PostScript, PDF and other exotic plugins (and Ghostscript behind EPS) are never run;
* reads the size from the header and refuses images over a pixel budget
  (:data:`MAX_PIXELS`) before any pixel data is decoded;
* decodes the first frame of an animation only;
* applies the EXIF orientation, so the array is upright as a viewer would show it;
* maps every Pillow mode to 8-bit RGB, scaling 16- and 32-bit data instead of clipping
  it and compositing transparency on white, or, with ``keep_alpha=True``, keeps the
  transparency of an image that has some as a fourth channel (:mod:`quant.modes`);
* turns every failure into one :class:`~quant.errors.ImageError` whose message says
  what was received and what is accepted.

:func:`downscale` shrinks an image to a pixel budget for interactive work,
:func:`image_digest` gives a content hash for cache keys, and :func:`check_image`
validates an image array for the other modules.
"""

from __future__ import annotations

import hashlib
import io
import math
import operator
import os
import warnings
from pathlib import Path
from typing import IO, Union

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from quant.errors import ImageError
from quant.modes import frame_to_array

__all__ = [
    "ALLOWED_FORMATS",
    "MAX_PIXELS",
    "ImageSource",
    "check_image",
    "downscale",
    "image_digest",
    "load_image",
]

MAX_PIXELS = 50_000_000
"""Default pixel budget of :func:`load_image` (width × height), read at call time."""

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF")
"""Pillow format names :func:`load_image` decodes; every other plugin is never tried."""

ImageSource = Union[str, os.PathLike, bytes, bytearray, memoryview, IO[bytes]]
"""What :func:`load_image` accepts: a path, the encoded bytes, or a binary file object."""

_FORMATS_LIST = "PNG, JPEG, WebP, GIF, BMP or TIFF"
_FORMATS_TUPLE = "(PNG, JPEG, WebP, GIF, BMP, TIFF)"

# Pillow raises these for malformed files; a decoder can also fail with the less
# obvious ones on crafted input, and all of them mean "this file cannot be read".
_DECODE_ERRORS = (OSError, ValueError, EOFError, SyntaxError, IndexError, KeyError)

# First bytes of files people upload by mistake, to name what they sent. Only formats
# whose signature is unambiguous are listed; anything else is "not an image".
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%!PS", "a PostScript/EPS file"),
    (b"\xc5\xd0\xd3\xc6", "a PostScript/EPS file"),
    (b"%PDF", "a PDF document"),
    (b"\x00\x00\x01\x00", "an ICO icon"),
    (b"\x00\x00\x02\x00", "a CUR cursor"),
    (b"icns", "an ICNS icon"),
    (b"8BPS", "a Photoshop (PSD) file"),
    (b"qoif", "a QOI image"),
    (b"DDS ", "a DDS texture"),
    (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image"),
    (b"\xff\x4f\xff\x51", "a JPEG 2000 codestream"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
)
_ALLOWED_SIGNATURES = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
    b"II+\x00",
    b"MM\x00+",
)


def check_image(image: np.ndarray, name: str = "image", *, alpha: bool = False) -> np.ndarray:
    """Check that `image` is an (H, W, 3) uint8 RGB array with at least one pixel.

    Parameters
    ----------
    image : numpy.ndarray
        The array to check.
    name : str, optional
        What to call the array in the error message.
    alpha : bool, default False
        Also accept an (H, W, 4) uint8 RGBA array (straight alpha).

    Returns
    -------
    numpy.ndarray
        `image` itself, unchanged.

    Raises
    ------
    TypeError
        If `image` is not a numpy array.
    ValueError
        If it does not have shape (H, W, 3) (or (H, W, 4) with `alpha`) with H, W >= 1
        and dtype uint8. This is a programming error, so it is a plain ValueError, not
        an ImageError.
    """
    shapes = "(H, W, 3) or (H, W, 4)" if alpha else "(H, W, 3)"
    if not isinstance(image, np.ndarray):
        raise TypeError(
            f"{name} must be an {shapes} uint8 numpy array, got {type(image).__name__}"
        )
    channels = (3, 4) if alpha else (3,)
    if image.ndim != 3 or image.shape[2] not in channels or image.dtype != np.uint8 or image.size == 0:
        raise ValueError(
            f"{name} must be an {shapes} uint8 array with at least one pixel, "
            f"got shape {image.shape} and dtype {image.dtype}"
        )
    return image


def load_image(source: ImageSource, *, max_pixels: int | None = None, keep_alpha: bool = False) -> np.ndarray:
    """Decode an image file into an upright (H, W, 3) uint8 RGB array, or RGBA if asked.

    Parameters
    ----------
    source : str, os.PathLike, bytes, bytearray, memoryview or binary file object
        A path to the file, the encoded file itself, or an open binary file object
        such as ``io.BytesIO`` or Streamlit's ``UploadedFile``. A file object is read
        from its start and its position is restored afterwards; nothing is written to
        disk.
    max_pixels : int, optional
        Largest accepted width × height, checked against the header before any pixel
        data is decoded. ``None`` (the default) means the value of
        :data:`MAX_PIXELS` at the time of the call.
    keep_alpha : bool, default False
        ``False`` (the default, the loader's behaviour from the start): transparency
        is composited on white and the array is always (H, W, 3). ``True``: an image
        whose transparency leaves some pixel with alpha below 255 comes back as an
        (H, W, 4) straight (not premultiplied) RGBA array; one without transparency,
        or whose alpha is 255 everywhere, still as (H, W, 3). Code that expects three
        channels is never handed four unless it asks.

    Returns
    -------
    numpy.ndarray
        A new C-contiguous, writeable (H, W, 3) uint8 RGB array, or (H, W, 4) RGBA
        with ``keep_alpha=True`` (see above).

    Raises
    ------
    ImageError
        If the file is missing, empty, not in one of :data:`ALLOWED_FORMATS`,
        truncated or corrupt, or larger than `max_pixels`. The message is one
        sentence meant for the user; the underlying exception is chained.
    TypeError
        If `source` is none of the accepted types.
    ValueError
        If `max_pixels` is not a positive integer.

    Notes
    -----
    Only the first frame of an animated GIF, PNG or WebP (or the first page of a
    TIFF) is decoded. The EXIF orientation is applied.

    Modes are mapped to 8-bit RGB as follows:

    * 16-bit greyscale (``I;16``, ``I;16B``, ...) is scaled, ``round(v * 255 / 65535)``.
    * 32-bit integer ``I`` is treated as 16-bit data when all values lie in
      0..65535 (Pillow uses it for 16-bit greyscale); otherwise, as for values of
      unknown meaning, its range [min, max] is stretched linearly to 0..255.
    * 32-bit float ``F`` is scaled by 255 when all finite values lie in 0..1 (the
      usual convention for float images); otherwise its finite range [min, max] is
      stretched linearly to 0..255. NaN and -inf become 0, +inf becomes 255. A
      constant image outside these ranges becomes black.
    * Images with alpha or a transparent colour are composited on white:
      ``round((c * a + 255 * (255 - a)) / 255)``, so a fully transparent pixel is
      exactly (255, 255, 255) whatever colour it hides (:func:`quant.composite`).
      With ``keep_alpha=True`` they keep it instead, from every kind of
      transparency Pillow reports (``Image.has_transparency_data``): RGBA and LA
      (and premultiplied La), PA, a palette with a tRNS chunk (per-entry alphas) or
      a GIF's transparent index, a grey, RGB or 16-bit grey image with a transparent
      colour (alpha 0 there), a 16-bit RGBA PNG (reduced to 8 bits by Pillow, which
      keeps the high byte of each sample) and the first frame of an APNG. The colour
      under a fully transparent pixel is returned as the file has it.
    * Everything else (``1``, ``L``, ``P``, ``CMYK`` including Adobe's inverted CMYK
      JPEGs, ``YCbCr``, ``LAB``, ``HSV``, ...) uses Pillow's conversion. Embedded ICC
      profiles are not applied.

    Warnings Pillow would emit while decoding (decompression bombs, odd EXIF data) are
    suppressed: a too-large image is an ImageError instead. Pillow's own global
    decompression-bomb limit (``Image.MAX_IMAGE_PIXELS``) is left as it is; when it is
    stricter than `max_pixels` it still applies.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.new("RGBA", (4, 2), (255, 0, 0, 0)).save(buffer, "PNG")
    >>> image = load_image(buffer.getvalue())
    >>> image.shape, image.dtype, image[0, 0].tolist()
    ((2, 4, 3), dtype('uint8'), [255, 255, 255])
    """
    limit = MAX_PIXELS if max_pixels is None else max_pixels
    limit = _check_max_pixels(limit, "max_pixels")

    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        label = f"'{path.name}'"
        try:
            size = path.stat().st_size
            fp: IO[bytes] = open(path, "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError as err:
            raise ImageError(
                f"There is no file at '{source}'; expected the path of a "
                f"{_FORMATS_LIST} image."
            ) from err
        except IsADirectoryError as err:
            raise ImageError(
                f"'{source}' is a folder, not a file; expected a {_FORMATS_LIST} image."
            ) from err
        except OSError as err:
            raise ImageError(
                f"The file '{source}' cannot be read ({err.strerror or err}); "
                f"expected a readable {_FORMATS_LIST} image."
            ) from err
        with fp:
            if size == 0:
                raise _empty_error(label)
            return _decode(fp, label, limit, keep_alpha)

    if isinstance(source, (bytes, bytearray, memoryview)):
        if memoryview(source).nbytes == 0:
            raise _empty_error(None)
        return _decode(io.BytesIO(source), None, limit, keep_alpha)

    if hasattr(source, "read"):
        name = getattr(source, "name", None)
        label = f"'{os.path.basename(name)}'" if isinstance(name, str) and name else None
        return _decode_file_object(source, label, limit, keep_alpha)

    raise TypeError(
        "source must be a path, bytes, bytearray, memoryview or binary file object, "
        f"got {type(source).__name__}"
    )


def downscale(image: np.ndarray, max_pixels: int, *, alpha: bool = False) -> np.ndarray:
    """Shrink `image` so that it has at most `max_pixels` pixels, keeping its aspect.

    Parameters
    ----------
    image : numpy.ndarray
        An (H, W, 3) uint8 RGB array, or (H, W, 4) RGBA with `alpha`.
    max_pixels : int
        Largest accepted height × width, at least 1.
    alpha : bool, default False
        Also accept an (H, W, 4) RGBA array (as :func:`load_image` with
        ``keep_alpha=True`` returns).

    Returns
    -------
    numpy.ndarray
        `image` itself if ``H * W <= max_pixels``; otherwise a new (h, w, 3) (or
        (h, w, 4)) uint8 array with ``h * w <= max_pixels``, ``h, w >= 1`` and ``w / h`` as close to
        ``W / H`` as whole pixels allow.

    Raises
    ------
    ValueError
        If `image` is not an (H, W, 3) uint8 array (or (H, W, 4) with `alpha`) or
        `max_pixels` is not a positive integer.

    Notes
    -----
    Resampling uses Pillow's box filter: each output pixel is the mean of the input
    pixels it covers. Unlike Lanczos it never overshoots, so it adds no colours
    beyond blends of neighbouring ones, which matters for colour statistics. Pillow
    averages RGBA weighted by alpha (premultiplied), so the colour hidden under
    transparent pixels does not bleed into the edges.
    """
    check_image(image, alpha=alpha)
    max_pixels = _check_max_pixels(max_pixels, "max_pixels")
    height, width = image.shape[:2]
    if height * width <= max_pixels:
        return image
    scale = math.sqrt(max_pixels / (height * width))
    new_width = max(1, int(width * scale))
    new_height = max(1, min(int(height * scale), max_pixels // new_width))
    if new_width * new_height > max_pixels:
        # Only reachable when a very thin image had its short side clamped to 1.
        new_width = max_pixels // new_height
    resized = Image.fromarray(np.ascontiguousarray(image)).resize(
        (new_width, new_height), Image.Resampling.BOX
    )
    return np.array(resized, dtype=np.uint8)


def image_digest(image: np.ndarray) -> str:
    """Hash an array's shape, dtype and contents, for use as a cache key.

    Parameters
    ----------
    image : numpy.ndarray
        Any numeric array, usually an (H, W, 3) uint8 image.

    Returns
    -------
    str
        32 hexadecimal digits (BLAKE2b with a 16-byte digest). Arrays that differ in
        shape, dtype or any single element get different digests; equal arrays get
        the same digest whatever their memory layout.

    Raises
    ------
    TypeError
        If `image` is not a numpy array.
    ValueError
        If it has an object dtype, whose bytes are pointers rather than contents.
    """
    if not isinstance(image, np.ndarray):
        raise TypeError(f"image must be a numpy array, got {type(image).__name__}")
    if image.dtype.hasobject:
        raise ValueError(f"image must have a numeric dtype, got {image.dtype}")
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{image.shape}|{image.dtype.str}|".encode())
    digest.update(np.ascontiguousarray(image).data)
    return digest.hexdigest()


# --- decoding -------------------------------------------------------------------------


def _check_max_pixels(value: int, name: str) -> int:
    try:
        number = operator.index(value)
    except TypeError:
        number = None
    if number is None or isinstance(value, bool) or number < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return number


def _empty_error(label: str | None) -> ImageError:
    subject = label or "The file"
    return ImageError(
        f"{subject} is empty (0 bytes); expected a {_FORMATS_LIST} image."
    )


def _decode_file_object(fp: IO[bytes], label: str | None, limit: int, keep_alpha: bool) -> np.ndarray:
    """Decode from a file object, restoring its position if it has one."""
    try:
        start = fp.tell()
        fp.seek(0, io.SEEK_END)
        size = fp.tell()
        fp.seek(0)
    except (AttributeError, OSError, ValueError):
        # Not seekable (a pipe, a socket): read it whole, as Pillow would.
        data = fp.read()
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(
                f"source must be opened in binary mode, got {type(data).__name__} from read()"
            ) from None
        if not data:
            raise _empty_error(label) from None
        return _decode(io.BytesIO(data), label, limit, keep_alpha)
    try:
        if size == 0:
            raise _empty_error(label)
        if not isinstance(fp.read(0), bytes):
            raise TypeError("source must be a file object opened in binary mode")
        return _decode(fp, label, limit, keep_alpha)
    finally:
        fp.seek(start)


def _decode(fp: IO[bytes], label: str | None, limit: int, keep_alpha: bool) -> np.ndarray:
    """Open, check the size, decode the first frame and convert it to RGB (or RGBA, see load_image)."""
    with warnings.catch_warnings():
        # Pillow warns about decompression bombs, odd EXIF blocks and the like; we
        # enforce our own pixel limit and a warning is of no use to the user.
        warnings.simplefilter("ignore")
        try:
            frame = Image.open(fp, formats=list(ALLOWED_FORMATS))
        except Image.DecompressionBombError as err:
            raise _bomb_error(fp, label, limit, err) from err
        except UnidentifiedImageError as err:
            raise _unidentified_error(fp, label, err) from err
        except _DECODE_ERRORS as err:
            raise _corrupt_error(label, err) from err

        with frame:
            width, height = frame.size
            if width * height > limit:
                raise _too_large_error(label, width, height, limit)
            try:
                # Frame 0 is current after open; seek(0) is a no-op that makes it
                # explicit. Never touch n_frames or is_animated: for GIF they decode
                # every frame.
                frame.seek(0)
                frame.load()
            except Image.DecompressionBombError as err:
                raise _bomb_error(fp, label, limit, err) from err
            except _DECODE_ERRORS as err:
                raise _corrupt_error(label, err) from err
            try:
                ImageOps.exif_transpose(frame, in_place=True)
            except _DECODE_ERRORS:
                # An unreadable EXIF block does not spoil the pixels; viewers show
                # such images unrotated, and so do we.
                pass
            try:
                pixels = frame_to_array(frame, keep_alpha=keep_alpha)
            except _DECODE_ERRORS as err:
                raise ImageError(
                    f"{label or 'The image'} uses the colour mode {frame.mode}, "
                    f"which cannot be converted to RGB ({err})."
                ) from err
    return np.ascontiguousarray(pixels, dtype=np.uint8)


# --- error messages -------------------------------------------------------------------


def _too_large_error(label: str | None, width: int, height: int, limit: int) -> ImageError:
    return ImageError(
        f"{label or 'The image'} is {width} × {height} = {width * height:,} pixels; "
        f"the limit is {limit:,}."
    )


def _bomb_error(
    fp: IO[bytes], label: str | None, limit: int, err: Exception
) -> ImageError:
    """Pillow's own limit fired first (it reads Image.MAX_IMAGE_PIXELS); name the size."""
    pillow_limit = Image.MAX_IMAGE_PIXELS
    if pillow_limit is not None:
        limit = min(limit, 2 * pillow_limit)
    size = _header_size(fp)
    if size is not None:
        return _too_large_error(label, size[0], size[1], limit)
    return ImageError(
        f"{label or 'The image'} has more pixels than the limit of {limit:,} ({err})."
    )


def _header_size(fp: IO[bytes]) -> tuple[int, int] | None:
    """Width and height from the header, bypassing Pillow's decompression-bomb check.

    Only used to word the error message once Pillow has refused the image. It parses
    the header with the plugin of an allowed format, which decodes no pixel data.
    """
    try:
        fp.seek(0)
        prefix = fp.read(16)
        for format_name in ALLOWED_FORMATS:
            factory, accept = Image.OPEN[format_name]
            accepted = accept(prefix) if accept else True
            if accepted and not isinstance(accepted, str):  # a str is Pillow's excuse
                fp.seek(0)
                with factory(fp, "") as header:
                    return header.size
    except Exception:  # noqa: BLE001 - best effort for a message; the caller raises
        return None
    return None


def _unidentified_error(
    fp: IO[bytes], label: str | None, err: Exception
) -> ImageError:
    """Say what the file looks like, without handing it to any other Pillow plugin."""
    subject = label or "The file"
    try:
        fp.seek(0)
        head = fp.read(1024)
    except (OSError, ValueError):
        head = b""
    if head.startswith(_ALLOWED_SIGNATURES) or head[8:12] == b"WEBP":
        # The signature of an accepted format, but Pillow could not parse the header.
        return _corrupt_error(label, "the header cannot be read")
    kind = _sniff(head)
    if kind is None:
        return ImageError(
            f"{subject} is not an image in a supported format {_FORMATS_TUPLE}."
        )
    return ImageError(
        f"{subject} looks like {kind}, which is not an image in a supported format "
        f"{_FORMATS_TUPLE}."
    )


def _sniff(head: bytes) -> str | None:
    """Name a common non-accepted file type from its first bytes, if it is obvious."""
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"avif", b"avis"):
            return "an AVIF image"
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
            return "a HEIC/HEIF image"
        return "a video or MP4-family file"
    if len(head) >= 3 and head[0:1] == b"P" and head[1:2] in b"1234567" and head[2:3].isspace():
        return "a PNM (PBM/PGM/PPM) image"
    if len(head) >= 4 and head[0] == 0x0A and head[1] in (0, 2, 3, 4, 5) and head[2] == 1:
        return "a PCX image"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character may be cut at the end of the 1024 bytes.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return None
    if "\x00" in text:
        return None
    lowered = text.lstrip("\ufeff \t\r\n").lower()
    if "<svg" in lowered:
        return "an SVG drawing"
    if lowered.startswith(("<!doctype html", "<html")) or "<html" in lowered:
        return "an HTML page"
    if lowered.startswith("<?xml"):
        return "an XML document"
    return "text"


def _corrupt_error(label: str | None, err: BaseException | str) -> ImageError:
    where = f" in {label}" if label else ""
    detail = str(err).rstrip(".") or type(err).__name__
    return ImageError(f"The image data{where} is truncated or corrupt: {detail}.")
