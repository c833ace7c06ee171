"""The access matrix of tools, checkouts and special reagents.

Every internal user reads the tools and keys (who has which, until when) and the reagents with
their stock; the staff (instrument managers, facility managers) lend tools, check them back in and
record reagent moves. Users read their own checkouts and the dispenses they received or
supervised, PIs those of their groups, finance all (damage and consumables are charged); portal
users see none of it. Reagent moves never change once recorded.
"""

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
    ref,
    search,
    write,
)

USER, PI, IM, FMGR, REVIEWER, FINANCE, PORTAL = ROLES
TOOL, CHECKOUT = "facility.tool", "facility.tool.checkout"
REAGENT, MOVE = "facility.reagent", "facility.reagent.move"
# the borrower (student A1), their PI, the staff and finance
CONCERNED = frozenset({USER, PI, IM, FMGR, FINANCE})

MODELS = {
    TOOL: (
        "tool_spare",
        lambda f: {"name": "Matrix Kit", "responsible_id": f.manager_spirit.id},
        lambda f: {"location": "B1-103"},
        crud(INTERNAL, STAFF, STAFF, STAFF),
    ),
    CHECKOUT: (
        "checkout_a1",
        lambda f: {"tool_id": f.tool_spare.id, "user_id": f.student_a2.id},
        lambda f: {"purpose": "Night session"},
        crud(CONCERNED, STAFF, STAFF, FM),
    ),
    REAGENT: (
        "reagent_spare",
        lambda f: {"name": "Matrix reagent", "unit": "g"},
        lambda f: {"location": "Cabinet 3"},
        crud(INTERNAL, STAFF, STAFF, FM),
    ),
    MOVE: (
        "move_a1",
        lambda f: {
            "reagent_id": f.reagent_a.id,
            "quantity": 0.1,
            "user_id": f.student_a2.id,
            "supervisor_id": f.manager_spirit.id,
        },
        lambda f: {"purpose": "Forged"},
        crud(CONCERNED, STAFF, NOBODY, NOBODY),
    ),
}

FIELD_ROWS = [
    # the return only through the staff's check
    *write(CHECKOUT, "checkout_a1", (IM, FMGR), {"state": "returned"}, REFUSED),
    *write(CHECKOUT, "checkout_a1", (IM, FMGR), {"returned_complete": True}, REFUSED),
    *write(CHECKOUT, "checkout_a1", (IM, FMGR), {"date_returned": "2030-01-01"}, REFUSED),
    *write(CHECKOUT, "checkout_a1", (IM,), {"checked_by_id": ref("director")}, REFUSED),
    *write(CHECKOUT, "checkout_a1", (IM,), {"overdue_notified": "2030-01-01"}, REFUSED),
    *write(CHECKOUT, "checkout_a1", (USER, PI), {"return_note": "All fine"}, REFUSED),
    *write(CHECKOUT, "checkout_a1", (IM,), {"return_note": "Tweezers bent"}, ALLOWED),
    *write(CHECKOUT, "checkout_a1", (IM,), {"date_due": "2040-01-01 10:00:00"}, ALLOWED),
    # a returned checkout is history: what was lent no longer changes, it is not deleted
    *write(CHECKOUT, "checkout_back", (IM, FMGR), {"user_id": ref("student_a2")}, REFUSED),
    *write(CHECKOUT, "checkout_back", (IM, FMGR), {"date_due": "2040-01-01 10:00:00"}, REFUSED),
    ("facility.tool.checkout", "checkout_back", FMGR, "unlink", None, REFUSED),
    # a second loan of a tool that is out
    *create(
        CHECKOUT,
        (IM, FMGR),
        lambda f: {"tool_id": f.tool_a.id, "user_id": f.student_a2.id},
        REFUSED,
    ),
    # who finds whose checkouts and dispenses
    *search(CHECKOUT, "checkout_b1", (USER, PI, REVIEWER), [("tool_id", "!=", False)], HIDDEN),
    *search(CHECKOUT, "checkout_b1", (IM, FMGR, FINANCE), [("tool_id", "!=", False)], FOUND),
    *search(CHECKOUT, "checkout_a1", (REVIEWER,), [("tool_id", "!=", False)], HIDDEN),
    *search(MOVE, "move_b1", (USER, PI, REVIEWER), [("reagent_id", "!=", False)], HIDDEN),
    *search(MOVE, "move_b1", (IM, FMGR, FINANCE), [("reagent_id", "!=", False)], FOUND),
    *search(MOVE, "move_a1", (USER, PI), [("reagent_id", "!=", False)], FOUND),
    # the supervisor reads the dispense they supervised
    *search(MOVE, "move_b1", ("technician",), [("reagent_id", "!=", False)], FOUND),
    # a dispense needs a supervisor of the reagent or staff
    *create(
        MOVE,
        (IM,),
        lambda f: {
            "reagent_id": f.reagent_a.id,
            "quantity": 0.1,
            "user_id": f.student_a2.id,
            "supervisor_id": f.student_a1.id,
        },
        REFUSED,
    ),
    *create(
        MOVE,
        (IM,),
        lambda f: {
            "reagent_id": f.reagent_a.id,
            "quantity": 0.1,
            "user_id": f.student_a2.id,
            "supervisor_id": f.pi_b.id,
        },
        ALLOWED,
    ),
    # more than the stock
    *create(
        MOVE,
        (IM, FMGR),
        lambda f: {
            "reagent_id": f.reagent_a.id,
            "quantity": 50,
            "user_id": f.student_a2.id,
            "supervisor_id": f.manager_spirit.id,
        },
        REFUSED,
    ),
    *write(MOVE, "move_a1", (IM, FMGR), {"quantity": 0.01}, REFUSED),
    # the stock and the availability are computed from the moves and checkouts
    *write(REAGENT, "reagent_a", (IM, FMGR), {"stock_quantity": 1000}, REFUSED),
    *write(REAGENT, "reagent_a", (IM, FMGR), {"below_minimum": True}, REFUSED),
    *write(TOOL, "tool_a", (IM, FMGR), {"state": "available"}, REFUSED),
    *write(TOOL, "tool_a", (IM, FMGR), {"current_checkout_id": False}, REFUSED),
    # a tool or reagent with a history is archived, not deleted
    (TOOL, "tool_a", FMGR, "unlink", None, REFUSED),
    (REAGENT, "reagent_a", FMGR, "unlink", None, REFUSED),
]


@tagged("post_install", "-at_install")
class TestAccessTools(AccessMatrixCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        Tool = env["facility.tool"]
        cls.tool_a = Tool.create({"name": "Vitrobot kit", "responsible_id": cls.manager_spirit.id})
        cls.tool_b = Tool.create({"name": "EM room key", "kind": "key"})
        cls.tool_back = Tool.create({"name": "Cryo-holder"})
        cls.tool_spare = Tool.create({"name": "Spare kit"})
        Checkout = env["facility.tool.checkout"]
        cls.checkout_a1 = Checkout.create({"tool_id": cls.tool_a.id, "user_id": cls.student_a1.id})
        cls.checkout_b1 = Checkout.create({"tool_id": cls.tool_b.id, "user_id": cls.student_b1.id})
        cls.checkout_back = Checkout.create(
            {"tool_id": cls.tool_back.id, "user_id": cls.student_a1.id}
        )
        cls.checkout_back.with_user(cls.manager_spirit).action_return()
        cls.reagent_spare = env["facility.reagent"].create({"name": "Lead citrate"})
        cls.reagent_a = env["facility.reagent"].create(
            {"name": "Uranyl acetate", "unit": "g", "supervisor_ids": [(6, 0, cls.pi_b.ids)]}
        )
        Move = env["facility.reagent.move"]
        Move.create(
            {
                "reagent_id": cls.reagent_a.id,
                "kind": "receipt",
                "quantity": 10,
                "user_id": cls.manager_spirit.id,
            }
        )
        cls.move_a1 = Move.create(
            {
                "reagent_id": cls.reagent_a.id,
                "quantity": 0.2,
                "user_id": cls.student_a1.id,
                "research_group_id": cls.group_a.id,
                "supervisor_id": cls.manager_spirit.id,
            }
        )
        cls.move_b1 = Move.create(
            {
                "reagent_id": cls.reagent_a.id,
                "quantity": 0.1,
                "user_id": cls.student_b1.id,
                "research_group_id": cls.group_b.id,
                "supervisor_id": cls.technician.id,
            }
        )

    def test_tools_matrix(self):
        self._run([*crud_rows(MODELS), *FIELD_ROWS])

    def test_portal_sees_nothing(self):
        for model in MODELS:
            with self.subTest(model=model):
                self.assertFalse(
                    self.env[model].with_user(self.portal_user).has_access("read"), model
                )
