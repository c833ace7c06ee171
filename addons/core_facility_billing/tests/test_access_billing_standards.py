"""The access matrix of fee standards, their cost basis and the committee's decision.

Rates are public inside the institution: every internal user reads every standard and its cost
basis. Portal users read the approved standards of the published catalogue (and of service
types), nothing else. An instrument manager proposes and edits the drafts of the instruments he
manages (and of the service types he leads); finance staff and facility managers those of every
instrument; the fee-standard committee (facility managers, and the experts given the role)
decides on submitted standards. What a standard charges is fixed once submitted; state, approval
and end date change only through the actions; only drafts are deleted.
"""

from datetime import date

from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.core_facility.tests.test_access_matrix import (
    ALLOWED,
    EVERYONE,
    FM,
    FOUND,
    HIDDEN,
    INTERNAL,
    NOBODY,
    REFUSED,
    ROLES,
    AccessMatrixCase,
    create,
    crud,
    crud_rows,
    locked,
    ref,
    rows,
    search,
    write,
)

USER, PI, IM, FMGR, REVIEWER, FINANCE, PORTAL = ROLES
COMMITTEE = "committee"  # an expert of the committee, no other staff role
STANDARD, COST = "facility.fee.standard", "facility.fee.cost"
DECISION = "facility.fee.standard.decision.wizard"
PROPOSERS = frozenset({IM, FMGR, FINANCE})
JAN1 = date(2038, 1, 1)

MODELS = {
    STANDARD: (
        "std_approved",
        lambda f: {
            "instrument_id": f.spirit.id,
            "payer_category": "collaboration",
            "fee_unit": "day",
            "unit_price": 500.0,
        },
        lambda f: {"note": "<p>Committee meeting 12</p>"},
        crud(EVERYONE, PROPOSERS, PROPOSERS, NOBODY),
    ),
    COST: (
        "cost_draft",
        lambda f: {"standard_id": f.std_draft.id, "kind": "materials", "annual_amount": 100.0},
        lambda f: {"annual_amount": 200.0},
        crud(INTERNAL, PROPOSERS, PROPOSERS, PROPOSERS),
    ),
    DECISION: (
        "decision_wizard",
        lambda f: {"standard_id": f.std_submitted.id, "decision": "reject", "reason": "High"},
        lambda f: {"reason": "Too high"},
        crud(FM, FM, FM, FM),
    ),
}

OTHERS = (USER, PI, REVIEWER, PORTAL, COMMITTEE)
FIELD_ROWS = [
    # drafts: their proposers edit and delete them, nobody else
    *write(STANDARD, "std_draft", PROPOSERS, {"unit_price": 120.0}, ALLOWED),
    *write(STANDARD, "std_draft", OTHERS, {"unit_price": 120.0}, REFUSED),
    *rows("unlink", STANDARD, "std_draft", PROPOSERS, None, ALLOWED),
    *rows("unlink", STANDARD, "std_draft", OTHERS, None, REFUSED),
    # another manager's instrument
    *write(STANDARD, "std_t20_draft", (IM,), {"unit_price": 1.0}, REFUSED),
    *write(STANDARD, "std_t20_draft", (FMGR, FINANCE), {"unit_price": 1.0}, ALLOWED),
    *create(STANDARD, (IM,), lambda f: {"instrument_id": f.t20.id, "unit_price": 1.0}, REFUSED),
    *create(STANDARD, (COMMITTEE,), lambda f: {"instrument_id": f.spirit.id}, REFUSED),
    # an approved standard is fixed, and never deleted
    *locked(
        STANDARD,
        "std_approved",
        (IM, FMGR, FINANCE, COMMITTEE),
        {
            "unit_price": 1.0,
            "walk_in_price": 1.0,
            "fee_unit": "day",
            "payer_category": "external",
            "instrument_id": ref("t20"),
            "date_from": date(2039, 1, 1),
        },
    ),
    *locked(
        STANDARD,
        "std_approved",
        (IM, FMGR, FINANCE, COMMITTEE),
        {
            "state": "superseded",
            "date_to": date(2039, 1, 1),
            "approved_by_id": ref("finance"),
            "approved_date": lambda f: f.std_approved.approved_date,
            "reject_reason": "Forged",
        },
    ),
    *write(STANDARD, "std_approved", (COMMITTEE,), {"note": "<p>Noted</p>"}, ALLOWED),
    *rows("unlink", STANDARD, "std_submitted", (IM, FMGR, FINANCE), None, REFUSED),
    # a submitted standard: fixed for its proposers and for the committee
    *write(STANDARD, "std_submitted", (IM, FINANCE, COMMITTEE), {"unit_price": 1.0}, REFUSED),
    *write(STANDARD, "std_submitted", (IM, FMGR, COMMITTEE), {"state": "approved"}, REFUSED),
    # who finds which standards: internal users all, portal users the approved public ones
    *search(STANDARD, "std_draft", (USER, PI, REVIEWER, COMMITTEE), [("id", "!=", 0)], FOUND),
    *search(STANDARD, "std_approved", (PORTAL,), [("id", "!=", 0)], FOUND),
    *search(STANDARD, "std_draft", (PORTAL,), [("id", "!=", 0)], HIDDEN),
    *search(STANDARD, "std_submitted", (PORTAL,), [("id", "!=", 0)], HIDDEN),
    *search(STANDARD, "std_titan_approved", (PORTAL,), [("id", "!=", 0)], HIDDEN),
    *search(STANDARD, "std_titan_approved", (USER, REVIEWER), [("id", "!=", 0)], FOUND),
    # the cost basis of a submitted standard is fixed, of another manager's not his
    *write(COST, "cost_approved", PROPOSERS, {"annual_amount": 1.0}, REFUSED),
    *rows("unlink", COST, "cost_approved", PROPOSERS, None, REFUSED),
    *create(
        COST,
        (IM,),
        lambda f: {"standard_id": f.std_t20_draft.id, "annual_amount": 1.0},
        REFUSED,
    ),
    *create(
        COST,
        (FINANCE, FMGR),
        lambda f: {"standard_id": f.std_t20_draft.id, "annual_amount": 1.0},
        ALLOWED,
    ),
    *rows("read", COST, "cost_draft", (COMMITTEE,), None, ALLOWED),
    *write(COST, "cost_draft", (COMMITTEE,), {"annual_amount": 1.0}, REFUSED),
    # the committee's decision: its members only
    *create(
        DECISION,
        (COMMITTEE,),
        lambda f: {"standard_id": f.std_submitted.id, "date_from": JAN1},
        ALLOWED,
    ),
    *create(
        DECISION,
        (IM, FINANCE),
        lambda f: {"standard_id": f.std_submitted.id, "date_from": JAN1},
        REFUSED,
    ),
]


@tagged("post_install", "-at_install")
class TestAccessBillingStandards(AccessMatrixCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.roles[COMMITTEE] = new_test_user(
            cls.env,
            login="t_committee_expert",
            groups="core_facility.group_facility_reviewer,"
            "core_facility_billing.group_fee_committee",
        )
        Standard = cls.env["facility.fee.standard"]

        def proposed(manager, instrument, category="internal", **values):
            return Standard.with_user(manager).create(
                {
                    "instrument_id": instrument.id,
                    "payer_category": category,
                    "unit_price": 100.0,
                    **values,
                }
            )

        cls.std_approved = proposed(
            cls.manager_spirit,
            cls.spirit,
            cost_ids=[Command.create({"kind": "running", "annual_amount": 150000.0})],
            annual_units=1500,
        )
        cls.std_approved.action_submit()
        cls.std_approved.with_user(cls.director)._approve(JAN1)
        cls.cost_approved = cls.std_approved.cost_ids
        cls.std_draft = proposed(cls.manager_spirit, cls.spirit, "external")
        cls.cost_draft = cls.env["facility.fee.cost"].create(
            {"standard_id": cls.std_draft.id, "kind": "utilities", "annual_amount": 45000.0}
        )
        cls.std_submitted = proposed(cls.manager_spirit, cls.spirit, "teaching", unit_price=0)
        cls.std_submitted.action_submit()
        cls.std_t20_draft = proposed(cls.manager_t20, cls.t20)
        cls.std_titan_approved = proposed(cls.manager_t20, cls.titan)  # not in the catalogue
        cls.std_titan_approved.action_submit()
        cls.std_titan_approved.with_user(cls.director)._approve(JAN1)
        cls.decision_wizard = (
            cls.env["facility.fee.standard.decision.wizard"]
            .with_user(cls.director)
            .create({"standard_id": cls.std_submitted.id, "date_from": JAN1})
        )

    def test_fee_standards_matrix(self):
        self._run([*crud_rows(MODELS), *FIELD_ROWS])

    def test_portal_reads_no_cost_basis(self):
        self.assertFalse(self.env[COST].with_user(self.portal_user).has_access("read"))
