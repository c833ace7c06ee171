"""Codes shared by the IoT rules and (later) the ORM, HTTP and MQTT layers: defined here once.

Every enum is a :class:`StrEnum`, so a member compares equal to its value: selection fields, JSON
answers and MQTT acknowledgements use the values directly, and a code read back from the database
or from a box is turned into a member with ``EventType(value)``. Nothing here imports Odoo.
"""

from enum import StrEnum


class EventType(StrEnum):
    """What a box reports. Every event is also a sign of life of its box (see ``sessions``)."""

    CARD_SWIPE = "card_swipe"
    PC_LOGIN = "pc_login"
    PC_LOGOUT = "pc_logout"
    POWER_ON = "power_on"
    POWER_OFF = "power_off"
    DOOR_OPEN = "door_open"
    HEARTBEAT = "heartbeat"


class EventOutcome(StrEnum):
    """The answer for one event of a batch."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # the same event id of the same box was already stored
    REJECTED = "rejected"  # with a :class:`RejectReason`; the body goes to the quarantine


class RejectReason(StrEnum):
    """Why one event of a batch was rejected (the batch's other events are still taken)."""

    NOT_AN_OBJECT = "not_an_object"  # the item of the list is not a JSON object
    UNKNOWN_TYPE = "unknown_type"  # missing, not a string, or not an :class:`EventType`
    BAD_ID = "bad_id"  # missing, not a string, empty, longer than 64, unprintable, padded
    BAD_TIME = "bad_time"  # missing, unparseable, without a UTC offset, out of range
    FUTURE_TIME = "future_time"  # later than now plus the allowed clock skew
    TOO_OLD = "too_old"  # older than the intake's maximum age
    BAD_CARD = "bad_card"
    BAD_USER = "bad_user"
    BAD_SNAPSHOT = "bad_snapshot"
    BAD_PAYLOAD = "bad_payload"  # not an object, or too large


class BatchError(StrEnum):
    """Why a whole batch was refused (HTTP 400): nothing of it is taken, all of it is kept."""

    MALFORMED_JSON = "malformed_json"  # not UTF-8 JSON: the answer gives the parse error
    TOO_LARGE = "too_large"  # a body over the intake's byte limit
    NOT_A_LIST = "not_a_list"
    TOO_MANY = "too_many"


class AuthReason(StrEnum):
    """Why a request of a box was refused (HTTP 401). None of them reveals a secret."""

    UNKNOWN_BOX = "unknown_box"
    BAD_SIGNATURE = "bad_signature"
    BAD_TIMESTAMP = "bad_timestamp"  # missing or not integer epoch seconds
    STALE_TIMESTAMP = "stale_timestamp"  # older than the replay window
    FUTURE_TIMESTAMP = "future_timestamp"  # later than the replay window


class SessionKind(StrEnum):
    PC = "pc"  # pc_login -> pc_logout
    POWER = "power"  # power_on -> power_off


class SessionEnd(StrEnum):
    CLOSED = "closed"  # by its stop event
    HEARTBEAT_TIMEOUT = "heartbeat_timeout"  # at the last sign of life plus the timeout
    SUPERSEDED = "superseded"  # at the login of another person (its own logout was lost)
    OPEN = "open"  # still running: the box was heard from within the timeout


class Decision(StrEnum):
    ALLOW = "allow"
    DENY = "deny"


class AllowReason(StrEnum):
    BOOKING = "booking"  # a confirmed booking now: until its stop plus the grace
    WALK_IN = "walk_in"  # log-only device allowing walk-in: until now plus the walk-in span
    OFFLINE_LIST = "offline_list"  # the box's signed allow-list holds the card now
    OFFLINE_FAIL_OPEN = "offline_fail_open"  # no usable list, the instrument fails open


class DenyReason(StrEnum):
    """Why access is denied, in the order ``decision.decide`` checks them."""

    UNKNOWN_CARD = "unknown_card"
    INSTRUMENT_UNAVAILABLE = "instrument_unavailable"
    SANCTIONED = "sanctioned"
    GROUP_SUSPENDED = "group_suspended"  # any group state but active (suspended, blacklisted)
    NOT_QUALIFIED = "not_qualified"
    NO_BOOKING = "no_booking"
    OFFLINE_NOT_LISTED = "offline_not_listed"  # a valid allow-list without the card now
    OFFLINE_FAIL_CLOSED = "offline_fail_closed"  # no usable list, the instrument fails closed


class BoxState(StrEnum):
    ONLINE = "online"
    SILENT = "silent"  # not heard from past its heartbeat interval: an activity is raised
    RETIRED = "retired"  # refused by the intake like an unknown box


class ControlKind(StrEnum):
    PC = "pc"
    POWER = "power"
    DOOR = "door"
    CAMERA = "camera"


class FailMode(StrEnum):
    """What an instrument's box does when it cannot decide (no network and no usable list)."""

    OPEN = "open"  # iLab's "default on": the instrument stays usable, use is logged
    CLOSED = "closed"  # a locked PC stays locked


class SpotCheck(StrEnum):
    """Discrepancies of one instrument-month between booked, measured and manual hours (抽查)."""

    UNDER_USE = "under_use"  # measured much less than booked
    UNBOOKED = "unbooked"  # measured much more than booked (use without a booking)
    MANUAL_MISMATCH = "manual_mismatch"  # the manual ledger differs from the measured time
    NO_MEASUREMENT = "no_measurement"  # the collector gave nothing for the month
    NO_MANUAL_LOG = "no_manual_log"  # use without any manual ledger entry


class Channel(StrEnum):
    """How a request of a box arrived."""

    HTTP = "http"
    MQTT = "mqtt"
    REPLAY = "replay"  # an administrator replayed a corrected body from the quarantine


class QuarantineState(StrEnum):
    NEW = "new"  # kept with its reason, waiting for an administrator
    REPLAYED = "replayed"  # corrected (or not) and taken by the intake
    DISCARDED = "discarded"  # looked at and dropped on purpose: still kept


class Endpoint(StrEnum):
    """What a box may ask: the only routes a box's signature opens (paths in ``controllers``)."""

    EVENTS = "events"
    ACCESS = "access"
    ALLOW_LIST = "allow-list"
