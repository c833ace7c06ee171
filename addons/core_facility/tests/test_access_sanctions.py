"""The access matrix of sanctions and the sanction ladder.

A member reads the sanctions on himself, a PI every sanction of his groups (and his own), staff
(instrument managers and facility managers) read all and set a sanction's end within its
bounds and their note; only a facility manager imposes one by hand or lifts it; nobody deletes
one. Every internal user reads the ladder (the rules are public); the facility manager edits it.
Portal users see none of it.
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from ..models.access import permit
from ..rules.codes import SanctionKind as K
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
    crud,
    crud_rows,
    ref,
    search,
    write,
)

USER, PI, IM, FMGR, REVIEWER, FINANCE, PORTAL = ROLES
SANCTION, STEP = "facility.sanction", "facility.sanction.step"

MODELS = {
    SANCTION: (
        "sanction_a1",
        lambda f: {"kind": K.INTERVIEW, "research_group_id": f.group_a.id},
        lambda f: {"note": "Interview held"},
        crud({USER, PI, IM, FMGR}, FM, STAFF, NOBODY),
    ),
    STEP: (
        "step_spare",
        lambda f: {"name": "Matrix step", "threshold": 4},
        lambda f: {"threshold": 5},
        crud(INTERNAL, FM, FM, FM),
    ),
}

FIELD_ROWS = [
    # what a sanction is, on whom and its status change only through its actions
    *write(SANCTION, "sanction_a1", (IM, FMGR), {"kind": K.BLACKLIST}, REFUSED),
    *write(SANCTION, "sanction_a1", (IM, FMGR), {"state": "lifted"}, REFUSED),
    *write(SANCTION, "sanction_a1", (IM, FMGR), {"user_id": ref("student_a2")}, REFUSED),
    *write(SANCTION, "sanction_a1", (IM, FMGR), {"reason": "Rewritten"}, REFUSED),
    *write(SANCTION, "sanction_a1", (IM, FMGR), {"ladder_key": False}, REFUSED),
    # staff set the end within the bounds (7 to 31 days)
    *write(SANCTION, "restriction_a", (IM, FMGR), {"date_to": lambda f: f.in_20_days}, ALLOWED),
    *write(SANCTION, "restriction_a", (IM, FMGR), {"date_to": lambda f: f.in_40_days}, REFUSED),
    *write(SANCTION, "restriction_a", (USER, PI), {"date_to": lambda f: f.in_20_days}, REFUSED),
    # who finds which sanctions
    *search(
        SANCTION, "sanction_b1", (USER, PI, REVIEWER, FINANCE), [("kind", "!=", False)], HIDDEN
    ),
    *search(SANCTION, "sanction_b1", (IM, FMGR), [("kind", "!=", False)], FOUND),
    *search(SANCTION, "restriction_a", (PI, IM, FMGR), [("kind", "!=", False)], FOUND),
    *search(SANCTION, "restriction_a", (USER, REVIEWER), [("kind", "!=", False)], HIDDEN),
    *search(SANCTION, "sanction_a1", (USER,), [("kind", "!=", False)], FOUND),
    # a member does not clear his own retraining
    *write("facility.qualification", "q_a1", (USER,), {"needs_retraining": False}, REFUSED),
]


@tagged("post_install", "-at_install")
class TestAccessSanctions(AccessMatrixCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Sanction = cls.env["facility.sanction"]
        now = fields.Datetime.now()
        cls.in_20_days = now + timedelta(days=20)
        cls.in_40_days = now + timedelta(days=40)
        cls.sanction_a1 = Sanction._impose(
            K.USER_SUSPENSION, cls.group_a, now, now + timedelta(days=7), user=cls.student_a1
        )
        cls.sanction_b1 = Sanction._impose(
            K.PI_NOTICE, cls.group_b, now, user=cls.student_b1, reason="Damaged holder"
        )
        cls.restriction_a = Sanction._impose(
            K.GROUP_RESTRICTION, cls.group_a, now, now + timedelta(days=7), reason="10 no-shows"
        )
        # the ladder's bounds (as the 10th step sets them)
        permit(cls.restriction_a.sudo()).write({"duration_min_days": 7, "duration_max_days": 31})
        cls.step_spare = cls.env["facility.sanction.step"].create(
            {"name": "Spare step", "threshold": 2, "interview": True}
        )

    def test_sanctions_matrix(self):
        self._run([*crud_rows(MODELS), *FIELD_ROWS])

    def test_portal_sees_nothing(self):
        for model in MODELS:
            with self.subTest(model=model):
                self.assertFalse(
                    self.env[model].with_user(self.portal_user).has_access("read"), model
                )
