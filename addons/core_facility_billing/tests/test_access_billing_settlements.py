"""The access matrix of settlements: finance (and the platform system administrator and the
facility manager, who are finance too) runs them; nobody else reads, runs or reverses one;
nobody deletes one. The run's state, entries and who posted it change only through its
actions."""

from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.core_facility.tests.test_access_matrix import (
    NOBODY,
    REFUSED,
    ROLES,
    AccessMatrixCase,
    crud,
    crud_rows,
    write,
)

USER, PI, IM, FMGR, REVIEWER, FINANCE, PORTAL = ROLES
SETTLEMENT, WIZARD = "facility.settlement", "facility.settlement.wizard"
FIN = frozenset({FINANCE, FMGR})  # the facility manager is finance too (core_facility)

MODELS = {
    SETTLEMENT: (
        "settlement_a",
        lambda f: {"date_from": date(2041, 2, 1), "date_to": date(2041, 2, 28)},
        lambda f: {"date_to": date(2041, 1, 30)},
        crud(FIN, FIN, FIN, NOBODY),
    ),
    WIZARD: (
        "settlement_wizard_a",
        lambda f: {"day": date(2041, 3, 1)},
        lambda f: {"day": date(2041, 4, 1)},
        crud(FIN, FIN, FIN, FIN),
    ),
}

FIELD_ROWS = [
    *write(SETTLEMENT, "settlement_a", (FINANCE, FMGR), {"state": "posted"}, REFUSED),
    *write(
        SETTLEMENT,
        "settlement_a",
        (FINANCE, FMGR),
        {"posted_by_id": lambda f: f.finance.id},
        REFUSED,
    ),
    *write(SETTLEMENT, "settlement_a", (FINANCE, FMGR), {"move_ids": [(6, 0, [])]}, REFUSED),
]


@tagged("post_install", "-at_install")
class TestAccessBillingSettlements(AccessMatrixCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.settlement_a = cls.env["facility.settlement"].create(
            {"date_from": date(2041, 1, 1), "date_to": date(2041, 1, 31)}
        )
        cls.settlement_wizard_a = (
            cls.env["facility.settlement.wizard"]
            .with_user(cls.finance)
            .create({"day": date(2041, 1, 1)})
        )

    def test_settlements_matrix(self):
        self._run([*crud_rows(MODELS), *FIELD_ROWS])

    def test_only_finance_runs_and_reverses(self):
        Settlement = self.env["facility.settlement"]
        for role in (USER, PI, IM, REVIEWER):
            user = self.roles[role]
            with self.subTest(role=role), self.assertRaises(AccessError):
                Settlement.with_user(user).settle_period(
                    self.env.company, date(2041, 1, 1), date(2041, 1, 31)
                )
        self.assertFalse(
            Settlement.with_user(self.finance).settle_period(
                self.env.company, date(2041, 5, 1), date(2041, 5, 31)
            )
        )
