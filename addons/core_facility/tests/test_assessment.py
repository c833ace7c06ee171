from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import FacilityCase


@tagged("post_install", "-at_install")
class TestAssessment(FacilityCase):
    def _assessment(self, instruments=None, level=None, trainee=None, assessor=None):
        return (
            self.env["facility.assessment"]
            .with_user(assessor or self.manager_spirit)
            .create(
                {
                    "trainee_id": (trainee or self.student_a1).id,
                    "research_group_id": self.group_a.id,
                    "level_id": (level or self.primary).id,
                    "instrument_ids": [Command.set((instruments or self.spirit).ids)],
                }
            )
        )

    def _record(self, assessment, result="pass", failing=None):
        for line in assessment.line_ids:
            line.result = "fail" if failing and line == failing else result

    def _sign_all(self, assessment):
        assessment.with_user(self.student_a1).action_sign_trainee()
        assessment.with_user(self.pi_a).action_sign_lab_head()
        assessment.with_user(self.unit_head).action_sign_unit_head()

    def test_lines_per_item_and_instrument_with_common_items_once(self):
        self.spirit.manager_ids |= self.manager_t20
        assessment = self._assessment(self.spirit | self.t20, assessor=self.manager_t20)
        # 2 per-instrument items x 2 instruments + 1 common safety item
        self.assertEqual(len(assessment.line_ids), 5)
        self.assertEqual(len(assessment.line_ids.filtered(lambda line: not line.instrument_id)), 1)
        self.assertTrue(assessment.name.startswith("ASM/"))
        self.assertEqual(assessment.lab_head_id, self.pi_a)
        self.assertEqual(assessment.unit_head_id, self.unit_head)

    def test_full_flow_grants_only_passed_instruments(self):
        self.spirit.manager_ids |= self.manager_t20
        assessment = self._assessment(self.spirit | self.t20, assessor=self.manager_t20)
        failing = assessment.line_ids.filtered(
            lambda line: line.instrument_id == self.t20 and line.item_id.name == "Focus"
        )
        self._record(assessment, failing=failing)
        self.assertEqual(assessment.passed_instrument_ids, self.spirit)
        self.assertIn("Test T20: failed", assessment.result_summary)
        assessment.with_user(self.manager_t20).action_confirm()
        self.assertEqual(assessment.state, "assessed")
        self.assertEqual(assessment.with_user(self.student_a1).can_sign_as, "trainee")
        self._sign_all(assessment)
        self.assertEqual(assessment.state, "done")
        qualification = assessment.qualification_ids
        self.assertEqual(qualification.instrument_id, self.spirit)
        self.assertEqual(qualification.user_id, self.student_a1)
        self.assertTrue(self.spirit.is_user_qualified(self.student_a1, self.primary))
        self.assertFalse(self.t20.is_user_qualified(self.student_a1, self.primary))

    def test_common_item_failure_fails_every_instrument(self):
        assessment = self._assessment()
        safety = assessment.line_ids.filtered(lambda line: not line.instrument_id)
        self._record(assessment, failing=safety)
        self.assertFalse(assessment.passed_instrument_ids)

    def test_assessor_must_record_every_item_and_manage_the_instruments(self):
        assessment = self._assessment()
        with self.assertRaisesRegex(UserError, "Record a result for every item"):
            assessment.action_confirm()
        self._record(assessment)
        with self.assertRaisesRegex(ValidationError, "Assessor rule.*Test Spirit"):
            assessment.assessor_id = self.manager_t20
        self.spirit.manager_ids |= self.manager_t20
        assessment.assessor_id = self.manager_t20
        with self.assertRaisesRegex(UserError, "Only the assessor"):
            assessment.with_user(self.manager_spirit).action_confirm()
        self.spirit.manager_ids -= self.manager_t20  # no longer a manager when signing
        with self.assertRaisesRegex(UserError, "Assessor rule.*Test Spirit"):
            assessment.with_user(self.manager_t20).action_confirm()

    def test_only_the_named_people_sign_off(self):
        assessment = self._assessment()
        self._record(assessment)
        with self.assertRaisesRegex(UserError, "once the assessor has signed"):
            assessment.with_user(self.student_a1).action_sign_trainee()
        assessment.action_confirm()
        with self.assertRaisesRegex(UserError, "Sign-off rule.*trainee"):
            assessment.with_user(self.student_a2).action_sign_trainee()
        with self.assertRaisesRegex(UserError, "Sign-off rule.*lab head"):
            assessment.with_user(self.unit_head).action_sign_lab_head()
        with self.assertRaises(AccessError):  # another group's PI does not even see it
            assessment.with_user(self.pi_b).action_sign_lab_head()
        with self.assertRaisesRegex(UserError, "Sign-off rule.*unit head"):
            assessment.with_user(self.pi_a).action_sign_unit_head()
        assessment.with_user(self.student_a1).action_sign_trainee()
        with self.assertRaisesRegex(UserError, "already given"):
            assessment.with_user(self.student_a1).action_sign_trainee()
        self.assertEqual(assessment.state, "assessed")
        self.assertFalse(assessment.qualification_ids)

    def test_results_are_locked_after_the_assessor_signed(self):
        assessment = self._assessment()
        self._record(assessment)
        assessment.action_confirm()
        with self.assertRaisesRegex(UserError, "fixed"):
            assessment.line_ids[0].result = "fail"
        with self.assertRaisesRegex(UserError, "Only an assessment being assessed"):
            assessment.level_id = self.intermediate

    def test_grant_is_refused_without_prerequisite(self):
        assessment = self._assessment(level=self.intermediate)
        self._record(assessment)
        assessment.action_confirm()
        assessment.with_user(self.student_a1).action_sign_trainee()
        assessment.with_user(self.pi_a).action_sign_lab_head()
        with self.assertRaisesRegex(ValidationError, "Prerequisite rule"):
            assessment.with_user(self.unit_head).action_sign_unit_head()

    def test_renewal_updates_the_existing_qualification(self):
        old = self.grant(self.student_a1, self.spirit, self.primary, "2020-01-01")
        assessment = self._assessment()
        self._record(assessment)
        assessment.action_confirm()
        self._sign_all(assessment)
        self.assertEqual(assessment.qualification_ids, old)
        self.assertEqual(old.date_granted, assessment.date_assessed)

    def test_trainee_must_belong_to_the_group(self):
        with self.assertRaisesRegex(ValidationError, "not a member of Group A"):
            self._assessment(trainee=self.student_b1)

    def test_other_instrument_manager_cannot_assess_here(self):
        with self.assertRaisesRegex(ValidationError, "Assessor rule.*Test Spirit.*t_mgr_t20"):
            self._assessment(assessor=self.manager_t20)

    def test_completed_assessment_is_kept(self):
        assessment = self._assessment()
        self._record(assessment)
        assessment.action_confirm()
        self._sign_all(assessment)
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            assessment.unlink()
        with self.assertRaisesRegex(UserError, "cannot be cancelled"):
            assessment.action_cancel()

    def test_state_and_signatures_only_through_the_sign_actions(self):
        assessment = self._assessment()
        for user in (self.manager_spirit, self.director):
            for values in (
                {"state": "done"},
                {"trainee_sign_date": "2025-01-01"},
                {"date_assessed": "2025-01-01", "unit_head_sign_date": "2025-01-01"},
                {"lab_head_id": self.student_a2.id},
            ):
                with self.subTest(user=user.login, values=values):
                    with self.assertRaisesRegex(UserError, "Sign-off rule|cannot be written"):
                        assessment.with_user(user).write(values)
        with self.assertRaisesRegex(UserError, "Sign-off rule: the unit head who signs is"):
            assessment.with_user(self.manager_spirit).write({"unit_head_id": self.pi_a.id})
        assessment.with_user(self.director).write({"unit_head_id": self.pi_b.id})
        self.assertEqual(assessment.unit_head_id, self.pi_b)
        with self.assertRaisesRegex(UserError, "Sign-off rule"):
            self.env["facility.assessment"].with_user(self.manager_spirit).create(
                {
                    "trainee_id": self.student_a2.id,
                    "research_group_id": self.group_a.id,
                    "level_id": self.primary.id,
                    "instrument_ids": [Command.set(self.spirit.ids)],
                    "state": "done",
                }
            )
        self.assertEqual(assessment.lab_head_id, self.pi_a)
        self.group_a.pi_id = self.student_a1  # the lab head follows the group
        self.assertEqual(assessment.lab_head_id, self.student_a1)

    def test_results_are_laid_out_by_the_assessment_and_recorded_by_the_assessor(self):
        self.spirit.manager_ids |= self.manager_t20
        assessment = self._assessment()
        line = assessment.line_ids[0]
        with self.assertRaises(AccessError):  # another manager of the Spirit
            line.with_user(self.manager_t20).write({"result": "pass"})
        with self.assertRaisesRegex(UserError, "Checklist rule"):
            line.with_user(self.manager_spirit).write({"instrument_id": self.t20.id})
        with self.assertRaisesRegex(UserError, "Checklist rule"):
            line.with_user(self.director).unlink()
        with self.assertRaisesRegex(UserError, "Checklist rule"):
            self.env["facility.assessment.line"].with_user(self.manager_spirit).create(
                {"assessment_id": assessment.id, "item_id": line.item_id.id}
            )
        line.with_user(self.manager_spirit).write({"result": "fail", "note": "Lost the grid"})
        assessment.with_user(self.manager_spirit).level_id = self.intermediate  # re-laid out
        self.assertEqual(assessment.line_ids.item_id, self.intermediate.item_ids)

    def test_assessment_sheet_prints(self):
        assessment = self._assessment()
        self._record(assessment)
        report = self.env.ref("core_facility.action_report_facility_assessment")
        html, report_type = report._render_qweb_html(report.id, assessment.ids)
        self.assertEqual(report_type, "html")
        html = html.decode()
        self.assertIn(self.student_a1.name, html)
        self.assertIn("Result (Test Spirit)", html)
        self.assertIn("Test TEM – User Training Assessment Sheet", html)
        self.assertIn("Passed Primary on Test Spirit", html)
        self.assertIn("Safety", html)
        # three items passed (two on Spirit, one common) and the result box of Spirit
        self.assertEqual(html.count("☑"), 4)
        pdf, report_type = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            report.id, assessment.ids
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        action = assessment.action_print()
        self.assertEqual(action["report_name"], "core_facility.report_facility_assessment")
