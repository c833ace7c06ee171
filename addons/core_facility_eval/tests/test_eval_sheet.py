"""An instrument's form: the figures the scoring reads, who fills which column and when, the
signatures, the click-through to the records behind a figure."""

from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from .test_eval_campaign_common import CampaignCase


@tagged("post_install", "-at_install")
class TestEvalSheet(CampaignCase):
    def test_figures_as_the_scoring_reads_them(self):
        self.figures[self.t20.id].update(
            {
                "awards": 1,
                "patents": 2,
                "key_projects": 1,
                "fees_external": 7000.0,
                "training_count": 2,
                "fee_standard": True,
            }
        )
        self.t20.write({"rated_annual_hours": 1400, "purpose": "special"})
        campaign = self.started()
        t20 = self.sheet(campaign, self.t20)
        t20.check_ids[:2].present = False
        figures = t20._figures()
        self.assertEqual(figures["hours"], 600)
        self.assertEqual(figures["outcomes"], 2 + 1 + 1 + 2)
        self.assertEqual(figures["daily_missing"], 2)
        self.assertEqual(figures["rules_level"], 2)
        self.assertEqual(figures["fee_standard"], 1)
        self.assertEqual(figures["normal_projects"], 1)
        self.assertEqual(figures["key_projects"], 1)
        self.assertEqual(figures["external_fees"], 7000)
        self.assertEqual(figures["trainings"], 2)
        self.assertEqual(figures["rated_hours"], 1400)
        self.assertEqual(figures["special_purpose"], 1)

    def test_prorated_hours_shown_with_their_formula(self):
        campaign = self.campaign()
        self.as_director(campaign).action_compute()
        self.assertEqual(self.sheet(campaign, self.t20).hours_display, "450 h × 12 ÷ 9 = 600 h")
        self.assertEqual(self.sheet(campaign, self.spirit).hours_display, "1,700 h")

    def test_unit_head_fills_the_unit_column_while_self_assessing(self):
        campaign = self.campaign()
        self.as_director(campaign).action_compute()
        line = self.line(self.sheet(campaign, self.t20), "outcomes")
        with self.refused("filled while the units self-assess"):
            line.with_user(self.unit_head).points_unit = 2
        self.as_director(campaign).action_start_self_assessment()
        line.with_user(self.unit_head).points_unit = 2
        t20 = line.sheet_id
        self.assertEqual(t20.total_unit, 8 + 5 + 2)
        self.assertEqual(t20.total_computed, 8 + 5 + 3, "the computed column stays")
        research = self.unit_form(campaign, self.research_unit)
        self.assertEqual(research.total_unit, (22 + 8) / 2 / 2)
        self.line(t20, "hours").with_user(self.unit_head).points_unit = 0
        self.assertEqual(research.total_unit, (22 + 0) / 2 / 2, "the unit's form follows")
        self.assertEqual(research.total_computed, (22 + 8) / 2 / 2)
        with self.refused("Only the head of .*Chemistry School"):
            self.line(self.sheet(campaign, self.nmr), "outcomes").with_user(
                self.unit_head
            ).points_unit = 1
        with self.refused("Only the head of .*Research Unit"):
            line.with_user(self.school_assessor).points_unit = 1
        with self.refused("Only the head of .*Research Unit"):
            line.with_user(self.director).points_unit = 1
        with self.refused("the criterion scores 0 to 10"):
            line.with_user(self.unit_head).points_unit = 11
        with self.refused("the criterion scores 0 to 10"):
            line.with_user(self.unit_head).points_unit = -1
        with self.refused("Only the school's assessors"):
            line.with_user(self.unit_head).points_school = 1

    @freeze_time("2041-12-20 03:00:00")
    def test_unit_signature_recorded_then_column_locked(self):
        campaign = self.started()
        t20 = self.sheet(campaign, self.t20)
        with self.refused("Only the head of .*Research Unit"):
            t20.with_user(self.school_assessor).action_unit_sign()
        t20.with_user(self.unit_head).action_unit_sign()
        self.assertEqual(t20.state, "unit_signed")
        self.assertEqual(t20.unit_signer_id, self.unit_head)
        self.assertEqual(str(t20.unit_signed_date), "2041-12-20")
        self.assertIn("signed by", t20.message_ids[0].body)
        with self.refused(r"was signed by .* on 2041-12-20"):
            self.line(t20, "outcomes").with_user(self.unit_head).points_unit = 1
        with self.refused(r"was signed by .* on 2041-12-20"):
            t20.with_user(self.unit_head).rules_level = "1"
        with self.refused(r"was signed by"):
            t20.with_user(self.unit_head).action_unit_sign()

    def test_school_fills_its_column_while_school_assessing(self):
        campaign = self.started()
        self.sign_units(campaign)
        t20 = self.sheet(campaign, self.t20)
        line = self.line(t20, "outcomes")
        with self.refused("filled while the school assesses"):
            line.with_user(self.school_assessor).points_school = 1
        self.as_director(campaign).action_start_school_assessment()
        with self.refused("Only the school's assessors"):
            line.with_user(self.unit_head).points_school = 1
        with self.refused("Only the school's assessors"):
            line.with_user(self.manager_t20).points_school = 1
        with self.refused("filled while the units self-assess"):
            line.with_user(self.unit_head).points_unit = 1
        line.with_user(self.school_assessor).points_school = 1
        self.assertEqual(t20.total_school, 8 + 5 + 1)
        self.assertEqual(t20.total, t20.total_unit, "the unit's column is current until signed")
        t20.with_user(self.school_assessor).action_school_sign()
        self.assertEqual(t20.school_signer_id, self.school_assessor)
        self.assertEqual(t20.total, 14, "the school's column is current once signed")
        with self.refused("was signed by"):
            line.with_user(self.school_assessor).points_school = 2

    def test_entered_figures_by_the_unit_head_rescore(self):
        campaign = self.started()
        spirit = self.sheet(campaign, self.spirit)
        ledger = spirit.check_ids.filtered(lambda c: c.item == "ledger")
        ledger.with_user(self.unit_head).present = False
        self.assertEqual(self.line(spirit, "daily").points_computed, 4)
        self.assertEqual(self.line(spirit, "daily").points_unit, 4)
        self.assertEqual(spirit.total_unit, 22 + 4)
        spirit.with_user(self.unit_head).write({"platform_deduction": 3, "rules_level": "1"})
        self.assertEqual((spirit.platform_deduction, spirit.rules_level), (3, "1"))
        with self.refused("between 0 and 10"):
            spirit.with_user(self.unit_head).ledger_deduction = 12
        with self.refused("Only the head of .*Research Unit"):
            ledger.with_user(self.manager_spirit).present = True
        with self.refused("Only the head of .*Research Unit"):
            spirit.with_user(self.school_assessor).rules_level = "0"

    def test_instrument_manager_attaches_evidence_only(self):
        campaign = self.started()
        spirit = self.sheet(campaign, self.spirit)
        ledger = spirit.check_ids.filtered(lambda c: c.item == "ledger")
        evidence = (
            self.env["ir.attachment"]
            .with_user(self.manager_spirit)
            .create({"name": "ledger.pdf", "raw": b"%PDF"})
        )
        ledger.with_user(self.manager_spirit).write(
            {"attachment_ids": [(4, evidence.id)], "note": "Ledger 2041"}
        )
        self.assertEqual(ledger.attachment_ids, evidence)
        with self.refused("Only the head"):
            self.line(spirit, "hours").with_user(self.manager_spirit).points_unit = 1
        t20_check = self.sheet(campaign, self.t20).check_ids[:1]
        with self.refused():
            t20_check.with_user(self.manager_spirit).note = "Not mine"
        spirit.with_user(self.unit_head).action_unit_sign()
        with self.refused("was signed by"):
            ledger.with_user(self.manager_spirit).note = "Too late"

    def test_computed_fields_refused_to_everyone(self):
        campaign = self.started()
        spirit = self.sheet(campaign, self.spirit)
        line = self.line(spirit, "hours")
        for user in (self.director, self.unit_head, self.school_assessor):
            for record, values in (
                (spirit, {"hours": 2000}),
                (spirit, {"total_computed": 99}),
                (spirit, {"failed": False}),
                (spirit, {"state": "school_signed"}),
                (spirit, {"unit_signer_id": self.unit_head.id}),
                (line, {"points_computed": 30}),
                (line, {"figure_value": 2000}),
            ):
                with self.subTest(user=user.login, values=values), self.refused():
                    record.with_user(user).write(values)
        with self.refused("created by computing"):
            self.env["facility.eval.sheet"].with_user(self.director).create(
                {"campaign_id": campaign.id, "instrument_id": self.cheap.id}
            )
        with self.refused("removed only by computing"):
            line.with_user(self.director).unlink()

    def test_click_through_to_the_records_behind_a_figure(self):
        campaign = self.campaign()
        self.as_director(campaign).action_compute()
        spirit = self.sheet(campaign, self.spirit)
        calls = []

        def figure_action(collector, sheet, figure):
            calls.append((sheet, figure))
            return {"type": "ir.actions.act_window", "res_model": "facility.booking"}

        Collector = type(self.env["facility.eval.collector"])
        with patch.object(Collector, "figure_action", figure_action):
            action = (
                spirit.with_user(self.manager_spirit)
                .with_context(figure="hours")
                .action_open_figure()
            )
        self.assertEqual(action["res_model"], "facility.booking")
        self.assertEqual(calls, [(spirit, "hours")])
        with self.refused("is not a figure"):
            spirit.with_context(figure="nonsense").action_open_figure()

    def test_failed_follows_the_current_column(self):
        campaign = self.started()
        spirit = self.sheet(campaign, self.spirit)
        self.assertTrue(spirit.failed)
        self.line(spirit, "outcomes").with_user(self.unit_head).points_unit = 10
        self.assertTrue(spirit.failed, "the computed column is current until the unit signs")
        spirit.with_user(self.unit_head).action_unit_sign()
        self.assertEqual(spirit.total, 37)
        self.assertFalse(spirit.failed)
        self.assertFalse(spirit.fail_reason)
