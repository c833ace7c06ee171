"""Scoring bands with explicit edges and their validation (seed 002 附件2, 附件3; seed 001 §3.4).

The seeds write bands like ``1400 < 机时 < 1600: 28``: both edges strict, so exactly 1,400 h falls
in no band. Here every band states both edges and whether each is closed, and ``validate`` lists
every point or interval of the scale that no band covers (a *gap*: an unassigned edge such as
exactly 1,400, or a missing range such as the 20k–30k fee band) and every one covered twice (an
*overlap*). The shipped defaults resolve the seeds' open edges by closing the lower edge of the
band above (``[1400, 1600)`` → 28, so 800 h → 22), never overriding an edge the seed fixes
(``机时 ≥ 1600`` stays closed below, an ``≤`` stays closed above).

``score(value, bands)`` gives the points of the one band containing ``value`` and raises
:class:`BandError` when none or several do (a table that validates never raises).
"""

from dataclasses import dataclass
from itertools import pairwise

GAP = "gap"
OVERLAP = "overlap"


class BandError(ValueError):
    """A value no band (or more than one band) scores."""


@dataclass(frozen=True)
class Band:
    """``low``..``high`` (None: unbounded) scored ``points``; each edge closed or open."""

    low: float | None
    high: float | None
    points: float
    low_closed: bool = True
    high_closed: bool = False

    def contains(self, value):
        if self.low is not None and (
            value < self.low or (value == self.low and not self.low_closed)
        ):
            return False
        if self.high is not None and (
            value > self.high or (value == self.high and not self.high_closed)
        ):
            return False
        return True


@dataclass(frozen=True)
class Problem:
    """A gap or an overlap of a band table: ``low == high`` is a single point (an edge)."""

    kind: str
    low: float | None
    high: float | None


def score(value, bands):
    """The points of the band containing ``value``."""
    found = [band for band in bands if band.contains(value)]
    if len(found) != 1:
        raise BandError(
            f"{value} is scored by {len(found)} bands"
            if found
            else f"{value} falls in no band (an unassigned edge or a gap)"
        )
    return found[0].points


def _start_key(band):
    # bands starting at the same point: the one closed there first; unbounded first of all
    return (float("-inf") if band.low is None else band.low, not band.low_closed)


def validate(bands, floor=0.0, ceiling=None):
    """The :class:`Problem` s of a band table over the scale ``[floor, ceiling]`` (None:
    unbounded), in the order of the scale: gaps (points or ranges no band covers) and
    overlaps (covered twice). An empty list: every value of the scale has exactly one band."""
    problems = []
    ordered = sorted(bands, key=_start_key)
    if not ordered:
        return [Problem(GAP, floor, ceiling)]
    first = ordered[0]
    if first.low is not None and (floor is None or first.low > floor):
        problems.append(Problem(GAP, floor, first.low))
    elif first.low is not None and first.low == floor and not first.low_closed:
        problems.append(Problem(GAP, floor, floor))
    for before, after in pairwise(ordered):
        problems += _between(before, after)
    last = max(ordered, key=lambda b: float("inf") if b.high is None else b.high)
    if last.high is not None:
        if ceiling is None or last.high < ceiling:
            problems.append(Problem(GAP, last.high, ceiling))
        elif last.high == ceiling and not last.high_closed:
            problems.append(Problem(GAP, ceiling, ceiling))
    return problems


def _between(before, after):
    """The gap or overlap where ``before`` ends and ``after`` (starting later) begins."""
    if before.high is None:
        return [Problem(OVERLAP, after.low, after.high)]
    if before.high < after.low:
        return [Problem(GAP, before.high, after.low)]
    if before.high > after.low:
        return [Problem(OVERLAP, after.low, min(before.high, after.high or before.high))]
    if before.high_closed and after.low_closed:
        return [Problem(OVERLAP, after.low, after.low)]
    if not before.high_closed and not after.low_closed:
        return [Problem(GAP, after.low, after.low)]
    return []


def seed_bands(rows):
    """Bands written as the seed writes them: ``(low, high, points)`` with both edges strict
    (``low < x < high``), None for an unbounded side. Validate them to see the unassigned
    edges."""
    return [
        Band(low, high, points, low_closed=False, high_closed=False) for low, high, points in rows
    ]


def close_low_edges(bands, fixed=()):
    """The seed's strict bands with each lower edge closed (the default resolution of the
    unassigned edges: an edge value scores the band above it), except the bands whose edges the
    seed fixes (``fixed``: bands taken as they are)."""
    out = []
    for band in bands:
        if band in fixed:
            out.append(band)
        else:
            out.append(Band(band.low, band.high, band.points, True, band.high_closed))
    return out
