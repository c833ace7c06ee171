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

import importlib
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
# no records of their own
ABSTRACT = {"facility.booking.rule.mixin", "facility.guarded.mixin", "facility.booking.check"}


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


USER, PI, IM, FMGR, REVIEWER, FINANCE, PORTAL = ROLES
GROUP, ASSESSMENT, LINE = (
    "facility.research.group",
    "facility.assessment",
    "facility.assessment.line",
)
QUALIFICATION, TRAINING = "facility.qualification", "facility.training"
BOOKING, WAITLIST = "facility.booking", "facility.booking.waitlist"


def rows(operation, model, fixture, roles, values, expected):
    """One row per role. ``values``: a dict (its callables take the test and give a value), a
    callable giving the dict, a domain (search) or field names (read)."""
    return [(model, fixture, role, operation, values, expected) for role in roles]


def write(model, fixture, roles, values, expected):
    return rows("write", model, fixture, roles, values, expected)


def create(model, roles, values, expected):
    return rows("create", model, None, roles, values, expected)


def search(model, fixture, roles, domain, expected):
    return rows("search", model, fixture, roles, domain, expected)


def variant(model, **changes):
    """The matrix's values to create a ``model``, with ``changes``."""
    return lambda f: dict(MODELS[model][1](f), **resolve(changes, f))


def resolve(values, f):
    """``values`` of a row for the test ``f``: its callables called."""
    if callable(values):
        return values(f)
    if isinstance(values, dict):
        return {key: value(f) if callable(value) else value for key, value in values.items()}
    if isinstance(values, list):  # a domain, or field names
        return [
            (term[0], term[1], term[2](f) if callable(term[2]) else term[2])
            if isinstance(term, tuple)
            else term
            for term in values
        ]
    return values


def locked(model, fixture, roles, fields):
    """Rows: each of ``fields`` (name: value) written alone by each of ``roles``, refused."""
    return [
        row
        for name, value in fields.items()
        for row in write(model, fixture, roles, {name: value}, REFUSED)
    ]


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
link = lambda user: lambda f: [Command.link(getattr(f, user).id)]  # noqa: E731
unlink = lambda user: lambda f: [Command.unlink(getattr(f, user).id)]  # noqa: E731
ref = lambda name: lambda f: getattr(f, name).id  # noqa: E731
ids = lambda name: lambda f: getattr(f, name).ids  # noqa: E731
link_group_b = lambda f: [Command.link(f.group_b.id)]  # noqa: E731
grant_through_assessment = lambda f: [  # noqa: E731
    Command.create(
        {"user_id": f.student_a1.id, "instrument_id": f.spirit.id, "level_id": f.intermediate.id}
    )
]

# Sensitive fields and cases: (model, fixture, role, operation, values, expected).
FIELD_ROWS = [
    # research groups: the status only through the Change Status wizard
    *write(
        GROUP,
        "group_a",
        (PI, FMGR, IM, FINANCE),
        {"state": "suspended", "state_reason": "Fees"},
        REFUSED,
    ),
    *write(GROUP, "suspended_group", (PI, FMGR), {"state": "active"}, REFUSED),
    *write(GROUP, "group_a", (PI, FMGR), {"state_reason": "Forged"}, REFUSED),
    *write(GROUP, "group_a", (PI, FMGR), {"state_date_from": "2030-01-01"}, REFUSED),
    *write(GROUP, "group_a", (PI, FMGR), {"state_date_to": "2030-01-01"}, REFUSED),
    *create(GROUP, (FMGR,), variant(GROUP, state="suspended", state_reason="Fees"), REFUSED),
    # research groups: billing partner, category, PI, unit, code, archiving
    *write(
        GROUP,
        "group_a",
        (USER, PI, IM, REVIEWER, PORTAL),
        {"partner_id": ref("billing_partner")},
        REFUSED,
    ),
    *write(GROUP, "group_a", (FMGR, FINANCE), {"partner_id": ref("billing_partner")}, ALLOWED),
    *write(GROUP, "group_a", (PI, FINANCE, IM), {"category": "external"}, REFUSED),
    *write(GROUP, "group_a", (FMGR,), {"category": "external"}, ALLOWED),
    *write(GROUP, "group_a", (PI,), {"pi_id": ref("student_a1")}, REFUSED),
    *write(GROUP, "group_a", (FMGR,), {"pi_id": ref("student_a1")}, ALLOWED),
    *write(GROUP, "group_a", (PI,), {"unit_id": ref("center")}, REFUSED),
    *write(GROUP, "group_a", (FMGR,), {"unit_id": ref("center")}, ALLOWED),
    *write(GROUP, "group_a", (PI,), {"code": "A2"}, REFUSED),
    *write(GROUP, "group_a", (PI,), {"active": False}, REFUSED),
    *write(GROUP, "group_a", (FMGR,), {"active": False}, ALLOWED),
    *write(GROUP, "group_a", (PI,), {"name": "Xu Lab"}, ALLOWED),
    *write(GROUP, "group_a", (FINANCE, IM), {"name": "Renamed"}, REFUSED),
    *write(GROUP, "group_b", (PI,), {"name": "Not mine"}, REFUSED),
    # research groups: membership (a PI adds only users of no other group)
    *write(GROUP, "group_a", (PI, IM, FMGR), {"member_ids": link("free_user")}, ALLOWED),
    *write(
        GROUP,
        "group_a",
        (USER, REVIEWER, FINANCE, PORTAL),
        {"member_ids": link("free_user")},
        REFUSED,
    ),
    *write(GROUP, "group_a", (PI,), {"member_ids": link("student_b1")}, REFUSED),
    *write(GROUP, "group_a", (IM, FMGR), {"member_ids": link("student_b1")}, ALLOWED),
    *write(
        GROUP,
        "group_a",
        (PI,),
        {"member_ids": lambda f: [Command.set((f.student_a1 | f.student_b1).ids)]},
        REFUSED,
    ),
    *write(GROUP, "group_a", (PI, IM), {"member_ids": unlink("student_a2")}, ALLOWED),
    *write(GROUP, "group_a", (USER,), {"member_ids": unlink("student_a2")}, REFUSED),
    *write(GROUP, "group_b", (PI,), {"member_ids": unlink("student_b1")}, REFUSED),
    # users: who is in which research group, or qualified, is not found by searching users
    *search(
        "res.users",
        "student_b1",
        (USER, PI),
        [("facility_group_ids", "in", ids("group_b"))],
        HIDDEN,
    ),
    *search(
        "res.users", "student_b1", (USER, PI), [("facility_group_ids", "=", ref("group_b"))], HIDDEN
    ),
    *search(
        "res.users",
        "student_b1",
        (USER, PI),
        [("facility_group_ids.name", "ilike", "Group B")],
        HIDDEN,
    ),
    *search("res.users", "student_b1", (USER, PI), [("facility_group_ids", "!=", False)], HIDDEN),
    *search(
        "res.users",
        "student_b1",
        (USER, PI),
        [("partner_id.user_ids.facility_group_ids", "in", ids("group_b"))],
        HIDDEN,
    ),
    *search(
        "res.partner",
        "student_b1_partner",
        (USER, PI),
        [("user_ids.facility_group_ids", "in", ids("group_b"))],
        HIDDEN,
    ),
    *search(
        "res.users",
        "student_b1",
        (IM, REVIEWER, FINANCE, FMGR),
        [("facility_group_ids", "in", ids("group_b"))],
        FOUND,
    ),
    *search(
        "res.users", "student_a2", (USER,), [("facility_group_ids", "in", ids("group_a"))], FOUND
    ),
    *search(
        "res.users",
        "student_b1",
        (USER, PI, IM, REVIEWER, FINANCE),
        [("facility_qualification_ids", "in", ids("q_b1"))],
        HIDDEN,
    ),
    *search(
        "res.partner",
        "student_b1_partner",
        (USER, PI, IM),
        [("user_ids.facility_qualification_ids", "in", ids("q_b1"))],
        HIDDEN,
    ),
    *search(
        "res.users",
        "student_b1",
        (FMGR,),
        [("facility_qualification_ids", "in", ids("q_b1"))],
        FOUND,
    ),
    *rows("read", "res.users", "student_b1", (USER, PI, IM, FMGR), ["facility_group_ids"], ALLOWED),
    *write("res.users", "student_a1", (FMGR,), {"facility_group_ids": link_group_b}, REFUSED),
    # the maintenance equipment behind instruments: kept by maintenance managers (Maintenance's
    # own rules: other users see the equipment they follow)
    *rows(
        "read", "maintenance.equipment", "spirit_equipment", (USER, IM, FINANCE), ["name"], REFUSED
    ),
    *rows(
        "read",
        "maintenance.equipment",
        "spirit_equipment",
        (FMGR,),
        ["facility_instrument_ids"],
        ALLOWED,
    ),
    *write(
        "maintenance.equipment", "spirit_equipment", (USER, PI, IM), {"note": "Serviced"}, REFUSED
    ),
    *write("maintenance.equipment", "spirit_equipment", (FMGR,), {"note": "Serviced"}, ALLOWED),
    # assessments: state and sign-offs only through the sign actions; assessors of their instruments
    *locked(
        ASSESSMENT,
        "assessment_a",
        (IM, FMGR),
        {
            "state": "done",
            "date_assessed": "2030-01-01",
            "trainee_sign_date": "2030-01-01",
            "lab_head_sign_date": "2030-01-01",
            "unit_head_sign_date": "2030-01-01",
            "lab_head_id": ref("student_a2"),
            "scheme_id": ref("spare_scheme"),
        },
    ),
    *write(ASSESSMENT, "assessment_a", (IM,), {"unit_head_id": ref("student_a2")}, REFUSED),
    *write(ASSESSMENT, "assessment_a", (IM,), {"unit_head_id": ref("unit_head")}, ALLOWED),
    *write(ASSESSMENT, "assessment_a", (FMGR,), {"unit_head_id": ref("student_a2")}, ALLOWED),
    *write(ASSESSMENT, "assessment_a", (IM, FMGR), {"instrument_ids": link("t20")}, REFUSED),
    *write(ASSESSMENT, "assessment_a", (FMGR,), {"assessor_id": ref("manager_t20")}, REFUSED),
    *write(
        ASSESSMENT, "assessment_a", (IM,), {"qualification_ids": grant_through_assessment}, REFUSED
    ),
    *create(
        ASSESSMENT,
        (IM, FMGR),
        variant(ASSESSMENT, state="done", trainee_sign_date="2030-01-01"),
        REFUSED,
    ),
    *create(
        ASSESSMENT,
        (IM,),
        variant(ASSESSMENT, instrument_ids=lambda f: [Command.set((f.spirit | f.t20).ids)]),
        REFUSED,
    ),
    *create(ASSESSMENT, (IM,), variant(ASSESSMENT, assessor_id=ref("manager_t20")), REFUSED),
    *locked(
        LINE,
        "line_a",
        (IM, FMGR),
        {
            "instrument_id": ref("t20"),
            "item_id": lambda f: f.primary.item_ids[1].id,
            "assessment_id": ref("assessment_a"),
        },
    ),
    ("facility.assessment.line", "line_a", "technician", "write", {"result": "pass"}, REFUSED),
    # qualifications: granted by a signed assessment or by the instrument's managers, to others
    *locked(
        QUALIFICATION,
        "q_a1",
        (IM, FMGR),
        {
            "user_id": ref("student_a2"),
            "instrument_id": ref("t20"),
            "level_id": ref("intermediate"),
            "assessment_id": ref("assessment_a"),
            "granted_by_id": ref("director"),
            "scheme_id": ref("spare_scheme"),
        },
    ),
    *write(QUALIFICATION, "q_a1", (IM,), {"date_expiry": "2031-01-01"}, ALLOWED),
    *write(QUALIFICATION, "q_a1", (IM,), {"active": False}, ALLOWED),
    *write(QUALIFICATION, "q_spirit_manager", (IM,), {"date_expiry": "2040-01-01"}, REFUSED),
    *create(
        QUALIFICATION,
        (IM, FMGR),
        variant(QUALIFICATION, assessment_id=ref("assessment_a")),
        REFUSED,
    ),
    *create(QUALIFICATION, (IM,), variant(QUALIFICATION, user_id=ref("manager_spirit")), REFUSED),
    *create(QUALIFICATION, (FMGR,), variant(QUALIFICATION, user_id=ref("director")), REFUSED),
    *create(
        QUALIFICATION,
        (IM,),
        variant(QUALIFICATION, user_id=ref("student_a2"), instrument_id=ref("t20")),
        REFUSED,
    ),
    *create(QUALIFICATION, (IM,), variant(QUALIFICATION, granted_by_id=ref("director")), REFUSED),
    # trainings: the trainer and the instrument's staff, within their reach
    *write(TRAINING, "training_a", (IM,), {"instrument_id": ref("t20")}, REFUSED),
    *write(TRAINING, "training_a", (USER,), {"state": "done"}, REFUSED),
    *write(TRAINING, "training_peer", (USER,), {"hours": 4}, ALLOWED),
    *write(TRAINING, "training_peer", (USER,), {"trainer_id": ref("manager_spirit")}, REFUSED),
    # -- the booking family's contract ----------------------------------------------------------
    *locked(BOOKING, "booking_a", BOOKERS, BOOKING_LOCKED),
    *create(
        BOOKING,
        (USER, FMGR),
        lambda f: f.booking_values(days=3, operator_id=f.student_b1.id),
        REFUSED,
    ),
    *create(
        BOOKING, (USER,), lambda f: f.booking_values(days=3, operator_id=f.student_a2.id), REFUSED
    ),
    *create(BOOKING, (IM,), lambda f: f.booking_values(days=3, instrument_id=f.t20.id), REFUSED),
    *locked(WAITLIST, "waitlist_a", (USER, IM, FMGR), WAITLIST_LOCKED),
    *create(WAITLIST, (USER,), lambda f: f.waitlist_values(user_id=f.student_a2.id), REFUSED),
    *create(
        WAITLIST, (USER,), lambda f: f.waitlist_values(research_group_id=f.group_b.id), REFUSED
    ),
    *create(
        "facility.booking.allocation",
        (IM,),
        variant("facility.booking.allocation", instrument_id=ref("t20")),
        REFUSED,
    ),
    *write(
        "facility.booking.allocation", "allocation_a", (IM,), {"instrument_id": ref("t20")}, REFUSED
    ),
]


def crud_rows(models):
    """A row per model, role and operation of a ``MODELS``-shaped table."""
    for model, (fixture, create, write, allowed) in models.items():
        for role in ROLES:
            for operation in OPERATIONS:
                values = {"create": create, "write": write}.get(operation)
                target = None if operation == "create" else fixture
                expected = ALLOWED if role in allowed[operation] else REFUSED
                yield (model, target, role, operation, values, expected)


ROWS = [*crud_rows(MODELS), *FIELD_ROWS]

# Areas whose models have a matrix of their own (same roles, same loop, their own fixtures): each
# module exports ``MODELS`` and ``FIELD_ROWS`` and runs them in a subclass of AccessMatrixCase.
AREA_MATRICES = (
    "test_access_applications",
    "test_access_collaborations",
    "test_access_publications",
    "test_access_sanctions",
    "test_access_services",
    "test_access_tools",
    "test_access_integrity",
)


class AccessMatrixCase(FacilityCase):
    """The roles, fixtures and the one loop of the matrix; areas subclass it for their own rows."""

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
        values = resolve(values, self)
        with self.env.cr.savepoint() as savepoint:
            try:
                if operation == "read":
                    target.read(values or [])
                elif operation == "create":
                    records.create(values)
                elif operation == "write":
                    target.write(values)
                elif operation == "unlink":
                    target.unlink()
                else:  # search
                    found = records.search(values)
                self.env.flush_all()
                outcome, error = ALLOWED, None
                if operation == "search":
                    outcome = FOUND if target in found else HIDDEN
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
            shown = resolve(values, self) if operation != "create" else None
            what = ", ".join(map(str, shown)) if shown else ""
            with self.subTest(model=model, role=role, operation=operation, fields=what):
                outcome, error = self._attempt(model, fixture, role, operation, values)
                if expected == HIDDEN and outcome == REFUSED:
                    outcome = HIDDEN  # refusing the search reveals nothing either
                self.assertEqual(
                    outcome,
                    expected,
                    f"{role} {operation} {model}{f' ({what})' if what else ''} on "
                    f"{fixture or 'a new record'}: expected {expected}, got {outcome}"
                    f"{f' ({type(error).__name__}: {error})' if error else ''}",
                )


@tagged("post_install", "-at_install")
class TestAccessMatrix(AccessMatrixCase):
    def test_matrix_covers_every_model(self):
        """Every model of core_facility has its row per role and operation."""
        models = self.env["ir.model"].search([("model", "like", "facility.")])
        # models of this addon (another addon's models get their own matrix)
        names = {m.model for m in models if "core_facility" in (m.modules or "").split(", ")}
        self.assertIn("facility.research.group", names)
        for name in ABSTRACT:
            self.assertTrue(self.env[name]._abstract, f"{name} has records: add its rows")
        areas = [importlib.import_module(f"{__package__}.{name}") for name in AREA_MATRICES]
        covered = set(MODELS).union(*(area.MODELS for area in areas))
        missing = sorted(names - covered - ABSTRACT)
        self.assertFalse(missing, f"Add the access rows of {', '.join(missing)} to the matrix")
        rows = ROWS + [row for area in areas for row in (*crud_rows(area.MODELS), *area.FIELD_ROWS)]
        cells = {(row[0], row[2], row[3]) for row in rows}
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
