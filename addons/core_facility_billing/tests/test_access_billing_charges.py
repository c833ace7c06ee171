"""The access matrix of charge lines and their wizards.

Members read their own lines, PIs their groups', instrument managers their instruments', finance
and facility managers all; portal users likewise read their own lines (and their group's when
they are its PI), not the other members' lines of their group. Manual lines
are created by finance and by the managers of the instrument charged; only the description is
written directly (by the line's staff, before settlement): money, state and who pays change only
through the actions. Nobody deletes a line. The wizards are their creator's.
"""

from odoo import Command
from odoo.tests import tagged

from odoo.addons.core_facility.tests.test_access_matrix import (
    ALLOWED,
    FOUND,
    HIDDEN,
    NOBODY,
    REFUSED,
    ROLES,
    AccessMatrixCase,
    create,
    crud,
    crud_rows,
    locked,
    search,
    write,
)

USER, PI, IM, FMGR, REVIEWER, FINANCE, PORTAL = ROLES
CHARGE = "facility.charge"
DISPUTE, CORRECT = "facility.charge.dispute.wizard", "facility.charge.correct.wizard"
CHARGE_STAFF = {IM, FMGR, FINANCE}


def charge_values(f, **values):
    return {
        "name": "Grids",
        "instrument_id": f.spirit.id,
        "research_group_id": f.group_a.id,
        "user_id": f.student_a1.id,
        "date": "2040-03-05",
        "quantity": 2.0,
        "fee_unit": "item",
        "unit_price": 35.5,
        **values,
    }


MODELS = {
    CHARGE: (
        "charge_a",
        charge_values,
        lambda f: {"name": "Grids (two boxes)"},
        crud({USER, PI, IM, FMGR, FINANCE}, CHARGE_STAFF, CHARGE_STAFF, NOBODY),
    ),
    DISPUTE: (
        "dispute_wizard",
        lambda f: {"charge_ids": [Command.set(f.charge_a.ids)], "reason": "Not ours"},
        lambda f: {"reason": "One grid only"},
        crud({PI}, {PI, IM, FMGR, FINANCE}, {PI}, {PI}),
    ),
    CORRECT: (
        "correct_wizard",
        lambda f: {"charge_ids": [Command.set(f.charge_a.ids)], "reason": "Typo"},
        lambda f: {"reason": "Price of the new batch"},
        crud({IM}, CHARGE_STAFF, {IM}, {IM}),
    ),
}

FIELD_ROWS = [
    # money, state, who pays and the origin change only through the actions
    *locked(
        CHARGE,
        "charge_a",
        (IM, FMGR, FINANCE),
        {
            "amount": 1.0,
            "quantity": 1.0,
            "unit_price": 1.0,
            "state": "settled",
            "research_group_id": lambda f: f.group_b.id,
            "fund_id": False,
            "origin_key": "booking:1",
            "settlement_id": False,
            "dispute_deadline": "2099-01-01",
        },
    ),
    # the managers of another instrument neither charge it nor see its lines
    *create(CHARGE, (IM,), lambda f: charge_values(f, instrument_id=f.t20.id), REFUSED),
    *search(CHARGE, "charge_b", (USER, PI, IM, REVIEWER), [("name", "!=", False)], HIDDEN),
    *search(CHARGE, "charge_b", (FMGR, FINANCE), [("name", "!=", False)], FOUND),
    # a portal member reads his own lines, not another member's of his group
    *search(CHARGE, "charge_b", (PORTAL,), [("name", "!=", False)], HIDDEN),
    *search(CHARGE, "charge_portal", (PORTAL, FMGR, FINANCE), [("name", "!=", False)], FOUND),
    *search(CHARGE, "charge_portal", (USER, PI, IM, REVIEWER), [("name", "!=", False)], HIDDEN),
    *search(CHARGE, "charge_a", (USER, PI, IM, FMGR, FINANCE), [("name", "!=", False)], FOUND),
    *search(CHARGE, "charge_a", (REVIEWER, PORTAL), [("name", "!=", False)], HIDDEN),
    # portal users read their own lines, nothing more
    *write(CHARGE, "charge_portal", (PORTAL,), {"name": "Renamed"}, REFUSED),
    # a settled line no longer changes, even its description
    *write(CHARGE, "charge_settled", (IM, FMGR, FINANCE), {"name": "Renamed"}, REFUSED),
    *write(CHARGE, "charge_a", (PI,), {"name": "Renamed by the PI"}, REFUSED),
]


@tagged("post_install", "-at_install")
class TestAccessBillingCharges(AccessMatrixCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Charge = cls.env[CHARGE].with_user(cls.finance)
        cls.charge_a = Charge.create(charge_values(cls)).with_env(cls.env)
        cls.charge_b = Charge.create(
            charge_values(
                cls,
                instrument_id=cls.t20.id,
                research_group_id=cls.group_b.id,
                user_id=cls.student_b1.id,
            )
        ).with_env(cls.env)
        cls.charge_portal = Charge.create(
            charge_values(
                cls,
                name="Portal member's grids",
                instrument_id=cls.t20.id,
                research_group_id=cls.group_b.id,
                user_id=cls.portal_user.id,
            )
        ).with_env(cls.env)
        cls.charge_settled = Charge.create(charge_values(cls, name="Settled")).with_env(cls.env)
        cls.charge_settled.sudo()._write_guarded({"state": "settled"})
        cls.dispute_wizard = (
            cls.env[DISPUTE]
            .with_user(cls.pi_a)
            .create({"charge_ids": [Command.set(cls.charge_a.ids)], "reason": "Not ours"})
        )
        cls.correct_wizard = (
            cls.env[CORRECT]
            .with_user(cls.manager_spirit)
            .create({"charge_ids": [Command.set(cls.charge_a.ids)], "reason": "Typo"})
        )

    def test_charges_matrix(self):
        self._run([*crud_rows(MODELS), *FIELD_ROWS])

    def test_allowed_is_not_empty(self):
        self.assertIn(ALLOWED, {row[-1] for row in crud_rows(MODELS)})
