"""Access rows of the usage area: sessions, the usage log, access decisions, spot checks (with
their details and run wizard) and the access card on users.

Measured facts (sessions, access decisions) are written only by server code: nobody creates,
changes or deletes them. A user reads their own sessions and decisions, a PI their groups'
sessions, instrument managers those of their instruments, facility managers all. The usage log
is the users' own (PIs read their groups'); spot checks are the staff's, their figures change
only by checking again. Card numbers are staff data: the staff register them, a user reads only
their own (``facility_card_own``)."""

from datetime import datetime

from odoo.tests import tagged

from odoo.addons.core_facility.tests.test_access_matrix import (
    FM,
    INTERNAL,
    NOBODY,
    REFUSED,
    ROLES,
    STAFF,
    AccessMatrixCase,
    create,
    crud,
    crud_rows,
    rows,
    search,
    write,
)

from ..rules import signing

USER, PI, IM, FMGR, REVIEWER, FINANCE, PORTAL = ROLES
SESSION, LOG, DECISION = "facility.usage.session", "facility.usage.log", "facility.access.decision"
CHECK, LINE, WIZARD = (
    "facility.spot.check",
    "facility.spot.check.line",
    "facility.spot.check.wizard",
)
T = datetime(2041, 3, 6, 2, 0)

MODELS = {
    SESSION: (
        "session_a",
        lambda f: {
            "box_id": f.box.id,
            "instrument_id": f.spirit.id,
            "kind": "pc",
            "date_start": T,
            "end_reason": "open",
            "start_event_uid": "FORGED",
        },
        lambda f: {"date_stop": datetime(2041, 3, 6, 9, 0)},
        crud({USER, PI, IM, FMGR}, NOBODY, NOBODY, NOBODY),
    ),
    LOG: (
        "log_a",
        lambda f: {
            "instrument_id": f.spirit.id,
            "date_start": T,
            "date_stop": datetime(2041, 3, 6, 4, 0),
        },
        lambda f: {"note": "Grids 5-8"},
        crud({USER, PI, IM, FMGR}, INTERNAL, {USER, IM, FMGR}, {USER, IM, FMGR}),
    ),
    DECISION: (
        "decision_a",
        lambda f: {
            "box_id": f.box.id,
            "instrument_id": f.spirit.id,
            "decision": "allow",
            "reason": "booking",
        },
        lambda f: {"decision": "allow"},
        crud({USER, IM, FMGR}, NOBODY, NOBODY, NOBODY),
    ),
    CHECK: (
        "check_a",
        lambda f: {"instrument_id": f.spirit.id, "month": "2041-05-01"},
        lambda f: {"note": "Box cable replaced"},
        crud(STAFF, STAFF, STAFF, FM),
    ),
    LINE: (
        "line_a",
        lambda f: {"check_id": f.check_a.id, "kind": "unbooked_session", "hours": 1},
        lambda f: {"hours": 0},
        crud(STAFF, NOBODY, NOBODY, NOBODY),
    ),
    WIZARD: (
        "wizard_a",
        lambda f: {"month": "2041-03-01"},
        lambda f: {"month": "2041-04-01"},
        crud(STAFF, STAFF, STAFF, STAFF),
    ),
}

FIELD_ROWS = [
    # whose sessions, decisions and log entries one finds
    *search(SESSION, "session_b", (USER, PI, IM, REVIEWER, FINANCE), [("id", "!=", 0)], "hidden"),
    *search(SESSION, "session_b", (FMGR,), [("id", "!=", 0)], "found"),
    *search(SESSION, "session_a2", (PI, IM, FMGR), [("id", "!=", 0)], "found"),
    *search(SESSION, "session_a2", (USER,), [("id", "!=", 0)], "hidden"),
    *search(DECISION, "decision_b", (USER, PI, IM), [("id", "!=", 0)], "hidden"),
    *search(LOG, "log_b", (USER, PI, IM), [("id", "!=", 0)], "hidden"),
    # the usage log: one's own use, one's own groups
    *create(LOG, (USER, PI), lambda f: dict(MODELS[LOG][1](f), user_id=f.student_a2.id), REFUSED),
    *create(
        LOG, (USER,), lambda f: dict(MODELS[LOG][1](f), research_group_id=f.group_b.id), REFUSED
    ),
    *write(LOG, "log_a", (USER,), {"user_id": lambda f: f.student_a2.id}, REFUSED),
    # spot checks: figures only by checking, on their instrument and month
    *write(CHECK, "check_a", (IM, FMGR), {"measured_hours": 99.0}, REFUSED),
    *write(CHECK, "check_a", (IM, FMGR), {"has_discrepancy": False}, REFUSED),
    *write(CHECK, "check_a", (IM, FMGR), {"month": "2041-06-01"}, REFUSED),
    *create(CHECK, (IM,), lambda f: {"instrument_id": f.t20.id, "month": "2041-05-01"}, REFUSED),
    # access cards: the staff register them, nobody else reads or writes them; an instrument
    # manager only those of the users of their instruments, never a staff account's
    *write("res.users", "student_a2", (IM, FMGR), {"facility_card": "0A0B"}, "allowed"),
    *write("res.users", "student_b1", (IM,), {"facility_card": "0A0B"}, REFUSED),
    *write("res.users", "director", (IM,), {"facility_card": "0A0B"}, REFUSED),
    *write("res.users", "director", (FMGR,), {"facility_card": "0A0B"}, "allowed"),
    *write(
        "res.users", "student_a2", (USER, PI, REVIEWER, FINANCE), {"facility_card": "0A0B"}, REFUSED
    ),
    *write("res.users", "student_a1", (USER,), {"facility_card": "0A0B"}, REFUSED),
    *rows(
        "read", "res.users", "student_a2", (USER, PI, REVIEWER, FINANCE), ["facility_card"], REFUSED
    ),
    *rows("read", "res.users", "student_a2", (IM, FMGR), ["facility_card"], "allowed"),
]


@tagged("post_install", "-at_install")
class TestAccessIotUsage(AccessMatrixCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        Box = env["facility.box"]
        cls.box = Box.create({"serial": "MATRIX-BOX", "instrument_id": cls.spirit.id})
        cls.box_t20 = Box.create({"serial": "MATRIX-T20", "instrument_id": cls.t20.id})
        for box in cls.box | cls.box_t20:
            box.sudo()._write_guarded({"secret_hash": signing.secret_hash(box.serial)})
        Session = env["facility.usage.session"].sudo()

        def session(box, uid, user, group):
            return Session.create(
                {
                    "box_id": box.id,
                    "instrument_id": box.instrument_id.id,
                    "kind": "pc",
                    "date_start": T,
                    "date_stop": datetime(2041, 3, 6, 3, 0),
                    "end_reason": "closed",
                    "start_event_uid": uid,
                    "user_id": user.id,
                    "research_group_id": group.id,
                    "drives_bookings": True,
                }
            )

        # student A2 booked the Spirit: its manager registers A2's card
        env["facility.booking"].sudo().with_context(booking_skip_rules=True).create(
            {
                "instrument_id": cls.spirit.id,
                "operator_id": cls.student_a2.id,
                "research_group_id": cls.group_a.id,
                "purpose": "Access matrix",
                "date_start": datetime(2041, 3, 7, 2, 0),
                "date_stop": datetime(2041, 3, 7, 3, 0),
                "state": "confirmed",
            }
        )
        cls.session_a = session(cls.box, "A1", cls.student_a1, cls.group_a)
        cls.session_a2 = session(cls.box, "A2", cls.student_a2, cls.group_a)
        cls.session_b = session(cls.box_t20, "B1", cls.student_b1, cls.group_b)
        Log = env["facility.usage.log"]
        values = {"date_start": T, "date_stop": datetime(2041, 3, 6, 3, 0)}
        cls.log_a = Log.create(dict(values, instrument_id=cls.spirit.id, user_id=cls.student_a1.id))
        cls.log_b = Log.create(dict(values, instrument_id=cls.t20.id, user_id=cls.student_b1.id))
        Decision = env["facility.access.decision"].sudo()
        cls.decision_a = Decision.create(
            {
                "box_id": cls.box.id,
                "instrument_id": cls.spirit.id,
                "user_id": cls.student_a1.id,
                "decision": "deny",
                "reason": "no_booking",
            }
        )
        cls.decision_b = Decision.create(
            {
                "box_id": cls.box_t20.id,
                "instrument_id": cls.t20.id,
                "user_id": cls.student_b1.id,
                "decision": "deny",
                "reason": "no_booking",
            }
        )
        cls.check_a = env["facility.spot.check"].create(
            {"instrument_id": cls.spirit.id, "month": "2041-03-01"}
        )
        cls.line_a = env["facility.spot.check.line"].create(
            {"check_id": cls.check_a.id, "kind": "unbooked_session", "hours": 1.0}
        )
        cls.wizard_a = (
            env["facility.spot.check.wizard"]
            .with_user(cls.manager_spirit)
            .create({"month": "2041-03-01"})
        )

    def test_usage_matrix(self):
        self._run([*crud_rows(MODELS), *FIELD_ROWS])

    def test_portal_sees_nothing(self):
        for model in MODELS:
            with self.subTest(model=model):
                self.assertFalse(
                    self.env[model].with_user(self.portal_user).has_access("read"), model
                )
