"""The access matrix of external billing: statements, reconciliation, allocation and their
wizards.

A group's PI reads its statements (the portal too), its members do not (they read their own
lines); finance (and the facility manager, who is finance) prepares, sends and reads them all;
nobody creates one by hand nor writes its lines or total. Finance reads the reconciliations and
allocations; only the platform system administrator (a role of its own, not in the common
roles) checks, allocates and sets the shares. Deposits are recorded by finance."""

from datetime import date

from odoo.tests import tagged

from odoo.addons.core_facility.tests.test_access_matrix import (
    ALLOWED,
    NOBODY,
    REFUSED,
    ROLES,
    AccessMatrixCase,
    crud,
    crud_rows,
    rows,
    write,
)

USER, PI, IM, FMGR, REVIEWER, FINANCE, PORTAL = ROLES
ADMIN = "billing admin"
FIN = frozenset({FINANCE, FMGR})
STATEMENT, RECON, RECON_LINE = (
    "facility.statement",
    "facility.reconciliation",
    "facility.reconciliation.line",
)
SHARE, ALLOCATION = "facility.income.share", "facility.income.allocation"
DEPOSIT, SEND = "facility.deposit.wizard", "facility.statement.send.wizard"

MODELS = {
    STATEMENT: (
        "statement_a",
        lambda f: {
            "research_group_id": f.group_a.id,
            "date_from": "2042-05-01",
            "date_to": "2042-05-31",
        },
        lambda f: {"name": "Statement XW 2042-04"},
        crud({PI, *FIN}, NOBODY, FIN, FIN),
    ),
    RECON: (
        "reconciliation",
        lambda f: {"date_from": "2042-06-01", "date_to": "2042-06-30"},
        lambda f: {"name": "Renamed"},
        crud(FIN, NOBODY, NOBODY, NOBODY),
    ),
    RECON_LINE: (
        "reconciliation_line",
        lambda f: {"reconciliation_id": f.reconciliation.id, "name": "Forged"},
        lambda f: {"name": "Forged"},
        crud(FIN, NOBODY, NOBODY, NOBODY),
    ),
    SHARE: (
        "share",
        lambda f: {"unit_id": f.spare_unit.id},
        lambda f: {"platform_percent": 60, "department_percent": 30},
        crud(FIN, NOBODY, NOBODY, NOBODY),
    ),
    ALLOCATION: (
        "allocation",
        lambda f: {"year": 2042, "quarter": "2"},
        lambda f: {"quarter": "3"},
        crud(FIN, NOBODY, NOBODY, NOBODY),
    ),
    DEPOSIT: (
        "deposit_wizard",
        lambda f: {"research_group_id": f.group_b.id, "amount": 100},
        lambda f: {"amount": 200},
        crud(FIN, FIN, FIN, FIN),
    ),
    SEND: (
        "send_wizard",
        lambda f: {"date_from": "2042-01-01", "date_to": "2042-01-31"},
        lambda f: {"send": False},
        crud(FIN, FIN, FIN, FIN),
    ),
}


def admin_rows(model, fixture, values_create, values_write, create=True, unlink=True):
    return [
        *rows("read", model, fixture, (ADMIN,), [], ALLOWED),
        *rows("create", model, None, (ADMIN,), values_create, ALLOWED if create else REFUSED),
        *write(model, fixture, (ADMIN,), values_write, ALLOWED),
        *rows("unlink", model, fixture, (ADMIN,), None, ALLOWED if unlink else REFUSED),
    ]


FIELD_ROWS = [
    # a statement's lines, total, group and period change only through its actions
    *write(STATEMENT, "statement_a", (FINANCE, FMGR), {"amount_total": 1.0}, REFUSED),
    *write(STATEMENT, "statement_a", (FINANCE,), {"charge_ids": [(5, 0, 0)]}, REFUSED),
    *write(
        STATEMENT, "statement_a", (FINANCE,), {"research_group_id": lambda f: f.group_b.id}, REFUSED
    ),
    *write(STATEMENT, "statement_a", (FINANCE,), {"sent_date": "2042-06-01 00:00:00"}, REFUSED),
    # the PI of another group does not read it; a member (the portal user of group B) neither
    *rows("read", STATEMENT, "statement_b", (USER, PI), [], REFUSED),
    *rows("read", STATEMENT, "statement_b", (PORTAL,), [], REFUSED),
    *rows("read", STATEMENT, "statement_b", (FINANCE, FMGR), [], ALLOWED),
    # the platform system administrator reconciles and allocates
    *admin_rows(
        RECON,
        "reconciliation",
        {"date_from": "2042-07-01", "date_to": "2042-07-31"},
        {"name": "Renamed"},
    ),
    *write(RECON, "reconciliation", (ADMIN,), {"checked_date": "2042-07-01 00:00:00"}, REFUSED),
    *admin_rows(
        RECON_LINE,
        "reconciliation_line",
        lambda f: {"reconciliation_id": f.reconciliation.id, "name": "Note"},
        {"name": "Note"},
    ),
    *write(RECON_LINE, "reconciliation_line", (ADMIN,), {"found_amount": 5.0}, REFUSED),
    *admin_rows(SHARE, "share", lambda f: {"unit_id": f.institution.id}, {"school_percent": 10}),
    *admin_rows(
        ALLOCATION, "allocation", {"year": 2042, "quarter": "4"}, {"quarter": "1"}, unlink=False
    ),
    *write(ALLOCATION, "allocation", (ADMIN,), {"state": "posted"}, REFUSED),
    *write(ALLOCATION, "allocation", (ADMIN,), {"move_ids": [(5, 0, 0)]}, REFUSED),
]


@tagged("post_install", "-at_install")
class TestAccessBillingExternal(AccessMatrixCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.roles[ADMIN] = env["res.users"].create(
            {
                "name": "Platform admin",
                "login": "t_platform_admin",
                "groups_id": [(6, 0, env.ref("core_facility_billing.group_billing_admin").ids)],
            }
        )
        cls.group_b.write({"billing_mode": "prepaid"})
        Statement = env["facility.statement"]._guard_context()
        cls.statement_a = Statement.create(
            {
                "research_group_id": cls.group_a.id,
                "date_from": date(2042, 4, 1),
                "date_to": date(2042, 4, 30),
                "name": "Statement A",
            }
        )
        cls.statement_b = Statement.create(
            {
                "research_group_id": cls.group_b.id,
                "date_from": date(2042, 4, 1),
                "date_to": date(2042, 4, 30),
                "name": "Statement B",
            }
        )
        # the fixtures without the permit their creation needed
        cls.statement_a = env["facility.statement"].browse(cls.statement_a.id)
        cls.statement_b = env["facility.statement"].browse(cls.statement_b.id)
        cls.reconciliation = env["facility.reconciliation"].create(
            {"date_from": date(2042, 4, 1), "date_to": date(2042, 4, 30)}
        )
        cls.reconciliation_line = env["facility.reconciliation.line"].create(
            {"reconciliation_id": cls.reconciliation.id, "name": "Difference"}
        )
        cls.share = env["facility.income.share"].create({"unit_id": cls.center.id})
        cls.allocation = env["facility.income.allocation"].create({"year": 2042, "quarter": "1"})
        cls.deposit_wizard = (
            env["facility.deposit.wizard"]
            .with_user(cls.finance)
            .create({"research_group_id": cls.group_b.id, "amount": 50})
        )
        cls.send_wizard = (
            env["facility.statement.send.wizard"]
            .with_user(cls.finance)
            .create({"date_from": "2042-02-01", "date_to": "2042-02-28"})
        )

    def test_billing_external_matrix(self):
        self._run([*crud_rows(MODELS), *FIELD_ROWS])
