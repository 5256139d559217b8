"""Images with transparency, generated: a logo over nothing and a photo cut out with a soft edge.

``bench.alpha`` measures quant's RGBA palettes on them and the tests use small ones. The
logo is the dashboard's sample with transparency, so it is drawn in
:mod:`ui.frame.samples` and only re-exported here. Both are pure functions of their
arguments (no file is read but scikit-learn's bundled ``china.jpg``), the same every time.
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from sklearn.datasets import load_sample_image

from ui.frame.samples import logo_rgba

__all__ = ["cutout_rgba", "logo_rgba"]

def cutout_rgba(size: tuple[int, int] | None = None, *, feather: float = 0.18) -> np.ndarray:
    """scikit-learn's ``china.jpg`` cut out by a soft-edged ellipse: an RGBA photo cut-out.

    Parameters
    ----------
    size : (width, height), optional
        Resize the photo (bicubic) first; default its own 640 × 427.
    feather : float, default 0.18
        Width of the soft edge, as a fraction of the ellipse's radius: alpha falls
        from 255 to 0 linearly across it.

    Returns
    -------
    (height, width, 4) uint8 array
        Straight RGBA. The photo's own colours stay under the transparent surround
        (as an editor's cut-out keeps them), so an error that ignored alpha would
        count them; inside the ellipse it is opaque, and its edge is a wide band of
        partly transparent pixels.
    """
    photo = Image.fromarray(load_sample_image("china.jpg"))
    if size is not None:
        photo = photo.resize((int(size[0]), int(size[1])), Image.Resampling.BICUBIC)
    rgb = np.asarray(photo, dtype=np.uint8)
    height, width = rgb.shape[:2]
    rows, columns = np.mgrid[0:height, 0:width].astype(np.float64)
    radius = np.hypot((columns + 0.5 - width / 2) / (0.46 * width), (rows + 0.5 - height / 2) / (0.46 * height))
    alpha = np.clip((1.0 - radius) / feather, 0.0, 1.0)
    return np.concatenate([rgb, np.rint(alpha * 255).astype(np.uint8)[..., None]], axis=2)
