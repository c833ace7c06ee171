"""Statistics of a campaign (seed 001 §4.2–4.3): mean and standard deviation of hours and
scores, rankings, and the candidates of seed 002 第五条 (先进单位, 优秀机组, 先进个人, reduced
funding) decided from a campaign's results. Plain values, no Odoo import."""

from dataclasses import dataclass
from math import sqrt

# how many candidates of each kind (ir.config_parameter defaults, see the README)
DEFAULT_UNITS = 3
DEFAULT_INSTRUMENTS = 5
DEFAULT_PERSONS = 5


def mean_std(values):
    """``(mean, standard deviation)`` of ``values`` (population: every evaluated instrument,
    not a sample), ``(0.0, 0.0)`` for none."""
    values = [float(value) for value in values]
    if not values:
        return 0.0, 0.0
    mean = sum(values) / len(values)
    variance = sum((value - mean) ** 2 for value in values) / len(values)
    return mean, sqrt(variance)


def rank(items, key, reverse=True):
    """``[(rank, item)]`` sorted by ``key(item)`` (highest first unless ``reverse`` is false),
    with ties sharing a rank and the next rank skipped (1, 2, 2, 4). Equal keys keep the items'
    order."""
    ordered = sorted(items, key=key, reverse=reverse)
    ranked, previous, position = [], None, 0
    for index, item in enumerate(ordered, start=1):
        value = key(item)
        if index == 1 or value != previous:
            position = index
        ranked.append((position, item))
        previous = value
    return ranked


def top(items, key, count):
    """The items ranked ``count`` or better by ``key`` (highest first): ties at the last place
    are all kept, so more than ``count`` items may come back; none for ``count`` ≤ 0."""
    if count <= 0:
        return []
    return [(position, item) for position, item in rank(items, key) if position <= count]


@dataclass(frozen=True)
class UnitResult:
    """A unit's result in a campaign: its final total and whether it failed (< 70)."""

    id: int
    score: float
    failed: bool = False


@dataclass(frozen=True)
class InstrumentResult:
    """An assessed instrument's result: final total, annual hours, the people in charge."""

    id: int
    score: float
    hours: float
    unit_id: int = 0
    failed: bool = False
    managers: tuple = ()


@dataclass(frozen=True)
class Candidate:
    """One proposal: ``kind`` (unit, instrument, person, reduced_funding), the record it names
    (``ref``: unit, instrument or user id), its rank and score, and for a person the instrument
    the proposal rests on."""

    kind: str
    ref: int
    rank: int
    score: float
    instrument_id: int = 0
    unit_id: int = 0


def unit_fails(unit, fail_below=None):
    """Whether ``unit`` fails: its form's own rule (``failed``, the table's threshold: 附件2
    "70分以下", exactly 70 passes), or under ``fail_below`` points when one is given."""
    return unit.failed or (fail_below is not None and unit.score < fail_below)


def instrument_fails(instrument, fail_below=None, hours_below=None):
    """Whether ``instrument`` fails: its form's own rule (``failed``, the table's thresholds:
    附件3 第四条 2, under 60 points or 800 hours, exactly 60 / 800 passes), or under
    ``fail_below`` points or ``hours_below`` hours when given."""
    return (
        instrument.failed
        or (fail_below is not None and instrument.score < fail_below)
        or (hours_below is not None and instrument.hours < hours_below)
    )


def award_candidates(
    units,
    instruments,
    unit_count=DEFAULT_UNITS,
    instrument_count=DEFAULT_INSTRUMENTS,
    person_count=DEFAULT_PERSONS,
):
    """The candidates of seed 002 第五条 from a campaign's results:

    - 先进单位 (``unit``): the ``unit_count`` best units by score among those that do not fail;
    - 优秀机组 (``instrument``): the ``instrument_count`` best instruments by score among those
      passing both rules (≥ 60 points and ≥ 800 hours);
    - 先进个人 (``person``): the managers of those instruments, best instrument first, until
      ``person_count`` people (each once, on their best instrument; all the managers of the
      instrument reaching the count, and of instruments tied with it);
    - reduced funding (``reduced_funding``): every failing unit, lowest score first.

    Ties at the last place are all proposed. Returns a list of :class:`Candidate`."""
    candidates = []
    passing_units = [unit for unit in units if not unit_fails(unit)]
    for position, unit in top(passing_units, lambda u: u.score, unit_count):
        candidates.append(Candidate("unit", unit.id, position, unit.score, unit_id=unit.id))
    passing = [instrument for instrument in instruments if not instrument_fails(instrument)]
    best = top(passing, lambda i: (i.score, i.hours), instrument_count)
    for position, instrument in best:
        candidates.append(
            Candidate(
                "instrument",
                instrument.id,
                position,
                instrument.score,
                instrument_id=instrument.id,
                unit_id=instrument.unit_id,
            )
        )
    people, seen, last_score = [], set(), None
    for _position, instrument in best:
        if len(people) >= person_count and instrument.score != last_score:
            break
        for user_id in instrument.managers:
            if user_id in seen:
                continue
            seen.add(user_id)
            people.append(
                Candidate(
                    "person",
                    user_id,
                    len(people) + 1,
                    instrument.score,
                    instrument_id=instrument.id,
                    unit_id=instrument.unit_id,
                )
            )
        last_score = instrument.score
    candidates.extend(people)
    failing = [unit for unit in units if unit_fails(unit)]
    for position, unit in rank(failing, lambda u: u.score, reverse=False):
        candidates.append(
            Candidate("reduced_funding", unit.id, position, unit.score, unit_id=unit.id)
        )
    return candidates
