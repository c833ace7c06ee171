"""Fee standards (收费标准): who proposes, who approves, which standard charges which day.

The committee member is an expert of the review committee (no other staff role); the Spirit's
manager proposes the Spirit's standards; finance staff and the facility manager propose any. The
years are far (2038-2043): the demo's standards start in 2026.
"""

from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.core_facility.models.access import permit
from odoo.addons.core_facility.tests.common import FacilityCase

JAN1, JUN30, JUL1 = date(2038, 1, 1), date(2038, 6, 30), date(2038, 7, 1)


class FeeStandardCase(FacilityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.committee_member = new_test_user(
            cls.env,
            login="t_committee",
            groups="core_facility.group_facility_reviewer,"
            "core_facility_billing.group_fee_committee",
            tz="Asia/Shanghai",
        )
        cls.Standard = cls.env["facility.fee.standard"]
        cls.service_type = cls.env["facility.service.type"].create(
            {
                "name": "Test negative staining",
                "leader_id": cls.manager_t20.id,
                "instrument_ids": [Command.set(cls.t20.ids)],
            }
        )

    @classmethod
    def propose(cls, user=None, instrument=None, **values):
        """A draft standard proposed by ``user`` (the Spirit's manager)."""
        target = False if "service_type_id" in values else (instrument or cls.spirit).id
        vals = {
            "instrument_id": target,
            "payer_category": "internal",
            "fee_unit": "hour",
            "unit_price": 100.0,
            **values,
        }
        return cls.Standard.with_user(user or cls.manager_spirit).create(vals)

    @classmethod
    def approved(cls, day=JAN1, price=100.0, **values):
        """A standard submitted by the Spirit's manager, approved from ``day`` by the
        committee."""
        standard = cls.propose(unit_price=price, **values)
        standard.action_submit()
        standard.with_user(cls.committee_member)._approve(day)
        return standard.with_user(cls.committee_member)


@tagged("post_install", "-at_install")
class TestFeeStandardLifecycle(FeeStandardCase):
    def test_draft_submit_approve(self):
        standard = self.propose()
        self.assertEqual(standard.state, "draft")
        self.assertEqual(standard.name, "Test Spirit · Internal · Hour")
        standard.action_submit()
        self.assertEqual(standard.state, "submitted")
        # every committee member is asked to review it
        todo = standard.sudo().activity_ids
        self.assertIn(self.committee_member, todo.user_id)
        self.assertIn(self.director, todo.user_id)  # facility managers sit on the committee
        self.assertNotIn(self.manager_spirit, todo.user_id)

        wizard = (
            self.env["facility.fee.standard.decision.wizard"]
            .with_user(self.committee_member)
            .create({"standard_id": standard.id, "decision": "approve", "date_from": JAN1})
        )
        wizard.action_confirm()
        self.assertEqual(standard.state, "approved")
        self.assertEqual(standard.date_from, JAN1)
        self.assertFalse(standard.date_to)
        self.assertEqual(standard.approved_by_id, self.committee_member)
        self.assertTrue(standard.approved_date)
        self.assertFalse(standard.sudo().activity_ids)  # the review is done
        self.assertEqual(
            self.Standard._find_standard("internal", "hour", JAN1, instrument=self.spirit),
            standard,
        )

    def test_approval_needs_valid_from(self):
        standard = self.propose()
        standard.action_submit()
        with self.assertRaisesRegex(UserError, "valid from"):
            standard.with_user(self.committee_member)._approve(False)
        self.assertEqual(standard.state, "submitted")

    def test_reject_with_reason_then_back_to_draft(self):
        standard = self.propose()
        standard.action_submit()
        member = standard.with_user(self.committee_member)
        with self.assertRaisesRegex(UserError, "reason"):
            member._reject("  ")
        member._reject("Twice the rate of similar TEMs")
        self.assertEqual(standard.state, "rejected")
        self.assertEqual(standard.reject_reason, "Twice the rate of similar TEMs")
        self.assertFalse(
            self.Standard._find_standard("internal", "hour", JAN1, instrument=self.spirit)
        )
        # the manager revises it and submits it again
        standard.action_draft()
        self.assertEqual(standard.state, "draft")
        standard.unit_price = 80.0
        standard.action_submit()
        self.assertEqual(standard.state, "submitted")
        self.assertFalse(standard.reject_reason)

    def test_submitted_standard_can_be_withdrawn(self):
        standard = self.propose()
        standard.action_submit()
        standard.action_draft()
        self.assertEqual(standard.state, "draft")
        self.assertFalse(standard.sudo().activity_ids)

    def test_submit_needs_a_price_except_teaching(self):
        with self.assertRaisesRegex(UserError, "no unit price"):
            self.propose(unit_price=0.0).action_submit()
        teaching = self.propose(unit_price=0.0, payer_category="teaching")
        teaching.action_submit()
        self.assertEqual(teaching.state, "submitted")

    def test_service_type_standard(self):
        standard = self.propose(
            user=self.manager_t20,
            service_type_id=self.service_type.id,
            fee_unit="sample",
            unit_price=450.0,
        )
        standard.action_submit()
        standard.with_user(self.committee_member)._approve(JAN1)
        found = self.Standard._find_standard(
            "internal", "sample", JAN1, service_type=self.service_type
        )
        self.assertEqual(found, standard)
        self.assertFalse(
            self.Standard._find_standard("internal", "sample", JAN1, instrument=self.t20)
        )

    def test_exactly_one_target(self):
        with self.assertRaisesRegex(ValidationError, "either an instrument or a service type"):
            self.Standard.create(
                {"instrument_id": self.spirit.id, "service_type_id": self.service_type.id}
            )
        with self.assertRaisesRegex(ValidationError, "either an instrument or a service type"):
            self.Standard.create({"unit_price": 10.0})

    def test_negative_price_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.propose(unit_price=-1.0)


@tagged("post_install", "-at_install")
class TestFeeStandardRights(FeeStandardCase):
    """Who may do what, as non-admin users."""

    def test_manager_proposes_for_own_instruments_only(self):
        with self.assertRaises(AccessError):
            self.propose(user=self.manager_t20)  # the Spirit is not his
        self.propose(user=self.manager_t20, instrument=self.t20)
        with self.assertRaises(AccessError):
            self.propose(user=self.student_a1)
        with self.assertRaises(AccessError):
            self.propose(user=self.committee_member)  # the committee decides, not proposes
        self.propose(user=self.finance)
        self.propose(user=self.director)

    def test_only_the_committee_decides(self):
        standard = self.propose()
        standard.action_submit()
        for user in (self.manager_spirit, self.finance, self.pi_a):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                standard.with_user(user)._approve(JAN1)
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                standard.with_user(user)._reject("No")
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                standard.with_user(user).action_approve()
        self.assertEqual(standard.state, "submitted")
        with self.assertRaises(AccessError):
            self.env["facility.fee.standard.decision.wizard"].with_user(self.finance).create(
                {"standard_id": standard.id, "date_from": JAN1}
            )
        standard.with_user(self.director)._approve(JAN1)  # a facility manager sits on it
        self.assertEqual(standard.state, "approved")

    def test_committee_member_does_not_submit(self):
        standard = self.propose(user=self.finance)
        with self.assertRaises(AccessError):
            standard.with_user(self.committee_member).action_submit()
        standard.with_user(self.finance).action_submit()
        self.assertEqual(standard.state, "submitted")

    def test_service_leader_proposes_for_his_service_type(self):
        standard = self.propose(
            user=self.manager_t20,
            service_type_id=self.service_type.id,
            fee_unit="sample",
        )
        standard.action_submit()
        self.assertEqual(standard.state, "submitted")

    def test_state_and_approval_are_guarded(self):
        standard = self.propose()
        for values in (
            {"state": "approved"},
            {"date_to": JUN30},
            {"approved_by_id": self.director.id},
            {"reject_reason": "Forged"},
        ):
            with self.subTest(values=values), self.assertRaisesRegex(UserError, "only through"):
                standard.with_user(self.director).write(values)
        # created as approved: it starts as a draft all the same
        created = self.Standard.with_user(self.finance).create(
            {"instrument_id": self.spirit.id, "unit_price": 9.0, "state": "approved"}
        )
        self.assertEqual(created.state, "draft")

    def test_approved_standard_is_fixed(self):
        standard = self.approved()
        for values in (
            {"unit_price": 200.0},
            {"fee_unit": "day"},
            {"payer_category": "external"},
            {"instrument_id": self.t20.id},
            {"date_from": JUL1},
            {"walk_in_price": 1.0},
        ):
            with self.subTest(values=values), self.assertRaisesRegex(UserError, "no longer"):
                standard.with_user(self.director).write(values)
        with self.assertRaisesRegex(UserError, "fixed"):
            standard.cost_ids.with_user(self.director).create(
                {"standard_id": standard.id, "kind": "materials", "annual_amount": 1000}
            )
        # its name and note may be completed
        standard.with_user(self.director).note = "<p>Committee meeting 12</p>"
        # a new rate is a new standard: its duplicate is a draft with the same basis
        copy = standard.with_user(self.manager_spirit).copy()
        self.assertEqual(copy.state, "draft")
        self.assertFalse(copy.date_from)
        copy.unit_price = 120.0

    def test_submitted_standard_is_fixed(self):
        standard = self.propose()
        standard.action_submit()
        with self.assertRaisesRegex(UserError, "no longer"):
            standard.unit_price = 1.0
        with self.assertRaisesRegex(UserError, "no longer"):
            standard.with_user(self.committee_member).unit_price = 1.0

    def test_only_drafts_are_deleted(self):
        standard = self.approved()
        for user in (self.manager_spirit, self.finance, self.director):
            with self.subTest(user=user.login), self.assertRaisesRegex(UserError, "only draft"):
                standard.with_user(user).unlink()
        submitted = self.propose()
        submitted.action_submit()
        with self.assertRaisesRegex(UserError, "only draft"):
            submitted.with_user(self.director).unlink()
        draft = self.propose()
        draft.unlink()
        self.assertFalse(draft.exists())


@tagged("post_install", "-at_install")
class TestFeeStandardValidity(FeeStandardCase):
    """Which standard charges which day."""

    def find(self, day, category="internal", unit="hour", instrument=None):
        instrument = instrument or self.spirit
        return self.Standard._find_standard(category, unit, day, instrument=instrument)

    def test_supersede_on_the_valid_from_edge(self):
        old = self.approved(JAN1, 100.0)
        new = self.approved(JUL1, 120.0)
        self.assertEqual(old.state, "superseded")
        self.assertEqual(old.date_to, JUN30)
        self.assertEqual(new.state, "approved")
        self.assertFalse(new.date_to)
        self.assertEqual(self.find(date(2037, 12, 31)), self.Standard)  # before the first
        self.assertEqual(self.find(JAN1), old)  # the valid-from day itself
        self.assertEqual(self.find(JUN30), old)  # the superseded one's last day: old rate
        self.assertEqual(self.find(JUL1), new)  # the new valid-from day: new rate
        self.assertEqual(self.find(JUL1).unit_price, 120.0)
        self.assertEqual(self.find(date(2043, 1, 1)), new)

    def test_supersede_three_times(self):
        first = self.approved(JAN1, 100.0)
        second = self.approved(JUL1, 110.0)
        third = self.approved(date(2039, 1, 1), 130.0)
        self.assertEqual((first.date_to, second.date_to), (JUN30, date(2038, 12, 31)))
        self.assertEqual(self.find(date(2038, 12, 31)), second)
        self.assertEqual(self.find(date(2039, 1, 1)), third)

    def test_categories_units_and_targets_are_apart(self):
        internal = self.approved(JAN1, 100.0)
        external = self.approved(JUL1, 150.0, payer_category="external")
        day = self.approved(JUL1, 600.0, fee_unit="day")
        self.assertEqual(internal.state, "approved")  # not superseded by either
        self.assertEqual(self.find(JUL1), internal)
        self.assertEqual(self.find(JUL1, "external"), external)
        self.assertEqual(self.find(JUL1, unit="day"), day)
        self.assertFalse(self.find(JUL1, instrument=self.t20))

    def test_standards_not_approved_charge_nothing(self):
        draft = self.propose(date_from=JAN1)
        self.assertFalse(self.find(JAN1))
        draft.action_submit()
        self.assertEqual(draft.state, "submitted")
        self.assertFalse(self.find(JAN1))
        self.assertFalse(self.Standard._find_time_standard("internal", JAN1, self.spirit))

    def test_a_later_standard_waits_for_its_day(self):
        old = self.approved(JAN1, 100.0)
        pending = self.propose(unit_price=150.0, date_from=JUL1)
        pending.action_submit()
        self.assertEqual(self.find(JUL1), old)  # submitted: the old rate still charges

    def test_valid_from_must_follow_the_standard_in_force(self):
        old = self.approved(JUL1, 100.0)
        for day in (JUL1, JUN30):
            standard = self.propose(unit_price=120.0)
            standard.action_submit()
            with (
                self.subTest(day=day),
                self.assertRaisesRegex(UserError, "is in force since"),
            ):
                standard.with_user(self.committee_member)._approve(day)
            self.assertEqual(standard.state, "submitted")
        self.assertEqual(old.state, "approved")
        self.assertFalse(old.date_to)

    def test_overlap_refused_by_the_database(self):
        """Even written by hand around the actions, two charging standards of one key do not
        overlap: the exclusion constraint refuses it."""
        self.approved(JAN1, 100.0)
        other = self.propose(unit_price=120.0)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaisesRegex(ValidationError, "overlaps another approved fee standard"),
        ):
            permit(other.sudo()).write({"state": "approved", "date_from": JUL1})
            other._flush_checked()

    def test_time_standard_prefers_hour_then_half_day_then_day(self):
        day = self.approved(JAN1, 600.0, fee_unit="day")
        half = self.approved(JAN1, 350.0, fee_unit="half_day")
        self.approved(JAN1, 30.0, fee_unit="sample")
        find = self.Standard._find_time_standard
        self.assertEqual(find("internal", JAN1, self.spirit), half)
        hour = self.approved(JUL1, 100.0)
        self.assertEqual(find("internal", JUN30, self.spirit), half)
        self.assertEqual(find("internal", JUL1, self.spirit), hour)
        self.assertFalse(find("external", JUL1, self.spirit))
        self.assertTrue(day)

    def test_day_of_a_datetime_is_the_instruments_day(self):
        """00:30 in Shanghai on 1 July is 16:30 UTC on 30 June: the new rate."""
        self.approved(JAN1, 100.0)
        new = self.approved(JUL1, 120.0)
        self.assertEqual(self.find(datetime(2038, 6, 30, 16, 30)), new)
        self.assertNotEqual(self.find(datetime(2038, 6, 30, 15, 59)), new)

    def test_teaching_is_free(self):
        with Form(self.Standard.with_user(self.manager_spirit)) as form:
            form.instrument_id = self.spirit
            form.unit_price = 100.0
            form.walk_in_price = 120.0
            form.payer_category = "teaching"
            self.assertEqual(form.unit_price, 0.0)
            self.assertEqual(form.walk_in_price, 0.0)
        teaching = form.save()
        teaching.action_submit()
        teaching.with_user(self.committee_member)._approve(JAN1)
        found = self.find(JAN1, "teaching")
        self.assertEqual(found, teaching)
        self.assertEqual(found.unit_price, 0.0)

    def test_instruments_without_standard(self):
        self.approved(JAN1, 100.0)
        self.propose(user=self.manager_t20, instrument=self.t20).action_submit()  # not approved
        Standard = self.Standard.with_user(self.finance)
        missing = Standard.get_instruments_without_standard(date(2039, 1, 1))
        self.assertNotIn(self.spirit, missing)
        self.assertIn(self.t20, missing)
        self.assertIn(self.titan, missing)
        # before the Spirit's standard is valid, it has none either
        self.assertIn(self.spirit, Standard.get_instruments_without_standard(date(2037, 12, 31)))
        # a superseded standard still counts on its days
        self.approved(JUL1, 120.0)
        self.assertNotIn(self.spirit, Standard.get_instruments_without_standard(JUN30))

    def test_has_fee_standard_today(self):
        Instrument = self.env["facility.instrument"].with_user(self.finance)
        with freeze_time("2038-06-30 15:00:00"):  # 23:00 in Shanghai
            self.assertFalse(self.spirit.with_user(self.finance).has_fee_standard)
            self.approved(JUN30, 100.0)
            self.spirit.invalidate_recordset(["has_fee_standard"])
            self.assertTrue(self.spirit.with_user(self.finance).has_fee_standard)
            self.assertFalse(self.t20.with_user(self.finance).has_fee_standard)
            without = Instrument.search([("has_fee_standard", "=", False)])
            self.assertIn(self.t20, without)
            self.assertNotIn(self.spirit, without)
            self.assertIn(self.spirit, Instrument.search([("has_fee_standard", "=", True)]))
            self.assertIn(self.t20, Instrument.search([("has_fee_standard", "!=", True)]))
        with freeze_time("2038-06-29 15:59:00"):  # 23:59 the day before in Shanghai
            self.spirit.invalidate_recordset(["has_fee_standard"])
            self.assertFalse(self.spirit.with_user(self.finance).has_fee_standard)


@tagged("post_install", "-at_install")
class TestFeeStandardCalculator(FeeStandardCase):
    def costs(self):
        return [
            Command.create({"kind": "materials", "name": "Grids", "annual_amount": 30000}),
            Command.create({"kind": "utilities", "name": "水电", "annual_amount": 45000}),
            Command.create({"kind": "running", "name": "Service contract", "annual_amount": 75000}),
            Command.create({"kind": "depreciation", "annual_amount": 350000}),
        ]

    def test_proposed_price_and_use_it(self):
        standard = self.propose(unit_price=0.0, annual_units=1500, cost_ids=self.costs())
        self.assertEqual(
            standard.cost_ids.mapped("included"), [True, True, True, False]
        )  # depreciation is off by default
        self.assertEqual(standard.included_cost, 150000.0)
        self.assertEqual(standard.proposed_price, 100.0)
        standard.action_use_proposed_price()
        self.assertEqual(standard.unit_price, 100.0)
        # an institution that adds depreciation: (150,000 + 350,000) / 1,500 = 333.33
        standard.cost_ids.filtered(lambda c: c.kind == "depreciation").included = True
        self.assertEqual(standard.proposed_price, 333.33)
        standard.action_use_proposed_price()
        self.assertEqual(standard.unit_price, 333.33)

    def test_labour_and_other(self):
        standard = self.propose(
            annual_units=400,
            cost_ids=[
                Command.create({"kind": "labour", "annual_amount": 100000}),
                Command.create({"kind": "other", "annual_amount": 999}),
            ],
        )
        self.assertEqual(standard.cost_ids.mapped("included"), [True, False])
        self.assertEqual(standard.proposed_price, 250.0)

    def test_no_annual_units_no_proposal(self):
        standard = self.propose(cost_ids=self.costs())
        self.assertEqual(standard.proposed_price, 0.0)
        with self.assertRaisesRegex(UserError, "annual units"):
            standard.action_use_proposed_price()
        self.assertEqual(standard.unit_price, 100.0)

    def test_proposal_only_on_drafts(self):
        standard = self.approved(JAN1, 90.0, annual_units=1500, cost_ids=self.costs())
        with self.assertRaisesRegex(UserError, "applies to Draft"):
            standard.action_use_proposed_price()
        self.assertEqual(standard.unit_price, 90.0)

    def test_cost_basis_of_others_instruments(self):
        standard = self.propose(user=self.manager_t20, instrument=self.t20)
        with self.assertRaises(AccessError):
            self.env["facility.fee.cost"].with_user(self.manager_spirit).create(
                {"standard_id": standard.id, "annual_amount": 10}
            )
        self.env["facility.fee.cost"].with_user(self.finance).create(
            {"standard_id": standard.id, "annual_amount": 10}
        )
