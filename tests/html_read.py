"""Reading the HTML report back for content tests: the matrix as cells, the charts as captions, colours and
noise bands. Parsed with the standard library's HTML parser, so tests assert what the page says, not its pixels."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser


class _MatrixReader(HTMLParser):
    """The rows of `<table class="matrix">`, each a list of (tag, attributes, text) cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, dict[str, str], str]]] = []
        self._inside = False
        self._cell: tuple[str, dict[str, str], list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("class", "matrix") in attrs:
            self._inside = True
        elif self._inside and tag == "tr":
            self.rows.append([])
        elif self._inside and tag in ("td", "th"):
            self._cell = (tag, {k: v or "" for k, v in attrs}, [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._inside = False
        elif self._cell is not None and tag == self._cell[0]:
            tag_, attrs, texts = self._cell
            self.rows[-1].append((tag_, attrs, " ".join(" ".join(texts).split())))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[2].append(data)


def matrix(html: str) -> dict[tuple[str, str], str]:
    """(variant, column) → the cell's text, columns named as the second header row names them (a suite, or a
    pooled `all in-dist.` / `all out-dist.`), plus `all suites` when the run holds both distributions."""
    reader = _MatrixReader()
    reader.feed(html)
    top, names, *body = reader.rows
    columns = [re.sub(r" \d+ cases · \w+$", "", text) for _, _, text in names]
    columns += [text for _, attrs, text in top[1:] if attrs.get("rowspan") == "2"]
    cells = {}
    for row in body:
        variant = row[0][2]
        cells.update({(variant, column): text for column, (_, _, text) in zip(columns, row[1:], strict=True)})
    return cells


@dataclass
class Chart:
    caption: str
    svg: str
    legend: dict[str, str] = field(default_factory=dict)
    """Legend name → its colour."""


_FIGURE = re.compile(r'<figure class="chart"><figcaption>(.*?)</figcaption>(<svg.*?</svg>)</figure>', re.S)
_LEGEND = re.compile(r'<line [^>]*stroke="(#[0-9a-f]+)" stroke-width="4"[^>]*/><text [^>]*>([^<]*)</text>')


_POINT = re.compile(r'<circle [^>]*fill="(#[0-9a-f]+)"[^>]*><title>([^<]*?) / ')


def charts(html: str) -> list[Chart]:
    """Every chart with its visible caption; a ratio chart's legend is its points, named by their numerator."""
    found = []
    for caption, svg in _FIGURE.findall(html):
        named = _LEGEND.findall(svg) + _POINT.findall(svg)
        found.append(Chart(unescape(caption), svg, {unescape(name): colour for colour, name in named}))
    return found


def swatches(html: str) -> dict[str, str]:
    """Variant → the colour of its swatch in the matrix."""
    return {
        name: colour
        for colour, name in re.findall(r'<span class="swatch" style="background:(#[0-9a-f]+)"></span>([^<]*)<', html)
    }


@dataclass
class Look:
    """One chart of the section "How the verdicts narrowed": what its tooltips and labels say, and where its parts
    lie in the SVG's coordinates."""

    caption: str
    tooltips: list[str]
    """The band's (every look's interval) and the deciding mark's, in drawing order."""
    labels: list[str]
    band: list[tuple[float, float]]
    """The band's outline: the highs left to right, then the lows right to left."""
    threshold_y: float | None
    mark: tuple[float, float]
    grid: dict[str, float]
    """The y axis's tick label (`25%`) → its y."""


_NUMBER = r"(-?[\d.]+)"


def looks(html: str) -> list[Look]:
    """The interval-narrowing charts, in page order."""
    section = html[html.index('<section id="looks">') :]
    section = section[: section.index("</section>")]
    found = []
    for chart in charts(section):
        band = re.search(r'<polygon points="([^"]*)"', chart.svg)
        mark = re.search(rf'<circle cx="{_NUMBER}" cy="{_NUMBER}"', chart.svg)
        threshold = re.search(rf'<line x1="[\d.]+" y1="{_NUMBER}" [^>]*stroke="#a4161a"', chart.svg)
        assert band and mark, chart.caption
        texts = [unescape(text) for text in re.findall(r"<text [^>]*>([^<]*)</text>", chart.svg)]
        grid = re.findall(rf'<text x="[\d.]+" y="{_NUMBER}" font-size="10" text-anchor="end">(\d+%)</text>', chart.svg)
        found.append(
            Look(
                caption=chart.caption,
                tooltips=[unescape(t) for t in re.findall(r"<\w+[^>]*><title>([^<]*)</title>", chart.svg)[1:]],
                labels=texts,
                band=[(float(x), float(y)) for x, y in (pair.split(",") for pair in band[1].split())],
                threshold_y=float(threshold[1]) if threshold else None,
                mark=(float(mark[1]), float(mark[2])),
                grid={label: float(y) - 4 for y, label in grid},  # a tick's label sits 4 px under its line
            )
        )
    return found
