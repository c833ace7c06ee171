"""The access matrix of collaborations, their agreements, the yearly collaboration places and staff
overtime help (issue 9), as real non-admin users.

- collaborations: the group's members and PI read their own (portal users too); reviewers only
  their own group's, like any member (a collaboration carries its application's content);
  instrument managers run them (read, write); the facility manager manages all; the stage changes
  only through the actions;
- agreements: the group's members and PI read their own; instrument managers and the facility
  manager record them; the state changes only through the actions;
- collaboration places: every internal user reads them; the facility manager sets them;
- staff overtime: the requester, the staff member, the booking's operator and the group's PI read
  it; the instrument's staff read their instruments'; the requester changes it while it waits;
  the director decides (the state only through the actions).
"""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .test_access_matrix import (
    ALLOWED,
    EVERYONE,
    FINANCE,
    FM,
    FMGR,
    FOUND,
    HIDDEN,
    IM,
    INTERNAL,
    PI,
    PORTAL,
    REFUSED,
    REVIEWER,
    USER,
    AccessMatrixCase,
    crud,
    crud_rows,
    locked,
    ref,
    search,
    write,
)

COLLABORATION = "facility.collaboration"
AGREEMENT = "facility.collaboration.agreement"
YEAR = "facility.collaboration.year"
OVERTIME = "facility.overtime.request"
PDF = b"JVBERi0xLjQKJSVFT0YK"

MODELS = {
    COLLABORATION: (
        "collaboration_cancelled_a",
        lambda f: {
            "name": "Matrix Collaboration",
            "research_group_id": f.group_a.id,
            "year": 2043,
        },
        lambda f: {"note": "<p>Agreed details</p>"},
        crud({USER, PI, IM, FMGR}, FM, {IM, FMGR}, FM),
    ),
    AGREEMENT: (
        "agreement_a",
        lambda f: {
            "collaboration_id": f.collaboration_a.id,
            "kind": "nda",
            "name": "Matrix NDA",
        },
        lambda f: {"note": "Under legal review"},
        crud({USER, PI, IM, FMGR}, {IM, FMGR}, {IM, FMGR}, {IM, FMGR}),
    ),
    YEAR: (
        "places_a",
        lambda f: {"year": 2045, "places": 2},
        lambda f: {"places": 5},
        crud(INTERNAL, FM, FM, FM),
    ),
    OVERTIME: (
        "overtime_a",
        lambda f: {
            "booking_id": f.booking_a.id,
            "staff_id": f.technician.id,
            "reason": "Overnight collection",
        },
        lambda f: {"reason": "Refill at 22:00"},
        crud({USER, PI, IM, FMGR}, {USER, PI, IM, FMGR}, {USER, FMGR}, FM),
    ),
}

FIELD_ROWS = [
    # collaborations: the stage and its dates only through the actions; own group only
    *locked(COLLABORATION, "collaboration_a", (IM, FMGR), {"state": "active"}),
    *locked(COLLABORATION, "collaboration_a", (IM, FMGR), {"date_start": "2030-01-01"}),
    *write(
        COLLABORATION,
        "collaboration_a",
        (USER, PI, REVIEWER, FINANCE, PORTAL),
        {"name": "X"},
        REFUSED,
    ),
    *write(COLLABORATION, "collaboration_a", (IM, FMGR), {"nda_required": True}, ALLOWED),
    *search(COLLABORATION, "collaboration_b", (PORTAL, IM, FMGR), [], FOUND),
    *search(COLLABORATION, "collaboration_b", (USER, PI, REVIEWER, FINANCE), [], HIDDEN),
    *search(COLLABORATION, "collaboration_a", (PORTAL, REVIEWER), [], HIDDEN),
    # agreements: the state only through the actions; a signed one is not edited
    *locked(AGREEMENT, "agreement_a", tuple(EVERYONE), {"state": "signed"}),
    *write(AGREEMENT, "agreement_signed_a", (IM, FMGR), {"date_expiry": "2040-01-01"}, REFUSED),
    *search(AGREEMENT, "agreement_b", (PORTAL, IM, FMGR), [], FOUND),
    *search(AGREEMENT, "agreement_b", (USER, PI, REVIEWER, FINANCE), [], HIDDEN),
    # staff overtime: the decision only through the director's actions
    *locked(OVERTIME, "overtime_a", tuple(EVERYONE), {"state": "approved"}),
    *locked(OVERTIME, "overtime_a", (FMGR,), {"decision_user_id": ref("director")}),
]


@tagged("post_install", "-at_install")
class TestAccessCollaborations(AccessMatrixCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        Collaboration = env["facility.collaboration"]
        cls.collaboration_a = Collaboration.create(
            {"name": "Collaboration A", "research_group_id": cls.group_a.id, "year": 2043}
        )
        cls.collaboration_cancelled_a = Collaboration.create(
            {"name": "Cancelled A", "research_group_id": cls.group_a.id, "year": 2043}
        )
        cls.collaboration_cancelled_a.action_cancel()
        cls.collaboration_b = Collaboration.create(
            {"name": "Collaboration B", "research_group_id": cls.group_b.id, "year": 2043}
        )
        Agreement = env["facility.collaboration.agreement"]
        cls.agreement_a = Agreement.create(
            {"collaboration_id": cls.collaboration_a.id, "name": "Agreement A"}
        )
        cls.agreement_signed_a = Agreement.create(
            {
                "collaboration_id": cls.collaboration_a.id,
                "name": "Signed A",
                "document": PDF,
                "document_name": "a.pdf",
            }
        )
        cls.agreement_signed_a.action_sign()
        cls.agreement_b = Agreement.create(
            {"collaboration_id": cls.collaboration_b.id, "name": "Agreement B"}
        )
        cls.places_a = env["facility.collaboration.year"].create({"year": 2044, "places": 4})
        cls.overtime_a = (
            env["facility.overtime.request"]
            .with_user(cls.student_a1)
            .create(
                {
                    "booking_id": cls.booking_a.id,
                    "staff_id": cls.technician.id,
                    "reason": "Overnight collection",
                }
            )
            .sudo()
        )

    def test_collaboration_models(self):
        self._run([*crud_rows(MODELS), *FIELD_ROWS])

    def test_reviewer_reads_only_his_own_groups_collaborations(self):
        """A reviewer who is a member of group A reads group A's collaborations as a member,
        and nothing of the other groups'."""
        self.group_a.sudo().member_ids = [Command.link(self.reviewer.id)]
        Collaboration = self.env["facility.collaboration"].with_user(self.reviewer)
        both = self.collaboration_a | self.collaboration_b
        found = Collaboration.search([("id", "in", both.ids)])
        self.assertEqual(found, self.collaboration_a)
        self.assertEqual(self.collaboration_a.with_user(self.reviewer).name, "Collaboration A")
        with self.assertRaises(AccessError):
            self.collaboration_b.with_user(self.reviewer).read(["name"])
