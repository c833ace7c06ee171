"""The access matrix of core_facility: who may read, create, write and unlink what.

Every model of the addon has a row per role and operation (read, create, write, unlink), run as a
real non-admin user; sensitive fields have rows of their own. A new model fails
``test_matrix_covers_every_model`` until its rows are added here.

The roles: a facility user (member of group A), the PI of group A, the manager of the Spirit, a
facility manager, a reviewer, finance, and a portal user (member of group B).

Refused means a clean refusal: :class:`~odoo.exceptions.AccessError`, :class:`UserError` or
:class:`ValidationError`; anything else (AttributeError, TypeError, KeyError, a psycopg2 error) is
a server error and fails the row.

Open by design (readable, not writable, beyond one's own records):

- every internal user reads the shared booking calendar: all bookings, with their operator and
  research group, the waitlist of no one but oneself;
- every internal user reads the whole instrument catalogue with its asset data (original value,
  account date, serial number...); portal users read the published catalogue, managers' names
  and contacts included;
- every internal and portal user reads the organisation (units), the certification schemes,
  levels and checklists, the booking policies and day slots; internal users read quotas and
  reserved time;
- instrument managers, reviewers and finance read every research group with its members
  (intake, review, billing);
- ``facility.qualification.is_qualified()`` answers for any user: whether a person holds a level
  on an instrument is the booking rules' public question (operators, companions); it says yes or
  no, not when or how.

The booking family (bookings, waitlist, allocations, policies, slots, quotas, reserved time and
the booking wizards) follows the contract its rewrite implements: its rows are in
``test_booking_family_contract``.
"""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import FacilityCase

ALLOWED, REFUSED = "allowed", "refused"
FOUND, HIDDEN = "found", "hidden"  # for searches: the target is found, or not
REFUSALS = (AccessError, UserError, ValidationError)

ROLES = ("user", "pi", "instrument manager", "facility manager", "reviewer", "finance", "portal")
OPERATIONS = ("read", "create", "write", "unlink")
EVERYONE = frozenset(ROLES)
INTERNAL = EVERYONE - {"portal"}
FM = frozenset({"facility manager"})
STAFF = frozenset({"instrument manager", "facility manager"})
NOBODY = frozenset()
# a booking's operator, the group's PI, the instrument's manager and the facility manager
BOOKERS = frozenset({"user", "pi", "instrument manager", "facility manager"})

BOOKING_FAMILY = {
    "facility.booking",
    "facility.booking.waitlist",
    "facility.booking.allocation",
    "facility.booking.policy",
    "facility.booking.slot",
    "facility.booking.quota",
    "facility.booking.blackout",
    "facility.booking.finder",
    "facility.booking.finder.result",
    "facility.booking.reject.wizard",
}
ABSTRACT = {"facility.booking.rule.mixin"}  # no records of its own


def crud(read, create, write, unlink):
    return {"read": read, "create": create, "write": write, "unlink": unlink}


# model: (fixture read/written/unlinked, values to create, values to write, who may do what)
MODELS = {
    "facility.unit": (
        "spare_unit",
        lambda f: {"name": "Matrix Lab"},
        lambda f: {"note": "Renamed"},
        crud(EVERYONE, FM, FM, FM),
    ),
    "facility.instrument.category": (
        "spare_category",
        lambda f: {"name": "Matrix Category"},
        lambda f: {"name": "Renamed"},
        crud(EVERYONE, FM, FM, FM),
    ),
    "facility.certification.scheme": (
        "spare_scheme",
        lambda f: {"name": "Matrix Scheme"},
        lambda f: {"name": "Renamed"},
        crud(EVERYONE, FM, FM, FM),
    ),
    "facility.certification.level": (
        "spare_level",
        lambda f: {"name": "Matrix Level", "scheme_id": f.spare_scheme.id},
        lambda f: {"validity_months": 6},
        crud(EVERYONE, FM, FM, FM),
    ),
    "facility.certification.item": (
        "spare_item",
        lambda f: {"name": "Matrix Item", "level_id": f.spare_level.id},
        lambda f: {"name": "Renamed"},
        crud(EVERYONE, FM, FM, FM),
    ),
    "facility.instrument": (
        "spare_instrument",
        lambda f: {"name": "Matrix Instrument", "unit_id": f.center.id},
        lambda f: {"room": "B1-101"},
        crud(INTERNAL | {"portal"}, FM, STAFF, FM),
    ),
    "facility.research.group": (
        "spare_group",
        lambda f: {"name": "Matrix Group", "pi_id": f.free_user.id},
        lambda f: {"note": "<p>Cryo-EM</p>"},
        crud(INTERNAL, FM, {"pi", "facility manager"}, FM),
    ),
    "facility.research.group.state.wizard": (
        "state_wizard",
        lambda f: {"group_id": f.group_a.id, "state": "suspended", "reason": "Unpaid fees"},
        lambda f: {"reason": "Unacknowledged publication"},
        crud(FM, FM, FM, FM),
    ),
    "facility.qualification": (
        "q_a1",
        lambda f: {
            "user_id": f.student_b1.id,
            "instrument_id": f.spirit.id,
            "level_id": f.primary.id,
        },
        lambda f: {"note": "Renewed after the upgrade"},
        crud({"user", "pi", "instrument manager", "facility manager"}, STAFF, STAFF, STAFF),
    ),
    "facility.training": (
        "training_a",
        lambda f: {
            "instrument_id": f.spirit.id,
            "level_id": f.primary.id,
            "trainer_id": f.manager_spirit.id,
            "trainee_ids": [Command.set(f.student_a2.ids)],
        },
        lambda f: {"hours": 3},
        crud({"user", "pi", "instrument manager", "facility manager"}, STAFF, STAFF, STAFF),
    ),
    "facility.assessment": (
        "assessment_a",
        lambda f: {
            "trainee_id": f.student_a2.id,
            "research_group_id": f.group_a.id,
            "level_id": f.primary.id,
            "instrument_ids": [Command.set(f.spirit.ids)],
            "assessor_id": f.manager_spirit.id,
        },
        lambda f: {"instrument_ids": [Command.set(f.spirit.ids)]},
        crud({"user", "pi", "instrument manager", "facility manager"}, STAFF, STAFF, STAFF),
    ),
    "facility.assessment.line": (
        "line_a",
        lambda f: {
            "assessment_id": f.assessment_a.id,
            "item_id": f.primary.item_ids[0].id,
            "instrument_id": f.t20.id,
        },
        lambda f: {"result": "pass"},
        crud({"user", "pi", "instrument manager", "facility manager"}, NOBODY, STAFF, NOBODY),
    ),
    # -- the booking family: the contract of its rewrite ------------------------------------
    "facility.booking": (
        "booking_a",
        lambda f: f.booking_values(days=3),
        lambda f: {"purpose": "Grid screening"},
        crud(INTERNAL, BOOKERS, BOOKERS, NOBODY),
    ),
    "facility.booking.waitlist": (
        "waitlist_a",
        lambda f: f.waitlist_values(),
        lambda f: {"purpose": "Tomography"},
        crud({"user", *STAFF}, {"user", *STAFF}, {"user", *STAFF}, STAFF),
    ),
    "facility.booking.allocation": (
        "allocation_a",
        lambda f: {
            "instrument_id": f.spirit.id,
            "research_group_id": f.group_a.id,
            "month": "2031-02-01",
            "hours": 20,
        },
        lambda f: {"note": "Committee decision 12"},
        crud(INTERNAL, STAFF, STAFF, STAFF),
    ),
    "facility.booking.policy": (
        "spare_policy",
        lambda f: {"name": "Matrix Policy"},
        lambda f: {"name": "Renamed"},
        crud(EVERYONE, FM, FM, FM),
    ),
    "facility.booking.slot": (
        "spare_slot",
        lambda f: {
            "name": "Afternoon",
            "code": "pm",
            "policy_id": f.spare_policy.id,
            "hour_from": 13,
            "hour_to": 17,
        },
        lambda f: {"name": "Renamed"},
        crud(EVERYONE, FM, FM, FM),
    ),
    "facility.booking.quota": (
        "spare_quota",
        lambda f: {"policy_id": f.spare_policy.id, "limit": 8},
        lambda f: {"limit": 10},
        crud(INTERNAL, FM, FM, FM),
    ),
    "facility.booking.blackout": (
        "blackout_a",
        lambda f: {
            "name": "Tuning",
            "instrument_id": f.spirit.id,
            "date_start": f.later(days=40),
            "date_stop": f.later(days=41),
        },
        lambda f: {"name": "Cold FEG flashing"},
        crud(INTERNAL, STAFF, STAFF, STAFF),
    ),
    "facility.booking.finder": (
        "finder_a",
        lambda f: {"instrument_id": f.spirit.id, "research_group_id": f.group_a.id},
        lambda f: {"days": 7},
        crud({"user"}, INTERNAL, {"user"}, {"user"}),
    ),
    "facility.booking.finder.result": (
        "finder_result_a",
        lambda f: {
            "finder_id": f.finder_a.id,
            "date_start": f.later(days=50),
            "date_stop": f.later(days=50, hours=2),
        },
        lambda f: {"date_stop": f.later(days=50, hours=3)},
        crud({"user"}, INTERNAL, {"user"}, {"user"}),
    ),
    "facility.booking.reject.wizard": (
        "reject_wizard",
        lambda f: {"booking_ids": [Command.set(f.booking_a.ids)], "reason": "Wrong instrument"},
        lambda f: {"reason": "Sample not ready"},
        crud({"instrument manager"}, STAFF, {"instrument manager"}, {"instrument manager"}),
    ),
}


def _rows(model, fixture, roles, operation, values, expected):
    return [(model, fixture, role, operation, values, expected) for role in roles]


def _field(name, value):
    return lambda f: {name: value(f) if callable(value) else value}


BOOKING_LOCKED = {
    "state": "done",
    "actual_start": lambda f: f.later(days=30),
    "actual_stop": lambda f: f.later(days=30, hours=1),
    "is_late_cancellation": True,
    "is_underuse": True,
    "released_hours": 1.0,
    "chargeable_hours": 0.0,
    "used_hours": 5.0,
    "cancel_date": lambda f: f.later(days=1),
    "reject_reason": "Forged",
    "booked_by_id": lambda f: f.pi_b.id,
}
WAITLIST_LOCKED = {
    "state": "offered",
    "offered_start": lambda f: f.later(days=60),
    "offered_stop": lambda f: f.later(days=60, hours=2),
    "booking_id": lambda f: f.booking_a.id,
}

# Sensitive fields and cases: (model, fixture, role, operation, values, expected).
FIELD_ROWS = [
    # research groups: the status only through the Change Status wizard
    *_rows(
        "facility.research.group",
        "group_a",
        ("pi", "facility manager", "instrument manager", "finance"),
        "write",
        lambda f: {"state": "suspended", "state_reason": "Unpaid fees"},
        REFUSED,
    ),
    *_rows(
        "facility.research.group",
        "suspended_group",
        ("pi", "facility manager"),
        "write",
        _field("state", "active"),
        REFUSED,
    ),
    *_rows(
        "facility.research.group",
        "group_a",
        ("pi", "facility manager"),
        "write",
        _field("state_reason", "Forged"),
        REFUSED,
    ),
    *_rows(
        "facility.research.group",
        "group_a",
        ("pi", "facility manager"),
        "write",
        _field("state_date_from", "2030-01-01"),
        REFUSED,
    ),
    *_rows(
        "facility.research.group",
        "group_a",
        ("pi",),
        "write",
        _field("state_date_to", "2030-01-01"),
        REFUSED,
    ),
    (
        "facility.research.group",
        None,
        "facility manager",
        "create",
        lambda f: {"name": "Born suspended", "pi_id": f.free_user.id, "state": "suspended"},
        REFUSED,
    ),
    # research groups: billing partner, category, PI, unit, code, archiving
    *_rows(
        "facility.research.group",
        "group_a",
        ("user", "pi", "instrument manager", "reviewer", "portal"),
        "write",
        _field("partner_id", lambda f: f.billing_partner.id),
        REFUSED,
    ),
    *_rows(
        "facility.research.group",
        "group_a",
        ("facility manager", "finance"),
        "write",
        _field("partner_id", lambda f: f.billing_partner.id),
        ALLOWED,
    ),
    *_rows(
        "facility.research.group",
        "group_a",
        ("pi", "finance", "instrument manager"),
        "write",
        _field("category", "external"),
        REFUSED,
    ),
    (
        "facility.research.group",
        "group_a",
        "facility manager",
        "write",
        _field("category", "external"),
        ALLOWED,
    ),
    (
        "facility.research.group",
        "group_a",
        "pi",
        "write",
        _field("pi_id", lambda f: f.student_a1.id),
        REFUSED,
    ),
    (
        "facility.research.group",
        "group_a",
        "facility manager",
        "write",
        _field("pi_id", lambda f: f.student_a1.id),
        ALLOWED,
    ),
    (
        "facility.research.group",
        "group_a",
        "pi",
        "write",
        _field("unit_id", lambda f: f.center.id),
        REFUSED,
    ),
    (
        "facility.research.group",
        "group_a",
        "facility manager",
        "write",
        _field("unit_id", lambda f: f.center.id),
        ALLOWED,
    ),
    ("facility.research.group", "group_a", "pi", "write", _field("code", "XW2"), REFUSED),
    ("facility.research.group", "group_a", "pi", "write", _field("active", False), REFUSED),
    (
        "facility.research.group",
        "group_a",
        "facility manager",
        "write",
        _field("active", False),
        ALLOWED,
    ),
    ("facility.research.group", "group_a", "pi", "write", _field("name", "Xu Lab"), ALLOWED),
    *_rows(
        "facility.research.group",
        "group_a",
        ("finance", "instrument manager"),
        "write",
        _field("name", "Renamed"),
        REFUSED,
    ),
    *_rows(
        "facility.research.group", "group_b", ("pi",), "write", _field("name", "Not mine"), REFUSED
    ),
    # research groups: membership
    *_rows(
        "facility.research.group",
        "group_a",
        ("pi", "instrument manager", "facility manager"),
        "write",
        _field("member_ids", lambda f: [Command.link(f.free_user.id)]),
        ALLOWED,
    ),
    *_rows(
        "facility.research.group",
        "group_a",
        ("user", "reviewer", "finance", "portal"),
        "write",
        _field("member_ids", lambda f: [Command.link(f.free_user.id)]),
        REFUSED,
    ),
    (
        "facility.research.group",
        "group_a",
        "pi",
        "write",
        _field("member_ids", lambda f: [Command.link(f.student_b1.id)]),
        REFUSED,
    ),
    *_rows(
        "facility.research.group",
        "group_a",
        ("instrument manager", "facility manager"),
        "write",
        _field("member_ids", lambda f: [Command.link(f.student_b1.id)]),
        ALLOWED,
    ),
    (
        "facility.research.group",
        "group_a",
        "pi",
        "write",
        _field("member_ids", lambda f: [Command.set((f.student_a1 | f.student_b1).ids)]),
        REFUSED,
    ),
    *_rows(
        "facility.research.group",
        "group_a",
        ("pi", "instrument manager"),
        "write",
        _field("member_ids", lambda f: [Command.unlink(f.student_a2.id)]),
        ALLOWED,
    ),
    (
        "facility.research.group",
        "group_a",
        "user",
        "write",
        _field("member_ids", lambda f: [Command.unlink(f.student_a2.id)]),
        REFUSED,
    ),
    (
        "facility.research.group",
        "group_b",
        "pi",
        "write",
        _field("member_ids", lambda f: [Command.unlink(f.student_b1.id)]),
        REFUSED,
    ),
    # users: who is in which research group is not found by searching users
    *_rows(
        "res.users",
        "student_b1",
        ("user", "pi"),
        "search",
        lambda f: [("facility_group_ids", "in", f.group_b.ids)],
        HIDDEN,
    ),
    *_rows(
        "res.users",
        "student_b1",
        ("user", "pi"),
        "search",
        lambda f: [("facility_group_ids", "=", f.group_b.id)],
        HIDDEN,
    ),
    *_rows(
        "res.users",
        "student_b1",
        ("user", "pi"),
        "search",
        lambda f: [("facility_group_ids.name", "ilike", "Group B")],
        HIDDEN,
    ),
    *_rows(
        "res.users",
        "student_b1",
        ("user", "pi"),
        "search",
        lambda f: [
            ("facility_group_ids", "not in", f.group_a.ids),
            ("facility_group_ids", "!=", False),
        ],
        HIDDEN,
    ),
    *_rows(
        "res.users",
        "student_b1",
        ("instrument manager", "reviewer", "finance", "facility manager"),
        "search",
        lambda f: [("facility_group_ids", "in", f.group_b.ids)],
        FOUND,
    ),
    (
        "res.users",
        "student_a2",
        "user",
        "search",
        lambda f: [("facility_group_ids", "in", f.group_a.ids)],
        FOUND,
    ),
    *_rows(
        "res.users",
        "student_b1",
        ("user", "pi"),
        "search",
        lambda f: [("partner_id.user_ids.facility_group_ids", "in", f.group_b.ids)],
        HIDDEN,
    ),
    *_rows(
        "res.partner",
        "student_b1_partner",
        ("user", "pi"),
        "search",
        lambda f: [("user_ids.facility_group_ids", "in", f.group_b.ids)],
        HIDDEN,
    ),
    *_rows(
        "res.users",
        "student_b1",
        ("user", "pi", "instrument manager", "reviewer", "finance"),
        "search",
        lambda f: [("facility_qualification_ids", "in", f.q_b1.ids)],
        HIDDEN,
    ),
    (
        "res.users",
        "student_b1",
        "facility manager",
        "search",
        lambda f: [("facility_qualification_ids", "in", f.q_b1.ids)],
        FOUND,
    ),
    *_rows(
        "res.partner",
        "student_b1_partner",
        ("user", "pi", "instrument manager"),
        "search",
        lambda f: [("user_ids.facility_qualification_ids", "in", f.q_b1.ids)],
        HIDDEN,
    ),
    *_rows(
        "res.users",
        "student_b1",
        ("user", "pi", "instrument manager", "facility manager"),
        "read",
        ["facility_group_ids"],
        ALLOWED,
    ),
    (
        "res.users",
        "student_a1",
        "facility manager",
        "write",
        _field("facility_group_ids", lambda f: [Command.link(f.group_b.id)]),
        REFUSED,
    ),
    # the maintenance equipment behind instruments: kept by maintenance managers (Maintenance's
    # own rules: other users see the equipment they follow)
    *_rows(
        "maintenance.equipment",
        "spirit_equipment",
        ("user", "instrument manager", "finance"),
        "read",
        ["name", "facility_instrument_ids"],
        REFUSED,
    ),
    (
        "maintenance.equipment",
        "spirit_equipment",
        "facility manager",
        "read",
        ["name", "facility_instrument_ids"],
        ALLOWED,
    ),
    *_rows(
        "maintenance.equipment",
        "spirit_equipment",
        ("user", "pi", "instrument manager"),
        "write",
        _field("note", "Serviced"),
        REFUSED,
    ),
    (
        "maintenance.equipment",
        "spirit_equipment",
        "facility manager",
        "write",
        _field("note", "Serviced"),
        ALLOWED,
    ),
    # assessments: state and sign-offs only through the sign actions
    *[
        row
        for name, value in (
            ("state", "done"),
            ("date_assessed", "2030-01-01"),
            ("trainee_sign_date", "2030-01-01"),
            ("lab_head_sign_date", "2030-01-01"),
            ("unit_head_sign_date", "2030-01-01"),
            ("lab_head_id", lambda f: f.student_a2.id),
            ("scheme_id", lambda f: f.spare_scheme.id),
        )
        for row in _rows(
            "facility.assessment",
            "assessment_a",
            ("instrument manager", "facility manager"),
            "write",
            _field(name, value),
            REFUSED,
        )
    ],
    (
        "facility.assessment",
        "assessment_a",
        "instrument manager",
        "write",
        _field("unit_head_id", lambda f: f.student_a2.id),
        REFUSED,
    ),
    (
        "facility.assessment",
        "assessment_a",
        "instrument manager",
        "write",
        _field("unit_head_id", lambda f: f.unit_head.id),
        ALLOWED,
    ),
    (
        "facility.assessment",
        "assessment_a",
        "facility manager",
        "write",
        _field("unit_head_id", lambda f: f.student_a2.id),
        ALLOWED,
    ),
    *_rows(
        "facility.assessment",
        "assessment_a",
        ("instrument manager", "facility manager"),
        "write",
        _field("instrument_ids", lambda f: [Command.link(f.t20.id)]),
        REFUSED,
    ),
    (
        "facility.assessment",
        "assessment_a",
        "facility manager",
        "write",
        _field("assessor_id", lambda f: f.manager_t20.id),
        REFUSED,
    ),
    (
        "facility.assessment",
        "assessment_a",
        "instrument manager",
        "write",
        _field(
            "qualification_ids",
            lambda f: [
                Command.create(
                    {
                        "user_id": f.student_a1.id,
                        "instrument_id": f.spirit.id,
                        "level_id": f.intermediate.id,
                    }
                )
            ],
        ),
        REFUSED,
    ),
    *_rows(
        "facility.assessment",
        None,
        ("instrument manager", "facility manager"),
        "create",
        lambda f: dict(
            MODELS["facility.assessment"][1](f), state="done", trainee_sign_date="2030-01-01"
        ),
        REFUSED,
    ),
    (
        "facility.assessment",
        None,
        "instrument manager",
        "create",
        lambda f: dict(
            MODELS["facility.assessment"][1](f),
            instrument_ids=[Command.set((f.spirit | f.t20).ids)],
        ),
        REFUSED,
    ),
    (
        "facility.assessment",
        None,
        "instrument manager",
        "create",
        lambda f: dict(MODELS["facility.assessment"][1](f), assessor_id=f.manager_t20.id),
        REFUSED,
    ),
    *[
        row
        for name, value in (
            ("instrument_id", lambda f: f.t20.id),
            ("item_id", lambda f: f.primary.item_ids[1].id),
            ("assessment_id", lambda f: f.assessment_a.id),
        )
        for row in _rows(
            "facility.assessment.line",
            "line_a",
            ("instrument manager", "facility manager"),
            "write",
            _field(name, value),
            REFUSED,
        )
    ],
    (
        "facility.assessment.line",
        "line_a",
        "technician",
        "write",
        _field("result", "pass"),
        REFUSED,
    ),
    # qualifications: granted by a signed assessment or by the instrument's managers, to others
    *[
        row
        for name, value in (
            ("user_id", lambda f: f.student_a2.id),
            ("instrument_id", lambda f: f.t20.id),
            ("level_id", lambda f: f.intermediate.id),
            ("assessment_id", lambda f: f.assessment_a.id),
            ("granted_by_id", lambda f: f.director.id),
            ("scheme_id", lambda f: f.spare_scheme.id),
        )
        for row in _rows(
            "facility.qualification",
            "q_a1",
            ("instrument manager", "facility manager"),
            "write",
            _field(name, value),
            REFUSED,
        )
    ],
    *_rows(
        "facility.qualification",
        "q_a1",
        ("instrument manager",),
        "write",
        _field("date_expiry", "2031-01-01"),
        ALLOWED,
    ),
    *_rows(
        "facility.qualification",
        "q_a1",
        ("instrument manager",),
        "write",
        _field("active", False),
        ALLOWED,
    ),
    *_rows(
        "facility.qualification",
        None,
        ("instrument manager", "facility manager"),
        "create",
        lambda f: dict(MODELS["facility.qualification"][1](f), assessment_id=f.assessment_a.id),
        REFUSED,
    ),
    (
        "facility.qualification",
        None,
        "instrument manager",
        "create",
        lambda f: dict(MODELS["facility.qualification"][1](f), user_id=f.manager_spirit.id),
        REFUSED,
    ),
    (
        "facility.qualification",
        None,
        "facility manager",
        "create",
        lambda f: dict(MODELS["facility.qualification"][1](f), user_id=f.director.id),
        REFUSED,
    ),
    (
        "facility.qualification",
        None,
        "instrument manager",
        "create",
        lambda f: dict(
            MODELS["facility.qualification"][1](f), user_id=f.student_a2.id, instrument_id=f.t20.id
        ),
        REFUSED,
    ),
    (
        "facility.qualification",
        None,
        "instrument manager",
        "create",
        lambda f: dict(MODELS["facility.qualification"][1](f), granted_by_id=f.director.id),
        REFUSED,
    ),
    (
        "facility.qualification",
        "q_spirit_manager",
        "instrument manager",
        "write",
        _field("date_expiry", "2040-01-01"),
        REFUSED,
    ),
    # trainings: the trainer and the instrument's staff, within their reach
    (
        "facility.training",
        "training_a",
        "instrument manager",
        "write",
        _field("instrument_id", lambda f: f.t20.id),
        REFUSED,
    ),
    ("facility.training", "training_a", "user", "write", _field("state", "done"), REFUSED),
    ("facility.training", "training_peer", "user", "write", _field("hours", 4), ALLOWED),
    (
        "facility.training",
        "training_peer",
        "user",
        "write",
        _field("trainer_id", lambda f: f.manager_spirit.id),
        REFUSED,
    ),
    # -- the booking family's contract ----------------------------------------------------------
    *[
        row
        for name, value in BOOKING_LOCKED.items()
        for row in _rows(
            "facility.booking", "booking_a", BOOKERS, "write", _field(name, value), REFUSED
        )
    ],
    *_rows(
        "facility.booking",
        None,
        ("user", "facility manager"),
        "create",
        lambda f: f.booking_values(days=3, operator_id=f.student_b1.id),
        REFUSED,
    ),
    (
        "facility.booking",
        None,
        "user",
        "create",
        lambda f: f.booking_values(days=3, operator_id=f.student_a2.id),
        REFUSED,
    ),
    (
        "facility.booking",
        None,
        "instrument manager",
        "create",
        lambda f: f.booking_values(days=3, instrument_id=f.t20.id),
        REFUSED,
    ),
    *[
        row
        for name, value in WAITLIST_LOCKED.items()
        for row in _rows(
            "facility.booking.waitlist",
            "waitlist_a",
            ("user", "instrument manager", "facility manager"),
            "write",
            _field(name, value),
            REFUSED,
        )
    ],
    (
        "facility.booking.waitlist",
        None,
        "user",
        "create",
        lambda f: f.waitlist_values(user_id=f.student_a2.id),
        REFUSED,
    ),
    (
        "facility.booking.waitlist",
        None,
        "user",
        "create",
        lambda f: f.waitlist_values(research_group_id=f.group_b.id),
        REFUSED,
    ),
    (
        "facility.booking.allocation",
        None,
        "instrument manager",
        "create",
        lambda f: dict(MODELS["facility.booking.allocation"][1](f), instrument_id=f.t20.id),
        REFUSED,
    ),
    (
        "facility.booking.allocation",
        "allocation_a",
        "instrument manager",
        "write",
        _field("instrument_id", lambda f: f.t20.id),
        REFUSED,
    ),
]


def _crud_rows():
    for model, (fixture, create, write, allowed) in MODELS.items():
        for role in ROLES:
            for operation in OPERATIONS:
                values = {"create": create, "write": write}.get(operation)
                target = None if operation == "create" else fixture
                expected = ALLOWED if role in allowed[operation] else REFUSED
                yield (model, target, role, operation, values, expected)


ROWS = [*_crud_rows(), *FIELD_ROWS]


@tagged("post_install", "-at_install")
class TestAccessMatrix(FacilityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reviewer = new_test_user(
            cls.env,
            login="t_reviewer",
            groups="core_facility.group_facility_reviewer",
            tz="Asia/Shanghai",
        )
        cls.free_user = new_test_user(
            cls.env, login="t_free", groups="core_facility.group_facility_user"
        )
        cls.group_b.member_ids = [Command.link(cls.portal_user.id)]
        cls.roles = {
            "user": cls.student_a1,
            "pi": cls.pi_a,
            "instrument manager": cls.manager_spirit,
            "facility manager": cls.director,
            "reviewer": cls.reviewer,
            "finance": cls.finance,
            "portal": cls.portal_user,
            "technician": cls.technician,
        }
        env = cls.env
        cls.billing_partner = env["res.partner"].create({"name": "Institute finance office"})
        cls.spare_unit = env["facility.unit"].create({"name": "Spare Lab"})
        cls.spare_category = env["facility.instrument.category"].create({"name": "Spare"})
        cls.spare_scheme = env["facility.certification.scheme"].create({"name": "Spare"})
        cls.spare_level = env["facility.certification.level"].create(
            {"name": "Spare", "scheme_id": cls.spare_scheme.id}
        )
        cls.spare_item = env["facility.certification.item"].create(
            {"name": "Spare", "level_id": cls.spare_level.id}
        )
        cls.spare_instrument = env["facility.instrument"].create(
            {
                "name": "Spare Instrument",
                "unit_id": cls.center.id,
                "manager_ids": [Command.set(cls.manager_spirit.ids)],
            }
        )
        cls.spirit_equipment = cls.spirit.equipment_id
        cls.student_b1_partner = cls.student_b1.partner_id
        cls.spare_group = env["facility.research.group"].create(
            {
                "name": "Spare Group",
                "pi_id": cls.pi_a.id,
                "member_ids": [Command.link(cls.student_a1.id)],
            }
        )
        cls.suspended_group = env["facility.research.group"].create(
            {"name": "Suspended Group", "pi_id": cls.pi_a.id}
        )
        cls.suspended_group.write({"state": "suspended", "state_reason": "Unpaid fees"})
        cls.state_wizard = (
            env["facility.research.group.state.wizard"]
            .with_user(cls.director)
            .create({"group_id": cls.group_a.id, "state": "suspended", "reason": "Unpaid"})
        )
        cls.q_a1 = cls.grant(cls.student_a1, cls.spirit, cls.primary)
        cls.q_b1 = cls.grant(cls.student_b1, cls.t20, cls.primary)
        cls.q_spirit_manager = cls.grant(cls.manager_spirit, cls.spirit, cls.primary)
        cls.grant(cls.student_a1, cls.spirit, cls.intermediate)
        Training = env["facility.training"]
        cls.training_a = Training.create(
            {
                "instrument_id": cls.spirit.id,
                "level_id": cls.primary.id,
                "trainer_id": cls.manager_spirit.id,
                "trainee_ids": [Command.set(cls.student_a1.ids)],
            }
        )
        cls.training_peer = Training.create(
            {
                "instrument_id": cls.spirit.id,
                "level_id": cls.primary.id,
                "trainer_id": cls.student_a1.id,
                "trainee_ids": [Command.set(cls.student_a2.ids)],
            }
        )
        cls.assessment_a = env["facility.assessment"].create(
            {
                "trainee_id": cls.student_a1.id,
                "research_group_id": cls.group_a.id,
                "level_id": cls.primary.id,
                "instrument_ids": [Command.set(cls.spirit.ids)],
                "assessor_id": cls.manager_spirit.id,
            }
        )
        cls.line_a = cls.assessment_a.line_ids[0]
        # the booking family
        cls.booking_a = env["facility.booking"].create(cls.booking_values())
        cls.waitlist_a = env["facility.booking.waitlist"].create(cls.waitlist_values())
        cls.allocation_a = env["facility.booking.allocation"].create(
            {
                "instrument_id": cls.spirit.id,
                "research_group_id": cls.group_a.id,
                "month": "2031-01-01",
                "hours": 20,
            }
        )
        cls.spare_policy = env["facility.booking.policy"].create({"name": "Spare Policy"})
        cls.spare_slot = env["facility.booking.slot"].create(
            {
                "name": "Morning",
                "code": "am",
                "policy_id": cls.spare_policy.id,
                "hour_from": 8,
                "hour_to": 12,
            }
        )
        cls.spare_quota = env["facility.booking.quota"].create(
            {"policy_id": cls.spare_policy.id, "limit": 8}
        )
        cls.blackout_a = env["facility.booking.blackout"].create(
            {
                "name": "Maintenance",
                "instrument_id": cls.spirit.id,
                "date_start": cls.later(days=45),
                "date_stop": cls.later(days=46),
            }
        )
        cls.finder_a = (
            env["facility.booking.finder"]
            .with_user(cls.student_a1)
            .create({"instrument_id": cls.spirit.id, "research_group_id": cls.group_a.id})
        )
        cls.finder_result_a = (
            env["facility.booking.finder.result"]
            .with_user(cls.student_a1)
            .create(
                {
                    "finder_id": cls.finder_a.id,
                    "date_start": cls.later(days=50),
                    "date_stop": cls.later(days=50, hours=2),
                }
            )
        )
        cls.reject_wizard = (
            env["facility.booking.reject.wizard"]
            .with_user(cls.manager_spirit)
            .create({"booking_ids": [Command.set(cls.booking_a.ids)], "reason": "Not ready"})
        )

    # -- values used by the rows -----------------------------------------------------------------

    @classmethod
    def later(cls, days=0, hours=0):
        """``days`` and ``hours`` after 02:00 UTC (10:00 in Shanghai), 10 days from now."""
        start = fields.Datetime.now().replace(hour=2, minute=0, second=0, microsecond=0)
        return start + timedelta(days=10 + days, hours=hours)

    @classmethod
    def booking_values(cls, days=1, **values):
        """A booking of 2 hours on the Spirit by student A1, ``days`` after :meth:`later`."""
        return dict(
            {
                "instrument_id": cls.spirit.id,
                "operator_id": cls.student_a1.id,
                "research_group_id": cls.group_a.id,
                "purpose": "Grid screening",
                "date_start": cls.later(days=days),
                "date_stop": cls.later(days=days, hours=2),
            },
            **values,
        )

    @classmethod
    def waitlist_values(cls, **values):
        return dict(
            {
                "instrument_id": cls.spirit.id,
                "user_id": cls.student_a1.id,
                "research_group_id": cls.group_a.id,
                "date_from": cls.later(days=2),
                "date_to": cls.later(days=3),
                "purpose": "Tomography",
            },
            **values,
        )

    # -- the one loop --------------------------------------------------------------------------

    def _attempt(self, model, fixture, role, operation, values):
        """Run one row as the role's user; return its outcome and the error, if any."""
        user = self.roles[role]
        target = getattr(self, fixture).with_user(user) if fixture else None
        records = self.env[model].with_user(user)
        with self.env.cr.savepoint() as savepoint:
            try:
                if operation == "read":
                    target.read(values or [])
                    outcome = ALLOWED
                elif operation == "create":
                    records.create(values(self))
                    outcome = ALLOWED
                elif operation == "write":
                    target.write(values(self))
                    outcome = ALLOWED
                elif operation == "unlink":
                    target.unlink()
                    outcome = ALLOWED
                else:  # search
                    found = records.search(values(self))
                    outcome = FOUND if target and target in found else HIDDEN
                self.env.flush_all()
                error = None
            except REFUSALS as refusal:
                outcome, error = REFUSED, refusal
            except Exception as exc:  # a server error: what this test looks for
                outcome, error = "server error", exc
            finally:
                savepoint.rollback()
                self.env.invalidate_all()
        return outcome, error

    def _run(self, rows):
        for model, fixture, role, operation, values, expected in rows:
            what = (
                ", ".join(values)
                if isinstance(values, list)
                else (values and operation != "create" and ", ".join(map(str, values(self))))
            )
            with self.subTest(model=model, role=role, operation=operation, fields=what or ""):
                outcome, error = self._attempt(model, fixture, role, operation, values)
                if expected == HIDDEN and outcome == REFUSED:
                    outcome = HIDDEN  # refusing the search reveals nothing either
                self.assertEqual(
                    outcome,
                    expected,
                    f"{role} {operation} {model}"
                    f"{' (' + what + ')' if what else ''} on {fixture or 'new record'}: "
                    f"expected {expected}, got {outcome}"
                    f"{f' ({type(error).__name__}: {error})' if error else ''}",
                )

    # -- the tests -----------------------------------------------------------------------------

    def test_matrix_covers_every_model(self):
        """Every model of core_facility has its row per role and operation."""
        models = self.env["ir.model"].search([("model", "like", "facility.")])
        # models of this addon (another addon's models get their own matrix)
        names = {m.model for m in models if "core_facility" in (m.modules or "").split(", ")}
        self.assertIn("facility.research.group", names)
        for name in ABSTRACT:
            self.assertTrue(self.env[name]._abstract, f"{name} has records: add its rows")
        missing = sorted(names - set(MODELS) - ABSTRACT)
        self.assertFalse(missing, f"Add the access rows of {', '.join(missing)} to the matrix")
        cells = {(row[0], row[2], row[3]) for row in ROWS}
        for name in names - ABSTRACT:
            for role in ROLES:
                for operation in OPERATIONS:
                    self.assertIn((name, role, operation), cells)

    def test_core_facility_models(self):
        """Rows of every model but the booking family."""
        self._run(row for row in ROWS if row[0] not in BOOKING_FAMILY)

    def test_booking_family_contract(self):
        """Rows of the booking family, against the contract of its rewrite."""
        self._run(row for row in ROWS if row[0] in BOOKING_FAMILY)
