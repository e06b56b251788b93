"""Players: figures the reader scrubs through, one frame per state.

A :class:`Player` shows a sequence of frames with a slider, play/pause
and step buttons, and a readout that names the frame. Every frame is
drawn from numbers that scratchnet computed: a snapshot of training
taken by a :class:`Recorder` (the ``on_epoch`` hook of
``twolayer.train`` and ``training.fit``), or one step of a forward and
backward pass. The figures of the book are made in
:mod:`scratchnet.players`.

A frame is a list of marks (:class:`Image`, :class:`Line`,
:class:`Points`, :class:`Rect`, :class:`Text`) for each
:class:`Panel`; a panel also holds the marks that every frame shares.
The same marks are drawn twice: as SVG for the HTML player, and with
matplotlib for the still "small multiples" that a PDF shows.

Displayed in a notebook, a player gives three versions of itself:

- ``text/html``: the player. A poster ``<img>`` with the alt text shows
  one frame; a small inline script (about 2 KB, no library, no network
  request) replaces it with the live figure and reveals the controls.
  Where scripts do not run (JupyterLab with an untrusted notebook,
  a browser without JavaScript) the poster stays. The script is inline,
  with each player, so that pages without a player carry none of it.
  A "Data" disclosure holds a table of the frames;
- ``image/png``: a few frames side by side, with their labels (the PDF
  picks this one);
- ``text/plain``: one line.

Nothing moves until the reader presses play, whatever the system's
motion settings. The controls are native buttons and a range slider,
so Tab, Space, the arrow keys, Home and End work; the slider's
``aria-valuetext`` is the frame's readout.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["COLORS", "Image", "Line", "Points", "Rect", "Text", "Panel",
           "Player", "Recorder", "snapshot"]

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
#: Okabe-Ito colours: blue, orange, bluish green, vermillion, purple...
#: (the book's figures use them too: ``plotting.COLORS`` is this)
COLORS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7",
          "#56B4E9", "#F0E442", "#000000")


# --- marks: what a panel draws, in the panel's data coordinates --------

@dataclass(frozen=True)
class Image:
    """A grid of values drawn over ``extent = (x0, x1, y0, y1)``.

    values : (rows, cols); row 0 is drawn at the top (y1). With
    ``colors`` the values are integer classes and class k is
    ``colors[k]``; otherwise ``cmap`` maps [vmin, vmax] to colour.
    """
    values: np.ndarray
    extent: tuple[float, float, float, float]
    cmap: str = "viridis"
    vmin: float = 0.0
    vmax: float = 1.0
    colors: tuple[str, ...] | None = None
    smooth: bool = False


@dataclass(frozen=True)
class Line:
    """A polyline through (x[i], y[i])."""
    x: Sequence[float]
    y: Sequence[float]
    color: str = "#333333"
    width: float = 1.5
    dash: str | None = None          # "4 3": SVG dash lengths in px


@dataclass(frozen=True)
class Points:
    """Dots at (x[i], y[i]); ``color`` is one colour or one per dot."""
    x: Sequence[float]
    y: Sequence[float]
    color: str | Sequence[str] = "#333333"
    size: float = 3.0                # radius in px
    edge: str | None = None


@dataclass(frozen=True)
class Rect:
    """A rectangle from (x0, y0) to (x1, y1)."""
    x0: float
    y0: float
    x1: float
    y1: float
    fill: str = "none"
    stroke: str | None = "#333333"
    width: float = 1.0


@dataclass(frozen=True)
class Text:
    """Text at (x, y); ``anchor`` is "start", "middle" or "end"."""
    x: float
    y: float
    text: str
    size: float = 12.0               # px
    color: str = "#222222"
    anchor: str = "middle"
    bold: bool = False


@dataclass(frozen=True)
class Panel:
    """A rectangle of the figure with its own data coordinates.

    box : (left, top, width, height) in px of the figure;
    xlim, ylim : the data range that the box shows (y grows upwards);
    marks : drawn in every frame, under the frame's own marks;
    over : drawn in every frame, over the frame's own marks;
    xticks, yticks : (value, label) pairs; axes=False draws no frame.
    """
    box: tuple[float, float, float, float]
    xlim: tuple[float, float] = (0.0, 1.0)
    ylim: tuple[float, float] = (0.0, 1.0)
    title: str = ""
    marks: tuple = ()
    over: tuple = ()
    xlabel: str = ""
    ylabel: str = ""
    xticks: tuple = ()
    yticks: tuple = ()
    axes: bool = True


# --- recording --------------------------------------------------------

def snapshot(state) -> dict[str, np.ndarray]:
    """Copies of the parameters: of a params dict (``twolayer``) or of
    a ``nn.Sequential`` (keys "0.W", "0.b", ... as ``parameters()``)."""
    if isinstance(state, dict):
        return {k: np.array(v, copy=True) for k, v in state.items()}
    if hasattr(state, "parameters"):
        return {name: np.array(p, copy=True)
                for name, p, _ in state.parameters()}
    raise TypeError(f"state must be a params dict or a Sequential, got "
                    f"{type(state).__name__}")


class Recorder:
    """Keep snapshots of training at the chosen epochs.

    Pass it as ``on_epoch`` to ``twolayer.train`` or ``training.fit``;
    they call ``on_epoch(epoch, state)`` with ``epoch`` the number of
    epochs done (0 before the first update) and ``state`` the live
    parameters. The recorder keeps copies, so training goes on exactly
    as it would without it. ``recorder.snapshots`` maps each recorded
    epoch to :func:`snapshot` of the state then.
    """

    def __init__(self, epochs) -> None:
        epochs = np.asarray(epochs)
        if (epochs.ndim != 1 or epochs.size == 0
                or not np.issubdtype(epochs.dtype, np.integer)
                or epochs.min() < 0):
            raise ValueError(f"epochs must be a 1-D sequence of integers "
                             f">= 0, got {epochs!r}")
        self.epochs = sorted({int(e) for e in epochs})
        self._wanted = set(self.epochs)
        self.snapshots: dict[int, dict[str, np.ndarray]] = {}

    def __call__(self, epoch: int, state) -> None:
        if epoch in self._wanted:
            self.snapshots[epoch] = snapshot(state)

    def __repr__(self) -> str:
        return (f"Recorder({len(self.snapshots)} of {len(self.epochs)} "
                f"epochs recorded)")


# --- colour -----------------------------------------------------------

def _rgb(values: np.ndarray, mark: Image) -> np.ndarray:
    """(rows, cols) values -> (rows, cols, 3) uint8, or (rows, cols)
    grey levels for cmap "gray"."""
    v = np.asarray(values)
    if mark.colors is not None:
        table = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)]
                          for c in mark.colors], dtype=np.uint8)
        return table[v.astype(np.int64)]
    import matplotlib

    span = (mark.vmax - mark.vmin) or 1.0
    t = np.clip((v - mark.vmin) / span, 0.0, 1.0)
    if mark.cmap == "gray":
        return np.round(255 * t).astype(np.uint8)
    rgba = matplotlib.colormaps[mark.cmap](t, bytes=True)
    return np.ascontiguousarray(rgba[..., :3])


def _png(rgb: np.ndarray) -> bytes:
    from PIL import Image as PILImage

    buf = io.BytesIO()
    PILImage.fromarray(rgb, "L" if rgb.ndim == 2 else "RGB").save(
        buf, format="PNG", optimize=True)
    return buf.getvalue()


def _data_uri(kind: str, data: bytes) -> str:
    return f"data:{kind};base64," + base64.b64encode(data).decode("ascii")


# --- SVG --------------------------------------------------------------

def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _esc(s: str) -> str:
    return html.escape(s, quote=True)


class _Frame:
    """Maps one panel's data coordinates to the figure's px."""

    def __init__(self, panel: Panel) -> None:
        self.left, self.top, self.w, self.h = panel.box
        self.x0, self.x1 = panel.xlim
        self.y0, self.y1 = panel.ylim

    def x(self, v):
        return self.left + (np.asarray(v, float) - self.x0) / (
            self.x1 - self.x0) * self.w

    def y(self, v):
        return self.top + (self.y1 - np.asarray(v, float)) / (
            self.y1 - self.y0) * self.h


def _envelope(xs: np.ndarray, ys: np.ndarray):
    """The finite points of a line, at most the lowest and the highest
    per 2 px column once the line has more than one point per px: the
    same picture, a few KB instead of one point per step."""
    ok = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[ok], ys[ok]
    if xs.size == 0 or xs.size <= np.ptp(xs) + 1:
        return xs, ys
    column = np.floor(xs / 2).astype(np.int64)     # 2 px columns
    starts = np.flatnonzero(np.r_[True, column[1:] != column[:-1]])
    keep = []
    for a, b in zip(starts, np.r_[starts[1:], xs.size], strict=True):
        lo, hi = a + np.argmin(ys[a:b]), a + np.argmax(ys[a:b])
        keep += sorted({lo, hi})
    return xs[keep], ys[keep]


def _svg_mark(mark, f: _Frame) -> str:
    if isinstance(mark, Image):
        x0, x1, y0, y1 = mark.extent
        left, right = f.x(x0), f.x(x1)
        top, bottom = f.y(y1), f.y(y0)
        uri = _data_uri("image/png", _png(_rgb(mark.values, mark)))
        style = "" if mark.smooth else ' style="image-rendering:pixelated"'
        return (f'<image x="{_num(left)}" y="{_num(top)}" '
                f'width="{_num(right - left)}" '
                f'height="{_num(bottom - top)}" '
                f'preserveAspectRatio="none"{style} href="{uri}"/>')
    if isinstance(mark, Line):
        xs, ys = _envelope(f.x(mark.x), f.y(mark.y))
        pts = " ".join(f"{_num(a)},{_num(b)}"
                       for a, b in zip(xs, ys, strict=True))
        dash = f' stroke-dasharray="{mark.dash}"' if mark.dash else ""
        return (f'<polyline points="{pts}" fill="none" '
                f'stroke="{mark.color}" stroke-width="{mark.width}"'
                f'{dash} stroke-linejoin="round"/>')
    if isinstance(mark, Points):
        # one path per colour, each dot a zero-length round-capped line:
        # a dozen bytes a dot
        xs, ys = f.x(mark.x), f.y(mark.y)
        colors = ([mark.color] * len(xs) if isinstance(mark.color, str)
                  else list(mark.color))
        out = []
        for color in dict.fromkeys(colors):
            d = "".join(f"M{_num(a)} {_num(b)}h0" for a, b, c in
                        zip(xs, ys, colors, strict=True)
                        if c == color and np.isfinite(a) and np.isfinite(b))
            if mark.edge:
                out.append(f'<path d="{d}" stroke="{mark.edge}" '
                           f'stroke-width="{_num(2 * mark.size + 2)}" '
                           f'stroke-linecap="round"/>')
            out.append(f'<path d="{d}" stroke="{color}" '
                       f'stroke-width="{_num(2 * mark.size)}" '
                       f'stroke-linecap="round"/>')
        return "".join(out)
    if isinstance(mark, Rect):
        left, right = sorted((f.x(mark.x0), f.x(mark.x1)))
        top, bottom = sorted((f.y(mark.y0), f.y(mark.y1)))
        stroke = (f' stroke="{mark.stroke}" stroke-width="{mark.width}"'
                  if mark.stroke else "")
        return (f'<rect x="{_num(left)}" y="{_num(top)}" '
                f'width="{_num(right - left)}" '
                f'height="{_num(bottom - top)}" fill="{mark.fill}"'
                f'{stroke}/>')
    if isinstance(mark, Text):
        weight = ' font-weight="bold"' if mark.bold else ""
        return (f'<text x="{_num(f.x(mark.x))}" y="{_num(f.y(mark.y))}" '
                f'font-size="{mark.size}" fill="{mark.color}" '
                f'text-anchor="{mark.anchor}" dominant-baseline="middle"'
                f'{weight}>{_esc(mark.text)}</text>')
    raise TypeError(f"a mark must be an Image, Line, Points, Rect or "
                    f"Text, got {type(mark).__name__}")


def _svg_axes(panel: Panel, f: _Frame) -> str:
    left, top, w, h = panel.box
    out = []
    if panel.title:
        out.append(f'<text x="{_num(left + w / 2)}" y="{_num(top - 8)}" '
                   f'font-size="13" text-anchor="middle" fill="#222">'
                   f'{_esc(panel.title)}</text>')
    if panel.axes:
        out.append(f'<rect x="{_num(left)}" y="{_num(top)}" '
                   f'width="{_num(w)}" height="{_num(h)}" fill="none" '
                   f'stroke="#555" stroke-width="1"/>')
        for value, label in panel.xticks:
            x = _num(f.x(value))
            out.append(f'<line x1="{x}" x2="{x}" y1="{_num(top + h)}" '
                       f'y2="{_num(top + h + 4)}" stroke="#555"/>'
                       f'<text x="{x}" y="{_num(top + h + 15)}" '
                       f'font-size="11" text-anchor="middle" fill="#333">'
                       f'{_esc(label)}</text>')
        for value, label in panel.yticks:
            y = _num(f.y(value))
            out.append(f'<line x1="{_num(left - 4)}" x2="{_num(left)}" '
                       f'y1="{y}" y2="{y}" stroke="#555"/>'
                       f'<text x="{_num(left - 6)}" y="{y}" font-size="11" '
                       f'text-anchor="end" dominant-baseline="middle" '
                       f'fill="#333">{_esc(label)}</text>')
        if panel.xlabel:
            out.append(f'<text x="{_num(left + w / 2)}" '
                       f'y="{_num(top + h + 30)}" font-size="12" '
                       f'text-anchor="middle" fill="#222">'
                       f'{_esc(panel.xlabel)}</text>')
        if panel.ylabel:
            cx, cy = _num(left - 34), _num(top + h / 2)
            out.append(f'<text x="{cx}" y="{cy}" font-size="12" '
                       f'text-anchor="middle" fill="#222" '
                       f'transform="rotate(-90 {cx} {cy})">'
                       f'{_esc(panel.ylabel)}</text>')
    return "".join(out)


# --- the player -------------------------------------------------------

_CSS = """
.sn-player{margin:.5em 0;max-width:100%}
.sn-player .sn-stage svg,.sn-player .sn-poster{display:block;width:100%;
 height:auto;background:#fff;border-radius:4px}
.sn-player .sn-controls{display:flex;flex-wrap:wrap;align-items:center;
 gap:.4em;margin:.4em 0}
.sn-player .sn-controls[hidden]{display:none}
.sn-player button{min-width:2.75em;min-height:2.75em;padding:0 .6em;
 border:1px solid #666;border-radius:4px;background:#fff;color:#111;
 font:inherit;cursor:pointer}
.sn-player button:focus-visible,.sn-player input:focus-visible{
 outline:3px solid #0072B2;outline-offset:2px}
.sn-player input[type=range]{flex:1 1 8em;min-width:8em;min-height:2.75em}
.sn-player output{flex:1 1 100%;font-variant-numeric:tabular-nums}
.sn-player details{margin:.3em 0}
.sn-player table{border-collapse:collapse;font-size:.85em}
.sn-player th,.sn-player td{padding:.1em .6em;text-align:right;
 border-bottom:1px solid #ccc}
"""

# The player's script: one function, defined once per page, then called
# for each player. No library; it touches nothing outside its player.
_JS = """
window.snPlayer=window.snPlayer||function(root){
if(!root||root.getAttribute('data-live'))return;
root.setAttribute('data-live','1');
var d=JSON.parse(root.querySelector('script.sn-frames').textContent);
var poster=root.querySelector('.sn-poster');
var b=atob(poster.getAttribute('src').split(',')[1]);
var stage=document.createElement('div');stage.className='sn-stage';
stage.innerHTML=new TextDecoder().decode(Uint8Array.from(b,
function(ch){return ch.charCodeAt(0);}));
poster.parentNode.replaceChild(stage,poster);
var g=stage.querySelectorAll('g[data-panel]');
var c=root.querySelector('.sn-controls'),s=c.querySelector('input'),
o=c.querySelector('output'),p=c.querySelector('.sn-play'),
n=d.frames.length,t=null;
function show(i){i=Math.max(0,Math.min(n-1,i));
for(var k=0;k<g.length;k++)g[k].innerHTML=d.frames[i][k];
s.value=i;s.setAttribute('aria-valuetext',d.labels[i]);
o.textContent=d.labels[i];root.setAttribute('data-frame',i);}
function stop(){if(t){clearInterval(t);t=null;}p.textContent='Play';}
p.addEventListener('click',function(){if(t){stop();return;}
if(+s.value>=n-1)show(0);p.textContent='Pause';
t=setInterval(function(){if(+s.value>=n-1){stop();return;}
show(+s.value+1);},d.interval);});
c.querySelector('.sn-prev').addEventListener('click',function(){stop();
show(+s.value-1);});
c.querySelector('.sn-next').addEventListener('click',function(){stop();
show(+s.value+1);});
s.addEventListener('input',function(){stop();show(+s.value);});
c.hidden=false;show(d.poster);};
"""


class Player:
    """A figure with a slider over frames; see the module docstring.

    panels : the figure's panels; frames : for each frame, a list with
    one list of marks per panel; labels : one readout per frame, such as
    "step 300, loss 0.42, accuracy 91 %"; alt : what the figure shows,
    for readers who cannot see it; size : (width, height) in px;
    table : (column names, rows) for the "Data" disclosure, one row per
    frame; poster : the frame shown first and when scripts do not run;
    stills : the frames of the still version (the PDF's); interval : ms
    between frames when playing; columns : stills per row (default: by
    width); data : the numbers the frames were drawn from, kept as
    ``player.data`` for whoever checks them (not drawn).
    """

    def __init__(self, panels: Sequence[Panel], frames, labels, alt: str,
                 size: tuple[int, int], table=None, poster: int = -1,
                 stills: Sequence[int] | None = None,
                 interval: int = 400, title: str = "",
                 columns: int | None = None, data=None) -> None:
        self.panels = list(panels)
        if not self.panels or not all(isinstance(p, Panel)
                                      for p in self.panels):
            raise TypeError("panels must be a non-empty list of Panel")
        self.frames = [list(f) for f in frames]
        n = len(self.frames)
        if n == 0:
            raise ValueError("frames must hold at least one frame, got 0")
        bad = [i for i, f in enumerate(self.frames)
               if len(f) != len(self.panels)]
        if bad:
            raise ValueError(
                f"each frame must hold one list of marks per panel "
                f"({len(self.panels)}); frame {bad[0]} holds "
                f"{len(self.frames[bad[0]])}")
        self.labels = [str(s) for s in labels]
        if len(self.labels) != n:
            raise ValueError(f"labels must hold one string per frame "
                             f"({n}), got {len(self.labels)}")
        if not isinstance(alt, str) or not alt.strip():
            raise ValueError("alt must be a non-empty description of the "
                             "figure")
        self.alt = alt
        self.size = (int(size[0]), int(size[1]))
        if table is not None:
            names, rows = table
            rows = [list(r) for r in rows]
            if any(len(r) != len(names) for r in rows):
                raise ValueError("table: every row must have one value per "
                                 "column")
            table = (list(names), rows)
        self.table = table
        if not -n <= poster < n:
            raise ValueError(f"poster must index a frame (0 to {n - 1}), "
                             f"got {poster}")
        self.poster = poster % n
        self.stills = (sorted({i % n for i in stills}) if stills is not None
                       else sorted({0, n // 3, 2 * n // 3, n - 1}))
        self.interval = int(interval)
        self.title = title
        self.columns = columns
        self.data = data
        self._svg: list[list[str]] | None = None
        self._bundle: dict | None = None

    # SVG: each frame's marks as strings; the panels' shared marks once
    def _frame_svgs(self) -> list[list[str]]:
        if self._svg is None:
            maps = [_Frame(p) for p in self.panels]
            self._svg = [["".join(_svg_mark(m, f) for m in marks)
                          for marks, f in zip(frame, maps, strict=True)]
                         for frame in self.frames]
        return self._svg

    def _svg_template(self, maps, fill: list[str] | None = None) -> str:
        w, h = self.size
        out = [f'<svg xmlns="http://www.w3.org/2000/svg" '
               f'viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
               f'role="img" aria-label="{_esc(self.alt)}" '
               f'font-family="{FONT}">'
               f'<rect width="{w}" height="{h}" fill="#fff"/>']
        clip_ids = []
        for i, panel in enumerate(self.panels):
            cid = f"{self.id}-c{i}"
            clip_ids.append(cid)
            left, top, pw, ph = panel.box
            out.append(f'<clipPath id="{cid}"><rect x="{_num(left)}" '
                       f'y="{_num(top)}" width="{_num(pw)}" '
                       f'height="{_num(ph)}"/></clipPath>')
        for i, (panel, f) in enumerate(zip(self.panels, maps, strict=True)):
            clip = f' clip-path="url(#{clip_ids[i]})"' if panel.axes else ""
            out.append(f"<g{clip}>" + "".join(_svg_mark(m, f)
                                               for m in panel.marks)
                       + f'<g data-panel="{i}">'
                       + (fill[i] if fill else "") + "</g>"
                       + "".join(_svg_mark(m, f) for m in panel.over)
                       + "</g>")
            out.append(_svg_axes(panel, f))
        out.append("</svg>")
        return "".join(out)

    @property
    def id(self) -> str:
        """An id from a hash of the content (never from a figure name)."""
        if not hasattr(self, "_id"):
            maps = [_Frame(p) for p in self.panels]
            shared = ["".join(_svg_mark(m, f) for m in p.marks + p.over)
                      for p, f in zip(self.panels, maps, strict=True)]
            digest = hashlib.sha256(json.dumps(
                [self.size, self.alt, self.labels, shared,
                 self._frame_svgs()]).encode())
            self._id = "sn-" + digest.hexdigest()[:12]
        return self._id

    def to_html(self) -> str:
        frames = self._frame_svgs()
        maps = [_Frame(p) for p in self.panels]
        poster_svg = self._svg_template(maps, fill=frames[self.poster])
        # the live figure is the poster's SVG (the script decodes it):
        # the shared marks travel once
        payload = json.dumps({"frames": frames,
                              "labels": self.labels,
                              "poster": self.poster,
                              "interval": self.interval},
                             separators=(",", ":"))
        payload = payload.replace("</", "<\\/")
        n = len(self.frames)
        w, h = self.size
        poster_uri = _data_uri("image/svg+xml", poster_svg.encode())
        label = self.labels[self.poster]
        rows = ""
        if self.table is not None:
            columns, body = self.table
            head = "".join(f'<th scope="col">{_esc(str(c))}</th>'
                           for c in columns)
            rows = "".join("<tr>" + "".join(f"<td>{_esc(str(v))}</td>"
                                            for v in r) + "</tr>"
                           for r in body)
            rows = (f'<details class="sn-data"><summary>Data: the '
                    f'{n} frames</summary><table><thead><tr>{head}</tr>'
                    f'</thead><tbody>{rows}</tbody></table></details>')
        return (
            f'<div class="sn-player" id="{self.id}">'
            f"<style>{_CSS.strip()}</style>"
            f'<img class="sn-poster" src="{poster_uri}" '
            f'alt="{_esc(self.alt)}" width="{w}" height="{h}">'
            f'<div class="sn-controls" hidden>'
            f'<button type="button" class="sn-play">Play</button>'
            f'<button type="button" class="sn-prev" '
            f'aria-label="Previous frame">&#8249;</button>'
            f'<input type="range" min="0" max="{n - 1}" step="1" '
            f'value="{self.poster}" aria-label="Frame" '
            f'aria-valuetext="{_esc(label)}">'
            f'<button type="button" class="sn-next" '
            f'aria-label="Next frame">&#8250;</button>'
            f'<output aria-live="polite">{_esc(label)}</output></div>'
            f"{rows}"
            f'<script type="application/json" class="sn-frames">'
            f"{payload}</script>"
            f"<script>{_JS.strip()}\nsnPlayer(document.currentScript"
            f"&&document.currentScript.parentNode);</script></div>")

    def small_multiples(self, dpi: int = 200) -> bytes:
        """PNG of the still frames side by side, each with its label, at
        ``dpi`` (200: twice the pixels of its 100 dpi size, sharp in
        print), in at most 256 colours (a third of the bytes)."""
        from matplotlib.figure import Figure

        w, h = self.size
        per_row = self.columns or max(1, min(len(self.stills),
                                             4 if w < 400 else 2))
        rows = -(-len(self.stills) // per_row)
        scale = 6.8 / (per_row * w)              # inches per px
        fig = Figure(figsize=(6.8, rows * (h * scale + 0.3)),
                     layout="constrained", dpi=dpi)
        subs = np.atleast_1d(fig.subfigures(rows, per_row)).ravel()
        for sub, i in zip(subs, self.stills, strict=False):
            sub.suptitle(textwrap.fill(self.labels[i], 100 // per_row),
                         fontsize=8)
            for panel, marks in zip(self.panels, self.frames[i], strict=True):
                left, top, pw, ph = panel.box
                ax = sub.add_axes((left / w, 0.86 * (1 - (top + ph) / h),
                                   pw / w, 0.86 * ph / h))   # room: label
                _mpl_panel(ax, panel, [*panel.marks, *marks, *panel.over],
                           scale)
        for sub in subs[len(self.stills):]:
            sub.set_visible(False)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
        from PIL import Image as PILImage

        image = PILImage.open(io.BytesIO(buf.getvalue())).convert("RGB")
        buf = io.BytesIO()
        image.quantize(256).save(buf, format="PNG", optimize=True)
        return buf.getvalue()

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The three versions, and the stills' size at 1x (as IPython's
        "retina" figures: twice the pixels, shown at half)."""
        if self._bundle is None:
            png = self.small_multiples()
            from PIL import Image as PILImage

            w, h = PILImage.open(io.BytesIO(png)).size
            self._bundle = ({
                "text/html": self.to_html(),
                "image/png": base64.b64encode(png).decode("ascii"),
                "text/plain": repr(self),
            }, {"image/png": {"width": w // 2, "height": h // 2}})
        return self._bundle

    def __repr__(self) -> str:
        name = f"{self.title}: " if self.title else ""
        return (f"<Player {name}{len(self.frames)} frames, "
                f"{self.labels[0]} to {self.labels[-1]}>")


def _mpl_panel(ax, panel: Panel, marks, scale: float) -> None:
    """Draw a panel's marks on matplotlib axes (the still version)."""
    pt = scale * 72                               # points per px

    def font(px):                    # legible on paper, however small
        return max(6.0, px * pt)

    ax.set_xlim(*panel.xlim)
    ax.set_ylim(*panel.ylim)
    ax.set_title(panel.title, fontsize=font(13), pad=2)
    if panel.axes:
        ax.set_xticks([v for v, _ in panel.xticks],
                      [s for _, s in panel.xticks], fontsize=font(10))
        ax.set_yticks([v for v, _ in panel.yticks],
                      [s for _, s in panel.yticks], fontsize=font(10))
        ax.tick_params(length=2, pad=1)
        ax.set_xlabel(panel.xlabel, fontsize=font(11), labelpad=1)
        ax.set_ylabel(panel.ylabel, fontsize=font(11), labelpad=1)
    else:
        ax.set_axis_off()
    for z, mark in enumerate(marks, start=1):    # drawn in their order
        if isinstance(mark, Image):
            ax.imshow(_rgb(mark.values, mark), extent=mark.extent,
                      aspect="auto", origin="upper", cmap="gray",
                      vmin=0, vmax=255,
                      interpolation="bilinear" if mark.smooth
                      else "nearest", zorder=z)
        elif isinstance(mark, Line):
            ax.plot(mark.x, mark.y, color=mark.color,
                    lw=mark.width * pt * 1.4,
                    ls=(0, [float(v) for v in mark.dash.split()])
                    if mark.dash else "-", zorder=z)
        elif isinstance(mark, Points):
            ax.scatter(mark.x, mark.y, s=max(1.5, mark.size * pt * 1.6) ** 2,
                       c=mark.color, edgecolors=mark.edge or "none",
                       linewidths=0.4, zorder=z)
        elif isinstance(mark, Rect):
            from matplotlib.patches import Rectangle

            ax.add_patch(Rectangle(
                (min(mark.x0, mark.x1), min(mark.y0, mark.y1)),
                abs(mark.x1 - mark.x0), abs(mark.y1 - mark.y0),
                facecolor=mark.fill if mark.fill != "none" else "none",
                edgecolor=mark.stroke or "none",
                linewidth=mark.width * pt * 1.4, zorder=z))
        elif isinstance(mark, Text):
            ax.text(mark.x, mark.y, mark.text, fontsize=font(mark.size),
                    color=mark.color, va="center",
                    ha={"start": "left", "end": "right"}.get(mark.anchor,
                                                             "center"),
                    fontweight="bold" if mark.bold else "normal", zorder=z)
