"""Certification rules as pure functions on plain values.

Nothing here imports Odoo: the ORM layer gathers ids and flags, calls these functions and turns the
returned codes into translated messages. The rules come from seed 000, 附件1:

* levels are ordered per scheme (instrument family); a level may require a prerequisite level,
  held either on the same instrument ("各电镜的考核独立进行") or on any instrument of the scheme
  (the cryo level needs intermediate on some TEM);
* holding a level on an instrument implies holding every same-instrument prerequisite below it;
* primary training may be given by a member of the trainee's own group holding a given level on that
  instrument; other levels only by the instrument's staff or managers;
* an assessment passes on an instrument when every item assessed for that instrument passed.
"""

from calendar import monthrange
from datetime import date

from .codes import Rule

SCOPE_INSTRUMENT = "instrument"
SCOPE_SCHEME = "scheme"

POLICY_STAFF = "staff"
POLICY_MANAGER = "manager"

RESULT_PASS = "pass"
RESULT_FAIL = "fail"


def prerequisite_cycle(level_id, prerequisite_of):
    """Whether following prerequisites from ``level_id`` comes back to a level already seen.

    ``prerequisite_of`` maps a level id to its prerequisite level id (or None).
    """
    seen = set()
    current = level_id
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = prerequisite_of.get(current)
    return False


def implied_levels(level_id, prerequisite_of, scope_of):
    """Levels held on an instrument by whoever holds ``level_id`` on it.

    A level implies its prerequisite when that prerequisite had to be held on the same instrument,
    and so on down the chain. ``scope_of`` maps a level id to the scope of *its* prerequisite.
    """
    held = {level_id}
    current = level_id
    while scope_of.get(current) == SCOPE_INSTRUMENT and prerequisite_of.get(current) is not None:
        current = prerequisite_of[current]
        if current in held:
            break
        held.add(current)
    return held


def held_levels(granted_level_ids, prerequisite_of, scope_of):
    """All levels held on one instrument, given the levels granted on it."""
    held = set()
    for level_id in granted_level_ids:
        held |= implied_levels(level_id, prerequisite_of, scope_of)
    return held


def prerequisite_met(level_id, prerequisite_of, scope_of, held_on_instrument, held_in_scheme):
    """Whether a user may be granted (or trained for) ``level_id``.

    ``held_on_instrument``: levels the user holds on the instrument concerned;
    ``held_in_scheme``: levels the user holds on any instrument of the level's scheme.
    """
    prerequisite = prerequisite_of.get(level_id)
    if prerequisite is None:
        return True
    if scope_of.get(level_id) == SCOPE_SCHEME:
        return prerequisite in held_in_scheme
    return prerequisite in held_on_instrument


def trainer_refusal(policy, is_manager, is_staff, peer_level_id, trainer_levels, shares_group):
    """Why a trainer may not give a training, or None when they may.

    ``policy``: ``"manager"`` (only the instrument's managers) or ``"staff"`` (managers and
    technicians); ``peer_level_id``: level a member of the trainee's own research group must hold on
    the instrument to give this training, or None when peers may not train;
    ``trainer_levels``: levels the trainer holds on the instrument; ``shares_group``: the trainer is
    in a research group of the trainee. Returns one of ``"manager_only"``, ``"peer_not_certified"``,
    ``"peer_other_group"``, ``"staff_only"``.
    """
    if is_manager:
        return None
    if policy == POLICY_STAFF and is_staff:
        return None
    if peer_level_id is None:
        return Rule.TRAINER_MANAGER_ONLY if policy == POLICY_MANAGER else Rule.TRAINER_STAFF_ONLY
    if not shares_group:
        return Rule.TRAINER_PEER_OTHER_GROUP
    if peer_level_id not in trainer_levels:
        return Rule.TRAINER_PEER_NOT_CERTIFIED
    return None


def assessment_results(instrument_ids, items, lines):
    """Result per instrument of an assessment.

    ``items``: list of ``(item_id, per_instrument)``; ``lines``: list of
    ``(item_id, instrument_id_or_None, result_or_None)`` where a common item (not per
    instrument) is recorded once with ``instrument_id`` None. Returns
    ``{instrument_id: "pass" | "fail" | "pending"}``: fail as soon as one applicable item failed,
    pending while one is unrecorded, else pass.
    """
    recorded = {(item_id, instrument_id): result for item_id, instrument_id, result in lines}
    results = {}
    for instrument_id in instrument_ids:
        outcome = RESULT_PASS
        if not items:
            outcome = "pending"
        for item_id, per_instrument in items:
            key = (item_id, instrument_id if per_instrument else None)
            result = recorded.get(key)
            if result == RESULT_FAIL:
                outcome = RESULT_FAIL
                break
            if result != RESULT_PASS:
                outcome = "pending"
        results[instrument_id] = outcome
    return results


def expiry_date(granted, validity_months):
    """Expiry of a qualification granted on ``granted``; None when it does not expire."""
    if not granted or not validity_months:
        return None
    month_index = granted.month - 1 + validity_months
    year = granted.year + month_index // 12
    month = month_index % 12 + 1
    day = min(granted.day, monthrange(year, month)[1])
    return date(year, month, day)


def is_current(date_granted, date_expiry, on_date):
    """Whether a qualification granted and expiring on these dates is valid on ``on_date``."""
    if date_granted and date_granted > on_date:
        return False
    return not date_expiry or date_expiry >= on_date
