"""Keyboard access to a Plotly animation's own controls: HTML and JavaScript for ``st.html``.

Plotly draws an animation's play / pause buttons and its slider in SVG, for the mouse
only: no Tab stop, no key does anything, a screen reader finds no button. The script
here makes those same controls keyboard controls, without drawing any new ones: each
button becomes a Tab stop (``role="button"``; Enter or Space presses it) and the slider
a Tab stop (``role="slider"``; the arrow keys step one frame, Page Up / Page Down one
iteration of two frames, Home / End to the ends) that speaks the frame's title. A key
does what a click on the same spot does (a synthetic click on the button, a press on
the slider's rail above the step's tick), so the animation behaves exactly as with
the mouse. A focused control is outlined. No Streamlit here.
"""

from __future__ import annotations

import html
import json
import re

import plotly.graph_objects as go

__all__ = ["animation_keys_html", "frame_titles"]

_TAG = re.compile(r"<[^>]+>")


def frame_titles(figure: go.Figure) -> list[str]:
    """Each frame's title as plain text (tags removed, entities decoded), in order.

    Read from the figure's plain dict, which a shared figure made from one
    (:func:`ui.compute.shared_figures.shared_figure_of`) has without validating it."""
    titles = []
    for frame in figure.to_dict().get("frames", []):
        title = frame.get("layout", {}).get("title", {}).get("text")
        titles.append(html.unescape(_TAG.sub("", title or f"frame {frame.get('name')}")))
    return titles


def animation_keys_html(figure: go.Figure, *, chart_key: str, label: str = "Step of the animation") -> str:
    """A ``<style>`` and a ``<script>`` that make the controls of the animated Plotly chart
    drawn with ``st.plotly_chart(..., key=chart_key)`` work from the keyboard.

    Parameters
    ----------
    figure : plotly.graph_objects.Figure
        The animated figure, for its frames' titles (the slider's spoken value).
    chart_key : str
        The chart's Streamlit key (letters, digits, ``-`` and ``_``).
    label : str
        The slider's accessible name.

    Returns
    -------
    str
        For ``st.html(..., unsafe_allow_javascript=True)``, after the chart. Running it
        again (a rerun) only updates the titles; the chart is watched and its controls
        are made keyboard controls again whenever Plotly redraws them.
    """
    if not chart_key.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"chart_key must be letters, digits, '-' and '_', got {chart_key!r}")
    host = f".st-key-{chart_key}"
    # JSON escapes the quotes; "<" as \u003c, so that no title can end or open a script.
    titles = json.dumps(frame_titles(figure), ensure_ascii=False).replace("<", "\\u003c")
    name = json.dumps(label, ensure_ascii=False).replace("<", "\\u003c")
    return f"""<style>
{host} g.updatemenu-button:focus {{ outline: none; }}
{host} g.updatemenu-button:focus-visible > rect {{ stroke: #111 !important; stroke-width: 3px !important; }}
{host} g.slider-container:focus {{ outline: none; }}
{host} g.slider-container:focus-visible rect.slider-rail-rect {{ stroke: #111 !important; stroke-width: 3px !important; }}
{host} g.slider-container:focus-visible rect.slider-grip-rect {{ stroke: #111 !important; stroke-width: 3px !important; }}
</style>
<script>
(() => {{
  const host = document.querySelector("{host}");
  if (!host) return;
  host.a11yTitles = {titles};
  if (host.a11yWatch) {{ host.a11yWatch(); return; }}
  let current = 0;
  const plot = () => host.querySelector(".js-plotly-plot");
  const say = (slider) => {{
    const titles = host.a11yTitles;
    slider.setAttribute("aria-valuemax", String(titles.length - 1));
    slider.setAttribute("aria-valuenow", String(current));
    slider.setAttribute("aria-valuetext", titles[current] || String(current));
  }};
  const press = (target, x, y) => {{
    const options = {{ bubbles: true, cancelable: true, view: window, clientX: x, clientY: y, button: 0 }};
    target.dispatchEvent(new MouseEvent("mousedown", options));
    target.dispatchEvent(new MouseEvent("mouseup", options));
  }};
  const goTo = (gd, slider, index) => {{
    const ticks = slider.querySelectorAll("rect.slider-tick-rect");
    const rail = slider.querySelector("rect.slider-rail-touch-rect");
    const last = host.a11yTitles.length - 1;
    index = Math.max(0, Math.min(last, index));
    if (!rail || ticks.length <= index) return;
    const tick = ticks[index].getBoundingClientRect(), box = rail.getBoundingClientRect();
    press(rail, tick.left + tick.width / 2, box.top + box.height / 2);
    gd.dispatchEvent(new MouseEvent("mouseup", {{ bubbles: true, view: window }}));
    current = index;
    say(slider);
  }};
  const enhance = () => {{
    const gd = plot();
    if (!gd) return;
    if (!gd.a11yListening && typeof gd.on === "function") {{
      gd.a11yListening = true;
      const follow = (name) => {{
        const index = Number(name);
        if (!Number.isInteger(index)) return;
        current = index;
        const slider = gd.querySelector("g.slider-container");
        if (slider) say(slider);
      }};
      gd.on("plotly_animatingframe", (event) => follow(event && event.name));
      gd.on("plotly_sliderchange", (event) => follow(event && event.step && event.step.value));
    }}
    gd.querySelectorAll("g.updatemenu-button").forEach((button) => {{
      if (button.hasAttribute("tabindex")) return;
      button.setAttribute("tabindex", "0");
      button.setAttribute("role", "button");
      button.setAttribute("aria-label", button.textContent.replace(/[^\\p{{L}}\\p{{N}} ]/gu, "").trim());
      button.addEventListener("keydown", (event) => {{
        if (event.key !== "Enter" && event.key !== " ") return;
        event.preventDefault();
        button.dispatchEvent(new MouseEvent("click", {{ bubbles: true, cancelable: true, view: window }}));
      }});
    }});
    const slider = gd.querySelector("g.slider-container");
    if (slider && !slider.hasAttribute("tabindex")) {{
      slider.setAttribute("tabindex", "0");
      slider.setAttribute("role", "slider");
      slider.setAttribute("aria-label", {name});
      slider.setAttribute("aria-valuemin", "0");
      say(slider);
      slider.addEventListener("keydown", (event) => {{
        const moves = {{ ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 2, PageDown: -2 }};
        let index = null;
        if (event.key in moves) index = current + moves[event.key];
        else if (event.key === "Home") index = 0;
        else if (event.key === "End") index = host.a11yTitles.length - 1;
        if (index === null) return;
        event.preventDefault();
        goTo(gd, slider, index);
      }});
    }} else if (slider) {{
      say(slider);
    }}
  }};
  // Plotly redraws its controls (a rerun, a resize): make them keyboard controls again.
  const observer = new MutationObserver(enhance);
  observer.observe(host, {{ childList: true, subtree: true }});
  host.a11yWatch = enhance;
  enhance();
}})();
</script>"""
