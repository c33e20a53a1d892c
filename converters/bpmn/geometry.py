"""Coordinates for BPMN DI, from the core's layered layout (converters/model/layout.py).

Pools and lanes are horizontal bands; the layout's (lane, row, column) of each node is a cell of a
grid and the node is centred in it at its BPMN size. Cells are wider and taller than any node, so
the lines between cells (the gutters) hold no node: edges leave a node by the side the model gives,
reach the gutter next to it, run along gutters, and enter the target by its side. Every edge is
orthogonal and no edge crosses a node's box except where it starts or ends. Linear in the size of
the diagram.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import pairwise

from ..model import Side

ORIGIN_X, ORIGIN_Y = 160, 80
HEADER = 30  # the label strip at the left of a pool and of a lane (bpmn-js draws it 30 px wide)
MARGIN = 20  # between a band's label strip and its first cell, and after its last cell
CELL_W, CELL_H = 160, 120  # a task is 100×80: 30 px of gutter each side, 20 above and below
GUTTER_X, GUTTER_Y = 30, 20  # kept around a node larger than a task (its cell grows)
BAND_PAD = 10  # above the first row and below the last row of a band
POOL_GAP = 40  # between pools, when each lane is a pool

Box = tuple[float, float, float, float]  # x, y, width, height
Point = tuple[float, float]


@dataclass(slots=True)
class Band:
    key: str  # lane id
    top: float
    heights: list[float]  # of its rows
    tops: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        y = self.top + BAND_PAD
        for height in self.heights:
            self.tops.append(y)
            y += height

    @property
    def height(self) -> float:
        return 2 * BAND_PAD + sum(self.heights)

    def row_top(self, row: int) -> float:
        return self.tops[row]


@dataclass(slots=True)
class Grid:
    content_left: float
    widths: list[float]  # of its columns
    bands: list[Band] = field(default_factory=list)
    lefts: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        x = self.content_left
        for width in self.widths:
            self.lefts.append(x)
            x += width

    @property
    def columns(self) -> int:
        return len(self.widths)

    @property
    def right(self) -> float:
        return self.content_left + (sum(self.widths) if self.widths else CELL_W) + MARGIN

    @property
    def bottom(self) -> float:
        return self.bands[-1].top + self.bands[-1].height if self.bands else 0

    def cell(self, band: int, row: int, column: int) -> Box:
        b = self.bands[band]
        return (self.lefts[column], b.tops[row], self.widths[column], b.heights[row])


def widens_cell(size: tuple[float, float]) -> bool:
    """Whether a node of this size makes its cell larger than a standard one (``build_grid``'s
    ``sizes`` need only such nodes)."""
    return size[0] + 2 * GUTTER_X > CELL_W or size[1] + 2 * GUTTER_Y > CELL_H


def build_grid(lane_ids: list[str], lane_rows: list[int], columns: int, lanes_inside_pool: bool,
               pool_breaks: set[int], extra_headers: int = 0, sizes: dict | None = None,
               origin: tuple[float, float] | None = None) -> Grid:
    """Bands top to bottom. ``pool_breaks``: band indexes that start a new pool (a gap before);
    ``extra_headers``: label strips of parent lanes (nested lanes) left of the lanes' own;
    ``sizes``: (band, row, column) → the largest (width, height) placed there, when a node is
    larger than a standard cell (an expanded sub-process drawn in place): its column and row grow.
    ``origin``: where the grid starts, without any label strip (a sub-process's contents)."""
    widths = [float(CELL_W)] * max(columns, 0)
    heights = [[float(CELL_H)] * max(1, lane_rows[i] if i < len(lane_rows) else 1) for i in range(len(lane_ids))]
    for (band, row, column), (width, height) in (sizes or {}).items():
        widths[column] = max(widths[column], width + 2 * GUTTER_X)
        heights[band][row] = max(heights[band][row], height + 2 * GUTTER_Y)
    if origin is None:
        left = ORIGIN_X + HEADER + (HEADER if lanes_inside_pool else 0) + HEADER * extra_headers + MARGIN
        top = ORIGIN_Y
    else:
        left, top = origin[0] + MARGIN, origin[1]
    grid = Grid(left, widths)
    for index, lane_id in enumerate(lane_ids):
        if index and index in pool_breaks:
            top += POOL_GAP
        band = Band(lane_id, top, heights[index])
        grid.bands.append(band)
        top += band.height
    return grid


def centred(cell: Box, size: tuple[int, int]) -> Box:
    x, y, w, h = cell
    return (x + (w - size[0]) / 2, y + (h - size[1]) / 2, size[0], size[1])


def anchor(box: Box, side: Side) -> Point:
    x, y, w, h = box
    if side is Side.RIGHT:
        return (x + w, y + h / 2)
    if side is Side.LEFT:
        return (x, y + h / 2)
    if side is Side.TOP:
        return (x + w / 2, y)
    return (x + w / 2, y + h)


def stub(box: Box, cell: Box, side: Side) -> Point:
    """Where an edge leaving ``box`` by ``side`` reaches the gutter of its cell."""
    x, y, w, h = box
    cx, cy, cw, ch = cell
    if side is Side.RIGHT:
        return (cx + cw, y + h / 2)
    if side is Side.LEFT:
        return (cx, y + h / 2)
    if side is Side.TOP:
        return (x + w / 2, cy)
    return (x + w / 2, cy + ch)


class Occupancy:
    """Which node centres lie on a row or column line: a straight edge along one is drawn only
    when no node stands in its way."""

    __slots__ = ("by_column", "by_row")

    def __init__(self) -> None:
        self.by_row: dict[float, list[float]] = {}
        self.by_column: dict[float, list[float]] = {}

    def add(self, box: Box) -> None:
        cx, cy = round(box[0] + box[2] / 2), round(box[1] + box[3] / 2)
        self.by_row.setdefault(cy, []).append(cx)
        self.by_column.setdefault(cx, []).append(cy)

    def finish(self) -> None:
        for values in self.by_row.values():
            values.sort()
        for values in self.by_column.values():
            values.sort()

    @staticmethod
    def _free(values: list[float] | None, low: float, high: float) -> bool:
        if not values:
            return True
        index = bisect_right(values, low)
        return index >= len(values) or values[index] >= high

    def free_row(self, y: float, x1: float, x2: float) -> bool:
        return self._free(self.by_row.get(round(y)), min(x1, x2), max(x1, x2))

    def free_column(self, x: float, y1: float, y2: float) -> bool:
        return self._free(self.by_column.get(round(x)), min(y1, y2), max(y1, y2))


def route(source: Box, source_cell: Box, source_side: Side, target: Box, target_cell: Box, target_side: Side,
          occupancy: Occupancy) -> list[Point]:
    """Orthogonal waypoints from ``source`` (leaving by ``source_side``) to ``target`` (entering
    by ``target_side``), along the gutters between cells."""
    if source is target or source == target and source_cell == target_cell:
        return _self_loop(source, source_cell)
    start, end = anchor(source, source_side), anchor(target, target_side)
    s, t = stub(source, source_cell, source_side), stub(target, target_cell, target_side)
    s_vertical = source_side in (Side.LEFT, Side.RIGHT)  # s lies on a vertical gutter
    t_vertical = target_side in (Side.LEFT, Side.RIGHT)
    middle: list[Point]
    if s_vertical and t_vertical:
        if s[0] == t[0] or (s[1] == t[1] and occupancy.free_row(s[1], s[0], t[0])):
            middle = [s, t]
        else:
            if t[1] > s[1]:
                gutter = target_cell[1]
            elif t[1] < s[1]:
                gutter = target_cell[1] + target_cell[3]
            else:
                gutter = source_cell[1]
            middle = [s, (s[0], gutter), (t[0], gutter), t]
    elif not s_vertical and not t_vertical:
        if s[1] == t[1]:
            middle = [s, t]
        else:
            gutter = target_cell[0] if t[0] >= s[0] else target_cell[0] + target_cell[2]
            if s[0] == t[0] and occupancy.free_column(s[0], s[1], t[1]):
                middle = [s, t]
            else:
                middle = [s, (gutter, s[1]), (gutter, t[1]), t]
    elif s_vertical:
        middle = [s, (s[0], t[1]), t]
    else:
        middle = [s, (t[0], s[1]), t]
    return simplify([start, *middle, end])


def _self_loop(box: Box, cell: Box) -> list[Point]:
    x, y, w, h = box
    cx, cy, cw, _ = cell
    middle = y + h / 2
    return [(x + w, middle), (cx + cw, middle), (cx + cw, cy), (cx, cy), (cx, middle), (x, middle)]


def simplify(points: list[Point]) -> list[Point]:
    """Without repeated points and without middle points of straight runs."""
    result: list[Point] = []
    for point in points:
        point = (round(point[0]), round(point[1]))
        if result and result[-1] == point:
            continue
        if len(result) >= 2:
            (ax, ay), (bx, by) = result[-2], result[-1]
            if (ax == bx == point[0]) or (ay == by == point[1]):
                result[-1] = point
                continue
        result.append(point)
    if len(result) == 1:
        result.append(result[0])
    return result


def label_box(points: list[Point], text: str) -> Box:
    """An edge label beside the middle of its longest segment."""
    width, height = text_size(text)
    best, best_length = (points[0], points[-1]), -1.0
    for a, b in pairwise(points):
        length = abs(a[0] - b[0]) + abs(a[1] - b[1])
        if length > best_length:
            best, best_length = (a, b), length
    (ax, ay), (bx, by) = best
    mx, my = (ax + bx) / 2, (ay + by) / 2
    if ay == by:  # horizontal: above the line
        return (round(mx - width / 2), round(my - height - 4), width, height)
    return (round(mx + 6), round(my - height / 2), width, height)


def text_size(text: str) -> tuple[int, int]:
    lines = text.split("\n") if text else [""]
    longest = max(len(line) for line in lines)
    # bpmn-js draws labels in 11 px Arial (about 6.5 px a character) and wraps at the box width:
    # a few pixels of slack keep a short word from wrapping.
    width = max(30, min(150, round(longest * 7) + 10))
    wrapped = sum(max(1, -(-(round(len(line) * 7) + 10) // 150)) for line in lines)
    return width, 14 * wrapped


def annotation_size(text: str) -> tuple[int, int]:
    """A text annotation as wide as a cell allows and as tall as its wrapped text (bpmn-js draws
    the text inside the bracket; a box too small lets it spill over the neighbours)."""
    width = CELL_W - 20
    per_line = max(1, (width - 10) // 6)
    lines = sum(max(1, -(-len(line) // per_line)) for line in text.split("\n"))
    return width, max(30, min(CELL_H - 10, 14 * lines + 10))


def between(source: Box, target: Box) -> list[Point]:
    """A vertical connection between two boxes stacked in different pools (message flows that
    end on a pool): down or up from the source, across in the gap, on into the target."""
    sx = source[0] + source[2] / 2
    tx = target[0] + target[2] / 2
    if source[2] > 3 * CELL_W and target[2] <= 3 * CELL_W:
        sx = tx  # a whole pool: leave it right above (or below) the node it talks to
    elif target[2] > 3 * CELL_W:
        tx = sx
    if target[1] >= source[1] + source[3]:
        start, end = (sx, source[1] + source[3]), (tx, target[1])
    else:
        start, end = (sx, source[1]), (tx, target[1] + target[3])
    middle = (start[1] + end[1]) / 2
    return simplify([start, (sx, middle), (tx, middle), end])


def to_pool(node: Box, cell: Box, pool: Box) -> list[Point]:
    """From a node to a pool above or below it, along gutters: out of the node's top or bottom to
    its row's gutter, across to the column gutter on its right, then straight to the pool's
    edge (column gutters hold no node in any lane, so the line crosses none)."""
    x, y, w, h = node
    below = pool[1] >= y + h
    start = (x + w / 2, y + h) if below else (x + w / 2, y)
    row_gutter = cell[1] + cell[3] if below else cell[1]
    column_gutter = cell[0] + cell[2]
    end = (column_gutter, pool[1] if below else pool[1] + pool[3])
    return simplify([start, (start[0], row_gutter), (column_gutter, row_gutter), end])
