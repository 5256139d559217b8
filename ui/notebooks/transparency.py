"""A picture with transparency in the notebooks: what alpha means, the colours one can
see, and the transparent side of each lesson.

A picture with transparency (the logo sample, or an upload the dashboard decoded as
RGBA: ``NotebookSettings.has_alpha``) is an (H, W, 4) straight RGBA array in the
notebook, as in the dashboard. ``quant``'s palettes, metrics and indexed PNGs take it
as it is. What knows only RGB (``quant.sample_colors``, ``quant.kmeans_steps``,
``quant.minibatch_steps``, scikit-learn's k-means) gets the colours of the pixels one
can see, ``visible`` (one row a pixel) or ``visible_image`` (the same, a picture one
pixel high), exactly as ``ui.compute.cached.visible_pixels`` gives them to the
dashboard's. Pictures are shown over a light checkerboard, as the dashboard shows them
(``ui.figures.pictures.on_checkerboard``, which ``on_checkerboard`` in the notebook
repeats).

The lessons (:mod:`~.colours`, :mod:`~.steps`, :mod:`~.palettes`) take from here the
cells and lines that differ; a picture without transparency gets its notebook as before.
"""

from __future__ import annotations

from ui.notebooks.cells import Cell, code, markdown
from ui.notebooks.settings import NotebookSettings

__all__ = [
    "BY_HAND_PNG",
    "BY_HAND_PNG_WORDS",
    "CLOUD_CENTRES",
    "CLOUD_SAMPLE",
    "CLOUD_SCIKIT_LEARN",
    "CLOUD_SCIKIT_LEARN_WORDS",
    "CLOUD_WORDS",
    "COMPARE_MEASURES_WORDS",
    "DISTINCT",
    "DISTINCT_WORDS",
    "FIT_WORDS",
    "MEASURES_WORDS",
    "PNG_WORDS",
    "STORAGE",
    "STORAGE_WORDS",
    "TEACHING_BY_HAND",
    "TEACHING_BY_HAND_WORDS",
    "WORK_WORDS",
    "png_kept_cells",
    "steps_cells",
    "transparency_cells",
]


# --- shared: what alpha means, the visible colours, the checkerboard -------------------


def transparency_cells(settings: NotebookSettings) -> list[Cell]:
    """After the picture is loaded: what RGBA means and what the notebook does with it,
    the colours one can see, and the picture over a checkerboard (nothing without
    transparency)."""
    if not settings.has_alpha:
        return []
    return [
        markdown(
            """
            ## Transparency

            This picture has an **alpha** channel: each pixel is four numbers, red, green,
            blue and alpha, its opacity, from 0 (fully transparent: what lies behind shows
            through) to 255 (opaque). The alpha is *straight*: a pixel's colour is kept as
            it is, not multiplied by its opacity, so a fully transparent pixel still holds a
            colour that no one sees. The dashboard, and this notebook, treat it so:

            * **A palette with alpha.** All the fully transparent pixels look the same,
              whatever colour they hide, so they share **one see-through entry**; soft edges
              and shadows, partly transparent, get entries with **their own alpha**.
              `quant.indexed_png` writes each entry's alpha into the PNG (its tRNS chunk).
            * **The error counts what one sees.** MSE and PSNR are over the *premultiplied*
              channels (red × alpha, green × alpha, blue × alpha, and alpha, with alpha from
              0 to 1), so the colour under a transparent pixel counts for nothing; ΔE (and
              SSIM) compare the two pictures laid over white.
            * **The colours one can see.** What knows only RGB (`quant.sample_colors`,
              `quant.kmeans_steps`, `quant.minibatch_steps`, scikit-learn's k-means) gets the
              colours of the pixels whose alpha is above 0, as on the dashboard: `visible`,
              one row a pixel, or `visible_image`, the same as a picture one pixel high.
            * **On screen** a picture is laid over a light checkerboard, the usual sign of
              transparency (`on_checkerboard`, as the dashboard draws it).
            """
        ),
        code(
            '''
            transparent = pixels[:, 3] == 0
            partly = ~transparent & (pixels[:, 3] < 255)
            visible = pixels[~transparent, :3]  # the colours of the pixels one can see, one row each
            visible_image = visible[None]  # the same, as a picture one pixel high, for quant's RGB-only functions
            print(f"Fully transparent: {int(transparent.sum())} pixels")
            print(f"Partly transparent: {int(partly.sum())} pixels")
            print(f"Visible: {len(visible)} pixels")


            def on_checkerboard(picture, square=8):
                """An RGBA picture laid over a light checkerboard, as image editors show
                transparency; an RGB picture as it is."""
                if picture.shape[-1] == 3:
                    return picture
                rows, columns = np.indices(picture.shape[:2]) // square
                board = np.where((rows + columns) % 2 == 0, 255, 214).astype(np.float32)[..., None]
                opacity = picture[..., 3:].astype(np.float32) / 255
                return np.rint(picture[..., :3] * opacity + board * (1 - opacity)).astype(np.uint8)


            Image.fromarray(on_checkerboard(quant.downscale(image, 1_000_000, alpha=True)))  # shown at most a megapixel
            '''
        ),
    ]


# --- Image ---------------------------------------------------------------------------

DISTINCT_WORDS = """
## Distinct colours

How many different colours does the picture use? With transparency a colour is four
numbers: pack each visible pixel's red, green, blue and alpha into one whole number,
`red × 2²⁴ + green × 2¹⁶ + blue × 256 + alpha`, and count the different numbers with
`np.unique`. All the fully transparent pixels count as **one** colour, since what they
hide is not part of the picture. `quant.count_colors`, the page's count, does the same.
"""

DISTINCT = """
seen = pixels[~transparent].astype(np.uint32)  # red, green, blue and alpha of the pixels one can see
codes = (seen[:, 0] << 24) | (seen[:, 1] << 16) | (seen[:, 2] << 8) | seen[:, 3]
n_distinct = len(np.unique(codes)) + int(transparent.any())  # one for all the fully transparent pixels
print(f"Distinct colours: {n_distinct}")
print(f"quant.count_colors agrees: {n_distinct == quant.count_colors(image)}")
"""

STORAGE_WORDS = """
## Storage

Stored plainly, every pixel takes **32 bits**, 8 each for red, green, blue and alpha.
With a palette of *k* colours a pixel needs only the number of its colour,
**⌈log₂ k⌉ bits**, plus the palette itself once: 32 bits an entry, its colour and its
alpha. `quant.storage(..., alpha=True)` does the same sums.
"""

STORAGE = """
import math

raw_bytes = 32 * len(pixels) // 8
print(f"All colours (32-bit): {raw_bytes} bytes")
for k in STORAGE_SIZES:
    index_bits = max(1, math.ceil(math.log2(k)))  # bits of one palette index
    total_bits = index_bits * len(pixels) + 32 * k  # the indices, plus the palette (colour and alpha) once
    assert total_bits == quant.storage(len(pixels), k, alpha=True).indexed_bits
    print(
        f"{k} colours: {index_bits} bits a pixel + {4 * k} bytes of palette = {total_bits // 8} bytes, "
        f"{32 * len(pixels) / total_bits:.1f} times smaller"
    )
"""

PNG_WORDS = (
    " With transparency the palette holds one see-through entry and entries with their own "
    "alpha, `quant.indexed_png` writes the alphas into the file, and the MSE is premultiplied."
)
"""Added to the Image page's words on real indexed PNGs."""

BY_HAND_PNG_WORDS = """
`quant.indexed_png` is plain Pillow: an image of palette indices with the palette
attached, and one alpha a palette entry (`transparency=`, the PNG's tRNS chunk). The same
by hand, for the largest palette. quant's file is a little smaller: it puts the
see-through entries first, so that the tRNS chunk holds only theirs.
"""

BY_HAND_PNG = """
import io

indexed = Image.fromarray(result.labels)  # one byte a pixel: the number of its colour
indexed.putpalette(result.palette.ravel().tolist())  # attaching a palette makes it a "P" image
buffer = io.BytesIO()
indexed.save(buffer, format="PNG", transparency=result.alpha.tobytes())  # every entry's alpha
print(f"By hand: {len(buffer.getvalue())} bytes")
decoded = np.array(Image.open(io.BytesIO(buffer.getvalue())).convert("RGBA"))
print(f"Decodes to the reconstruction: {np.array_equal(decoded, result.image)}")
Image.fromarray(on_checkerboard(quant.downscale(result.image, 1_000_000, alpha=True)))
"""


# --- Colour space -------------------------------------------------------------------------

CLOUD_WORDS = (
    " Only the pixels one can see are points: `quant.sample_colors` knows only RGB, so it "
    "draws from `visible_image`, as the page's cloud does; a partly transparent pixel is a "
    "point in its own colour, whatever its alpha."
)
"""Added to the Colour space page's words on the points."""

CLOUD_SAMPLE = """
sample = quant.sample_colors(visible_image, CLOUD_SAMPLES, seed=0)
print(f"Distinct colours: {quant.count_colors(image)}")
print(f"Drawn: {len(sample.colors)}")
"""

FIT_WORDS = (
    " With transparency it fits red, green, blue and alpha together, the colour error "
    "weighted by alpha: one see-through entry for all the fully transparent pixels, entries "
    "with their own alpha for the soft edges, and a premultiplied MSE."
)
"""Added to the Colour space page's words on the fitted palette."""

CLOUD_CENTRES = """
# The see-through entry has no colour to place among the points: left out, as on the page.
seen = fit.alpha > 0
palette, counts, pinned_entries = palette[seen], counts[seen], pinned_entries[seen]
print(f"Centres drawn: {len(palette)} of {len(seen)} entries")
"""

CLOUD_SCIKIT_LEARN_WORDS = (
    " It knows only RGB: here it fits the colours of the pixels one can see, each pixel "
    "keeps its own alpha, and the error is premultiplied as quant's (which also counts "
    "each entry's rounded alpha)."
)
"""Added to the Colour space page's words on scikit-learn's palette."""

CLOUD_SCIKIT_LEARN = """
from sklearn.cluster import MiniBatchKMeans

rng = np.random.default_rng(SEED)
training = visible if len(visible) <= 300_000 else visible[rng.choice(len(visible), 300_000, replace=False)]
model = MiniBatchKMeans(n_clusters=min(K, len(training)), random_state=SEED).fit(training)
sk_palette = np.clip(np.rint(model.cluster_centers_), 0, 255).astype(np.uint8)
sk_image = image.copy()  # each pixel keeps its own alpha
sk_image[..., :3] = sk_palette[model.predict(pixels[:, :3])].reshape(height, width, 3)
print(f"MiniBatchKMeans MSE {K}: {quant.premultiplied_mse(image, sk_image):.2f}")
"""


# --- k-means step by step ------------------------------------------------------------------


def steps_cells(settings: NotebookSettings) -> list[Cell]:
    """What k-means step by step works on when the picture has transparency (nothing without)."""
    if not settings.has_alpha:
        return []
    return [
        markdown(
            """
            ### Only the colours one can see

            k-means works on colours, and the colour under a fully transparent pixel is not
            part of the picture. As the page does, `quant.kmeans_steps` and
            `quant.minibatch_steps`, which know only RGB, get `visible_image`, the colours of
            the pixels whose alpha is above 0, and the NumPy and scikit-learn loops below get
            the same colours, `visible`. A partly transparent pixel counts with its colour,
            whatever its alpha, and the errors are over the pixels one can see. The seed table
            runs on every so many of them, exactly as they are (at most `TABLE_PIXELS`), and
            the picture rebuilt from the centres keeps each pixel's alpha.
            """
        )
    ]


# --- Reconstructions -------------------------------------------------------------------

MEASURES_WORDS = (
    "* With transparency: MSE and PSNR over the premultiplied channels, ΔE on the two "
    "pictures laid over white (see *Transparency*)."
)
"""Added to the list of the Reconstructions page's measures."""

TEACHING_BY_HAND_WORDS = """
## By hand, as in the teaching notebook

The notebook the dashboard grew from made its palette with scikit-learn's
`MiniBatchKMeans` on the pixels (here at most 300,000 of the pixels one can see: it knows
only RGB), truncated the centres to whole numbers, and rebuilt the picture by indexing the
palette with each pixel's label; its random palette was matched with `NearestNeighbors`.
No dithering here. Each pixel keeps its own alpha, exactly, so the error (premultiplied,
as above) is the colours' only, where quant's also counts the alpha its entries round
to; and quant's random palette holds a see-through entry and entries with alpha, so the
two random errors differ.
"""

TEACHING_BY_HAND = """
from sklearn.cluster import MiniBatchKMeans
from sklearn.neighbors import NearestNeighbors

k = 32 if 32 in SIZES or not SIZES else SIZES[-1]
rng = np.random.default_rng(SEED)
training = visible if len(visible) <= 300_000 else visible[rng.choice(len(visible), 300_000, replace=False)]
model = MiniBatchKMeans(n_clusters=min(k, len(training)), random_state=SEED).fit(training)
palette = model.cluster_centers_.astype(np.uint8)  # truncated, as the notebook did
by_hand = image.copy()  # each pixel keeps its own alpha
by_hand[..., :3] = palette[model.predict(pixels[:, :3])].reshape(height, width, 3)
print(f"By hand, MiniBatchKMeans MSE {k}: {quant.premultiplied_mse(image, by_hand):.2f}")

# The very draw of quant's "random" method, matched to the colours only.
random_palette = np.random.default_rng(SEED).integers(0, 256, size=(RANDOM_SIZE or 32, 3), dtype=np.uint8)
matches = NearestNeighbors(n_neighbors=1).fit(random_palette).kneighbors(pixels[:, :3], return_distance=False)
by_hand_random = image.copy()
by_hand_random[..., :3] = random_palette[matches[:, 0]].reshape(height, width, 3)
print(f"By hand, random palette MSE: {quant.premultiplied_mse(image, by_hand_random):.2f}")
Image.fromarray(on_checkerboard(quant.downscale(np.hstack([by_hand, by_hand_random]), 400_000, alpha=True)))
"""


def png_kept_cells(settings: NotebookSettings) -> list[Cell]:
    """Reconstructions, after the tiles: the indexed PNG of the largest palette decoded
    as a viewer decodes it, its transparency checked (nothing without transparency, or
    without a palette size)."""
    if not settings.has_alpha or not settings.sizes:
        return []
    return [
        markdown(
            """
            ## The PNG files keep the transparency

            The page's downloads are `quant.indexed_png` files: each entry's alpha is in the
            file (its tRNS chunk, see-through entries first so that it stays short), so any
            viewer shows the reconstruction with its transparency. Here is the file of the
            largest palette, decoded as a viewer decodes it: every fully transparent pixel of
            the picture is still fully transparent, every opaque one still opaque.
            """
        ),
        code(
            """
            import io

            png = quant.indexed_png(result)  # the loop's last result: the largest palette, k colours
            decoded = np.array(Image.open(io.BytesIO(png)).convert("RGBA"))
            print(f"The PNG file of {k} colours decodes to the reconstruction: {np.array_equal(decoded, result.image)}")
            print(f"Fully transparent pixels still fully transparent: {bool((decoded[..., 3][image[..., 3] == 0] == 0).all())}")
            print(f"Opaque pixels still opaque: {bool((decoded[..., 3][image[..., 3] == 255] == 255).all())}")
            Image.open(io.BytesIO(png))  # the file itself, as an image viewer shows it
            """
        ),
    ]


# --- Compare ---------------------------------------------------------------------------

WORK_WORDS = (
    " With transparency, `alpha=True`: the box filter then averages with alpha weights, so "
    "the colour hidden under transparent pixels does not bleed into the edges."
)
"""Added to the Compare page's words on the working copy."""

COMPARE_MEASURES_WORDS = (
    " With transparency, as everywhere on the dashboard: MSE and PSNR over the premultiplied "
    "channels, SSIM and ΔE on the pictures laid over white."
)
"""Added to the Compare page's words on the measures."""
