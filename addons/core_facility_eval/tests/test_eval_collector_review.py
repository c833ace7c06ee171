"""Review fixes of the collector: departments are 二级单位 (not labs), 校外 fees follow the
research group's off-campus flag (billing's ``get_instrument_fees(..., external_groups=)``),
the fee standard is billing's answer for the assessed instruments whatever their state today
(``get_instruments_with_standard``), and what decides an instrument's evaluation is the
equipment office's to change."""

from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.core_facility.models.access import permit

from .common import YEAR
from .test_eval_collector import CollectorCase, utc


@tagged("post_install", "-at_install")
class TestEvalCollectorReview(CollectorCase):
    def charge(self, amount, group, category="internal", instrument=None):
        line = (
            self.env["facility.charge"]
            .sudo()
            .create(
                {
                    "name": "Evaluation test",
                    "date": date(YEAR, 3, 1),
                    "instrument_id": (instrument or self.spirit).id,
                    "research_group_id": group.id,
                    "payer_category": category,
                    "quantity": 1,
                    "unit_price": amount,
                    "amount": amount,
                }
            )
        )
        line.action_confirm()
        return line

    def standard(self, instrument, date_from, state="approved"):
        return (
            permit(self.env["facility.fee.standard"].sudo())
            .create(
                {
                    "name": f"{instrument.name} standard",
                    "instrument_id": instrument.id,
                    "payer_category": "internal",
                    "fee_unit": "hour",
                    "unit_price": 100.0,
                    "date_from": date_from,
                    "state": state,
                }
            )
            .with_env(self.env)
        )

    def test_departments_count_the_groups_departments_not_their_labs(self):
        Unit = self.env["facility.unit"]
        lab1 = Unit.create(
            {"name": "Lab A1", "unit_type": "lab", "parent_id": self.research_unit.id}
        )
        lab2 = Unit.create(
            {"name": "Lab A2", "unit_type": "lab", "parent_id": self.research_unit.id}
        )
        Group = self.env["facility.research.group"]
        g1 = Group.create({"name": "G1", "pi_id": self.pi_a.id, "unit_id": lab1.id})
        g2 = Group.create({"name": "G2", "pi_id": self.pi_b.id, "unit_id": lab2.id})
        self.done(utc(YEAR, 3, 2, 9), group=g1, operator=self.student_a1)
        self.done(utc(YEAR, 3, 3, 9), group=g2, operator=self.student_a2)
        self.done(utc(YEAR, 3, 4, 9), group=self.group_off)
        figures = self.collect(self.spirit)[self.spirit.id]
        self.assertEqual(figures["departments"], 2)  # the research unit, the other university

    def test_external_fees_are_those_of_off_campus_groups(self):
        # group B: category external (to the facility) but inside the university
        inside = self.charge(500, self.group_b, "external")
        # the off-campus group left at payer category internal
        outside = self.charge(300, self.group_off, "internal")
        self.charge(1000, self.group_a)
        figures = self.collect(self.spirit)[self.spirit.id]
        self.assertAlmostEqual(figures["fees"], 1800)
        self.assertAlmostEqual(figures["fees_external"], 300)
        self.assertAlmostEqual(figures["fees_internal"], 1500)
        sheet = self.env["facility.eval.sheet"].create(
            {
                "campaign_id": self.campaign.id,
                "instrument_id": self.spirit.id,
                "unit_id": self.research_unit.id,
            }
        )
        Charge = self.env["facility.charge"]
        action = self.Collector.figure_action(sheet, "fees_external")
        self.assertEqual(Charge.search(action["domain"]), outside)
        action = self.Collector.figure_action(sheet, "fees_internal")
        self.assertIn(inside, Charge.search(action["domain"]))
        self.assertNotIn(outside, Charge.search(action["domain"]))

    def test_billing_fees_by_groups_and_by_default(self):
        self.charge(500, self.group_b, "external")
        self.charge(300, self.group_off, "internal")
        Charge = self.env["facility.charge"]
        default = Charge.get_instrument_fees(self.spirit, date(YEAR, 1, 1), date(YEAR, 12, 31))
        self.assertEqual(
            default[self.spirit.id], {"internal": 300.0, "external": 500.0, "total": 800.0}
        )
        by_group = Charge.get_instrument_fees(
            self.spirit.ids,
            date(YEAR, 1, 1),
            date(YEAR, 12, 31),
            external_groups=self.group_off.ids,
        )
        self.assertEqual(
            by_group[self.spirit.id], {"internal": 500.0, "external": 300.0, "total": 800.0}
        )

    def test_fee_standard_of_an_instrument_scrapped_since(self):
        scrapped = self.instrument("Scrapped Next Year", date(2030, 1, 1))
        scrapped.write({"state": "scrapped", "scrap_applied_date": date(YEAR + 1, 1, 10)})
        kept = self.instrument("Scrapped With Standard", date(2030, 1, 1))
        self.standard(kept, date(YEAR, 1, 1))
        kept.write({"state": "scrapped", "scrap_applied_date": date(YEAR + 1, 1, 10)})
        with freeze_time("2042-02-10"):  # the 2041 campaign computed in February 2042
            figures = self.collect(scrapped, kept)
        self.assertEqual(figures[scrapped.id]["status"], "assessed")
        self.assertFalse(figures[scrapped.id]["fee_standard"])  # it never had one
        self.assertTrue(figures[kept.id]["fee_standard"])
        Standard = self.env["facility.fee.standard"]
        self.assertEqual(
            Standard.get_instruments_with_standard(date(YEAR, 12, 31), (scrapped | kept).ids), kept
        )
        self.assertFalse(Standard.get_instruments_with_standard(date(YEAR - 1, 12, 31), kept))

    def test_instrument_managers_cannot_change_what_decides_the_evaluation(self):
        spirit = self.spirit.with_user(self.manager_spirit)
        for vals in (
            {"scrap_applied_date": date(YEAR, 6, 1)},
            {"account_date": date(YEAR, 9, 15)},
            {"original_value": 399_999},
            {"rated_annual_hours": 100},
            {"purpose": "special"},
        ):
            with self.assertRaises(AccessError):
                spirit.write(vals)
        spirit.write({"room": "B1-101"})  # the rest stays theirs
        self.assertFalse(self.spirit.scrap_applied_date)
        # the director (the equipment office) records a scrap application
        self.spirit.with_user(self.director).write({"scrap_applied_date": date(YEAR, 6, 1)})
        self.assertEqual(self.spirit.scrap_applied_date, date(YEAR, 6, 1))
