"""The sidebar every page shares: the image source and the quantization settings.

``app.py`` draws it before the page, so its widgets belong to the entry point and keep
their values when the visitor switches pages. It also decides which image the pages
show: a sample, or the uploaded file if it can be read. A file that cannot be read
leaves the previous image in place, with the reason shown above the page.
"""

from __future__ import annotations

import logging
import os

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

import quant
from ui.compute import cached
from ui.frame import palette_controls, samples, state, text

__all__ = ["UPLOAD_TYPES", "render"]

logger = logging.getLogger(__name__)

UPLOAD_TYPES = ("png", "jpg", "jpeg", "webp", "gif", "bmp", "tif", "tiff")
"""File name extensions the uploader offers, matching ``quant.ALLOWED_FORMATS``."""

_MAX_UPLOAD_MB = 50
_SOURCE_LABELS = {**samples.SAMPLES, state.UPLOAD_SOURCE: "Uploaded file"}


def _take_upload() -> None:
    """on_change of the uploader: note the new file; :func:`_read_pending_upload` reads it.

    Keeping the file in our own session state, rather than using the widget's return
    value, lets the page draw from it whatever happens to the widget afterwards (a
    page switch, the visitor removing the file). Decoding waits in line for the
    gate when many people are at work, so it happens in the script run, where the
    page can say so, not in this callback.
    """
    uploaded: UploadedFile | None = st.session_state.get(state.UPLOAD)
    if uploaded is None:
        st.session_state[state.REJECTED_UPLOAD] = None
        st.session_state[state.PENDING_UPLOAD] = None
        return
    # getvalue() shares the uploader's bytes (copy on write): no second copy is made.
    st.session_state[state.PENDING_UPLOAD] = cached.upload_ref(uploaded.name, uploaded.getvalue())
    # A new file is an explicit choice: show it without a second click.
    st.session_state[state.SOURCE] = state.UPLOAD_SOURCE


def _read_pending_upload() -> None:
    """Decode the file the uploader just received; keep it, or say why not."""
    ref: state.ImageRef | None = st.session_state.get(state.PENDING_UPLOAD)
    if ref is None:
        return
    try:
        cached.pixels(ref)
    except quant.ImageError as err:
        message = f"{_refusal(ref.name, err)} The previous image is still shown."
    except Exception:
        logger.exception("Unexpected failure reading the upload %r", ref.name)
        message = f"Sorry, {text.quote_name(ref.name)} could not be read. The previous image is still shown."
    else:
        st.session_state[state.UPLOADED] = ref
        st.session_state[state.REJECTED_UPLOAD] = None
        st.session_state[state.PENDING_UPLOAD] = None
        return
    st.session_state[state.REJECTED_UPLOAD] = message
    st.session_state[state.PENDING_UPLOAD] = None


def _refusal(name: str, err: quant.ImageError) -> str:
    """quant's reason as Markdown that shows literally, the file's name as inline code.

    The name is the visitor's own text and ``st.error`` renders Markdown: written as
    it is, ``**x** [y](javascript:…).png`` would be drawn as bold text and a link.
    quant quotes the name as ``'name'``; that quote becomes a code span.
    """
    base_name = os.path.basename(name)
    parts = str(err).split(f"'{base_name}'")
    reason = text.quote_name(base_name).join(text.literal(part) for part in parts)
    return reason if len(parts) > 1 else f"{text.quote_name(base_name)}: {reason}"


def render() -> None:
    """Draw the sidebar controls and settle ``st.session_state[state.IMAGE]``.

    When the uploaded file is in use but could not be read, say why in the main area.
    """
    with st.sidebar:
        st.selectbox(
            "Image",
            options=list(_SOURCE_LABELS),
            format_func=_SOURCE_LABELS.__getitem__,
            key=state.SOURCE,
        )
        st.file_uploader(
            "Upload an image",
            type=list(UPLOAD_TYPES),
            key=state.UPLOAD,
            on_change=_take_upload,
            max_upload_size=_MAX_UPLOAD_MB,
            help="PNG, JPEG, WebP, GIF, BMP or TIFF. Only the first frame of an animation is used.",
        )
        st.selectbox(
            "Method",
            options=list(state.SIDEBAR_METHODS),
            format_func=state.METHOD_LABELS.__getitem__,
            key=state.METHOD,
            help="How the palette is chosen. k-means looks for the colours that minimise the squared error.",
        )
        st.radio(
            "Colour space",
            options=list(state.SPACE_LABELS),
            format_func=state.SPACE_LABELS.__getitem__,
            key=state.SPACE,
            horizontal=True,
            help="Where distances between colours are measured. Lab is closer to how different colours look.",
        )
        st.toggle(
            "Dithering",
            key=state.DITHER,
            help="Mixes palette colours so that areas keep their average colour, which trades banding for fine noise.",
        )
        if st.session_state[state.DITHER]:
            st.radio(
                "Pattern",
                options=list(state.DITHER_KIND_LABELS),
                format_func=state.DITHER_KIND_LABELS.__getitem__,
                key=state.DITHER_KIND,
                help=(
                    "Error diffusion passes each pixel's error on to its neighbours: the lowest error, an irregular grain. "
                    "Ordered mixes each colour's two nearest palette colours in a fixed 8 × 8 pattern: a calm, regular "
                    "texture, the same wherever the colour appears."
                ),
            )
            st.slider(
                "Strength",
                min_value=0.05,
                max_value=1.0,
                step=0.05,
                key=state.DITHER_STRENGTH,
                help="How much of each pixel's error is passed on: 1 removes the most banding, lower values add less noise.",
            )
        st.number_input(
            "Random seed",
            min_value=0,
            max_value=2**31 - 1,
            step=1,
            key=state.SEED,
            help="Seeds k-means++ and the random palette; the same seed gives the same palette.",
        )
        palette_controls.render()
    _read_pending_upload()
    source = st.session_state[state.SOURCE]
    if source != state.UPLOAD_SOURCE:
        st.session_state[state.IMAGE] = cached.sample_ref(source)
        return
    uploaded = st.session_state[state.UPLOADED]
    if uploaded is not None:
        st.session_state[state.IMAGE] = uploaded
    elif st.session_state.get(state.IMAGE) is None:
        st.session_state[state.IMAGE] = cached.sample_ref(state.DEFAULTS[state.SOURCE])
    rejected = st.session_state[state.REJECTED_UPLOAD]
    if rejected is not None:
        st.error(rejected, icon=":material/broken_image:")
    elif uploaded is None:
        st.info("Choose a file with the uploader in the sidebar; meanwhile the previous image is shown.")
