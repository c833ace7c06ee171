"""Codes shared by the pure rules and the ORM: defined here once, imported everywhere.

Nothing here imports Odoo. The ORM turns a :class:`Rule` into a translated sentence through one
table (``models/facility_messages.py``); selection fields take their keys from the state enums.
"""

from enum import StrEnum


class BookingState(StrEnum):
    """States of a booking; they change only through the booking's transitions."""

    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    IN_USE = "in_use"
    DONE = "done"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


S = BookingState
# Bookings that hold their time: the exclusion constraint covers exactly these.
ACTIVE_STATES = (S.CONFIRMED, S.IN_USE, S.DONE)
# Bookings that count in quotas and annual shares.
QUOTA_STATES = (S.REQUESTED, S.CONFIRMED, S.IN_USE, S.DONE)
# Bookings that use a group's allocated hours (a no-show used them too).
ALLOCATION_STATES = (*QUOTA_STATES, S.NO_SHOW)
# Bookings whose time or rules may still change.
OPEN_STATES = (S.REQUESTED, S.CONFIRMED)
# Bookings whose booked time is charged (a late cancellation too, see ``chargeable_hours``).
CHARGED_STATES = (S.CONFIRMED, S.IN_USE, S.DONE, S.NO_SHOW)
# Final states: the charge of the booking is settled once it reaches one of them.
FINAL_STATES = (S.DONE, S.NO_SHOW, S.CANCELLED, S.REJECTED)


class WaitlistState(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    BOOKED = "booked"
    CANCELLED = "cancelled"


class LevelRole(StrEnum):
    """How a policy names a certification level without naming a record, so that a preset works
    on any instrument: the level is found on the instrument itself."""

    NONE = "none"
    CERTIFIED = "certified"  # the level to book the instrument (its required certification)
    INDEPENDENT = "independent"  # the first level of its scheme allowing independent use


class Rule(StrEnum):
    """Every rule a booking can break; one sentence per code in the message table."""

    # rules that do not depend on the time
    NO_BOOKING = "no_booking"
    INSTRUMENT_STATE = "instrument_state"
    INSTRUMENT_ARCHIVED = "instrument_archived"
    OPERATOR = "operator"
    OPERATOR_ARCHIVED = "operator_archived"
    BOOKER = "booker"
    GROUP_RESTRICTED = "group_restricted"
    CERTIFICATION = "certification"
    # the policy's rules (pure, rules/booking.py)
    ORDER = "order"
    PAST = "past"
    HORIZON_WEEKS = "horizon_weeks"
    HORIZON_DAYS = "horizon_days"
    REOPEN = "reopen"
    MONTHLY = "monthly"
    SLOTS = "slots"
    RESTRICTED_SLOT = "restricted_slot"
    WHOLE_DAYS = "whole_days"
    SETUP = "setup"
    MIN_DURATION = "min_duration"
    MAX_DURATION = "max_duration"
    OFFHOURS = "offhours"
    WEEKEND_LEVEL = "weekend_level"
    WEEKEND_ADJACENT = "weekend_adjacent"
    BLACKOUT = "blackout"
    QUOTA = "quota"
    EXTERNAL_SHARE = "external_share"
    RESERVED_SHARE = "reserved_share"
    PREPARATION = "preparation"
    ALLOCATION_MISSING = "allocation_missing"
    ALLOCATION = "allocation"
    # time held by another booking
    OVERLAP = "overlap"
    OVERLAP_RACE = "overlap_race"
    # certification (rules/certification.py)
    TRAINER_MANAGER_ONLY = "manager_only"
    TRAINER_STAFF_ONLY = "staff_only"
    TRAINER_PEER_OTHER_GROUP = "peer_other_group"
    TRAINER_PEER_NOT_CERTIFIED = "peer_not_certified"
    PREREQUISITE_INSTRUMENT = "prerequisite_instrument"
    PREREQUISITE_SCHEME = "prerequisite_scheme"
