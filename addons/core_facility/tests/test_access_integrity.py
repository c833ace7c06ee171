"""The access matrix of the integrity ledger: violations, their classes and types, the grade
thresholds, the integrity record and the contest/decision wizard.

A member reads his own violations and record lines, a PI all of his group's, the staff
(instrument managers, facility managers) all; staff record violations by hand, nobody deletes
one. Reviewers and finance read the groups' integrity points and grades (fields of the research
group), not the violations. Portal users see none of it. What a violation is (type, class, group,
person, date) and its state never change by a write.
"""

from odoo import Command
from odoo.tests import tagged

from .test_access_matrix import (
    ALLOWED,
    FM,
    FOUND,
    HIDDEN,
    INTERNAL,
    NOBODY,
    REFUSED,
    ROLES,
    STAFF,
    AccessMatrixCase,
    create,
    crud,
    crud_rows,
    locked,
    ref,
    rows,
    search,
)

USER, PI, IM, FMGR, REVIEWER, FINANCE, PORTAL = ROLES
VIOLATION, RECORD = "facility.violation", "facility.integrity.record"
# the person (student A1), his PI and the staff
CONCERNED = frozenset({USER, PI, IM, FMGR})

MODELS = {
    VIOLATION: (
        "violation_a1",
        lambda f: {
            "type_id": f.type_data_left.id,
            "research_group_id": f.group_a.id,
            "user_id": f.student_a2.id,
            "description": "Data left on the local disk",
        },
        lambda f: {"measure": "Warned in person"},
        crud(CONCERNED, STAFF, STAFF, NOBODY),
    ),
    "facility.violation.class": (
        "class_unused",
        lambda f: {"name": "Matrix class", "code": "matrix", "points": 2},
        lambda f: {"points": 4},
        crud(INTERNAL, FM, FM, FM),
    ),
    "facility.violation.type": (
        "type_spare",
        lambda f: {"name": "Matrix type", "code": "matrix", "class_id": f.class_spare.id},
        lambda f: {"name": "Renamed"},
        crud(INTERNAL, FM, FM, FM),
    ),
    "facility.integrity.grade": (
        "grade_good",
        lambda f: {"grade": "poor", "min_points": 0},
        lambda f: {"min_points": 36},
        crud(INTERNAL, FM, FM, FM),
    ),
    RECORD: (
        "record_a1",
        lambda f: {"research_group_id": f.group_a.id},
        lambda f: {"measure": "Forged"},
        crud(CONCERNED, NOBODY, NOBODY, NOBODY),
    ),
    "facility.violation.decision.wizard": (
        "wizard_pi",
        lambda f: {
            "violation_ids": [Command.set(f.violation_a1.ids)],
            "decision": "contest",
            "note": "Not us",
        },
        lambda f: {"note": "Not us at all"},
        crud({PI}, INTERNAL, {PI}, {PI}),
    ),
}

VIOLATION_LOCKED = {
    "state": "withdrawn",
    "points": 0,
    "year": 2000,
    "is_counted": False,
    "track": "serious",
    "source": "no_show",
    "contest_reason": "Forged",
    "decision_note": "Forged",
    "decided_by_id": ref("director"),
    "type_id": ref("type_spare"),
    "class_id": ref("class_spare"),
    "research_group_id": lambda f: f.group_b.id,
    "user_id": ref("student_a2"),
    "date": "2020-01-01 00:00:00",
    "source_key": "forged",
    "name": "VIO/FORGED",
    "recorded_by_id": ref("pi_a"),
}

FIELD_ROWS = [
    *locked(VIOLATION, "violation_a1", (IM, FMGR), VIOLATION_LOCKED),
    # whose violations one finds
    *search(VIOLATION, "violation_b1", (USER, PI, REVIEWER, FINANCE), [("id", "!=", 0)], HIDDEN),
    *search(VIOLATION, "violation_b1", (IM, FMGR), [("id", "!=", 0)], FOUND),
    *search(VIOLATION, "violation_a2", (USER,), [("id", "!=", 0)], HIDDEN),
    *search(VIOLATION, "violation_a2", (PI,), [("id", "!=", 0)], FOUND),
    *search(RECORD, "record_b1", (USER, PI, REVIEWER, FINANCE), [("id", "!=", 0)], HIDDEN),
    *search(RECORD, "record_b1", (IM, FMGR), [("id", "!=", 0)], FOUND),
    *search(RECORD, "record_a2", (USER,), [("id", "!=", 0)], HIDDEN),
    *search(RECORD, "record_a2", (PI,), [("id", "!=", 0)], FOUND),
    # reviewers and finance read grades, not violations
    *rows(
        "read",
        "facility.research.group",
        "group_a",
        (USER, PI, IM, FMGR, REVIEWER, FINANCE),
        ["integrity_points", "integrity_grade", "violation_count"],
        ALLOWED,
    ),
    # a class or type in use is archived, not deleted
    ("facility.violation.class", "class_spare", FMGR, "unlink", None, REFUSED),
    ("facility.violation.type", "type_no_show", FMGR, "unlink", None, REFUSED),
    # staff record for any group; a source key is record_violation()'s only
    *create(
        VIOLATION,
        (IM,),
        lambda f: {
            "type_id": f.type_data_left.id,
            "research_group_id": f.group_b.id,
            "user_id": f.student_b1.id,
        },
        ALLOWED,
    ),
]


@tagged("post_install", "-at_install")
class TestAccessIntegrity(AccessMatrixCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        ref = env.ref
        cls.type_data_left = ref("core_facility.violation_type_data_left")
        cls.grade_good = ref("core_facility.integrity_grade_good")
        cls.type_no_show = ref("core_facility.violation_type_no_show")
        cls.class_spare = env["facility.violation.class"].create(
            {"name": "Spare class", "code": "spare", "points": 1}
        )
        cls.class_unused = env["facility.violation.class"].create(
            {"name": "Unused class", "code": "unused", "points": 1}
        )
        cls.type_spare = env["facility.violation.type"].create(
            {"name": "Spare type", "code": "spare", "class_id": cls.class_spare.id}
        )
        Violation = env["facility.violation"].sudo()
        cls.violation_a1 = Violation.record_violation(
            cls.group_a, cls.student_a1, "no_show", source_key="matrix:a1"
        )
        cls.violation_a2 = Violation.record_violation(
            cls.group_a, cls.student_a2, "no_show", source_key="matrix:a2"
        )
        cls.violation_b1 = Violation.record_violation(
            cls.group_b, cls.student_b1, "no_show", source_key="matrix:b1"
        )
        Record = env["facility.integrity.record"]
        cls.record_a1 = Record.search([("violation_id", "=", cls.violation_a1.id)])
        cls.record_a2 = Record.search([("violation_id", "=", cls.violation_a2.id)])
        cls.record_b1 = Record.search([("violation_id", "=", cls.violation_b1.id)])
        cls.wizard_pi = (
            env["facility.violation.decision.wizard"]
            .with_user(cls.pi_a)
            .create(
                {
                    "violation_ids": [Command.set(cls.violation_a1.ids)],
                    "decision": "contest",
                    "note": "Not us",
                }
            )
        )

    def test_integrity_matrix(self):
        self._run([*crud_rows(MODELS), *FIELD_ROWS])

    def test_portal_sees_nothing(self):
        for model in MODELS:
            with self.subTest(model=model):
                self.assertFalse(
                    self.env[model].with_user(self.portal_user).has_access("read"), model
                )
