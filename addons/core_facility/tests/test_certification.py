from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import FacilityCase


@tagged("post_install", "-at_install")
class TestQualification(FacilityCase):
    def test_intermediate_before_primary_is_refused_naming_the_rule(self):
        with self.assertRaisesRegex(ValidationError, "Prerequisite rule.*Primary.*Test Spirit"):
            self.grant(self.student_a1, self.spirit, self.intermediate)
        self.grant(self.student_a1, self.spirit, self.primary)
        self.grant(self.student_a1, self.spirit, self.intermediate)
        self.assertTrue(
            self.env["facility.qualification"].is_qualified(
                self.student_a1, self.spirit, self.intermediate
            )
        )

    def test_prerequisite_on_another_instrument_does_not_count(self):
        self.grant(self.student_a1, self.t20, self.primary)
        with self.assertRaisesRegex(ValidationError, "Prerequisite rule"):
            self.grant(self.student_a1, self.spirit, self.intermediate)

    def test_cryo_needs_intermediate_on_any_tem_of_the_scheme(self):
        with self.assertRaisesRegex(ValidationError, "on an instrument of the Test TEM scheme"):
            self.grant(self.student_a1, self.titan, self.cryo)
        self.grant(self.student_a1, self.spirit, self.primary)
        self.grant(self.student_a1, self.spirit, self.intermediate)
        self.grant(self.student_a1, self.titan, self.cryo)
        qualification = self.env["facility.qualification"]
        self.assertTrue(qualification.is_qualified(self.student_a1, self.titan, self.cryo))
        # cryo on Titan says nothing about primary on Titan
        self.assertFalse(qualification.is_qualified(self.student_a1, self.titan, self.primary))

    def test_higher_level_implies_lower_levels_on_the_same_instrument(self):
        self.grant(self.student_a1, self.spirit, self.primary)
        self.grant(self.student_a1, self.spirit, self.intermediate)
        self.assertTrue(self.spirit.is_user_qualified(self.student_a1, self.primary))
        self.assertFalse(self.t20.is_user_qualified(self.student_a1, self.primary))

    def test_prerequisite_must_be_held_on_the_grant_date(self):
        self.grant(self.student_a1, self.spirit, self.primary, date_granted="2025-03-01")
        with self.assertRaisesRegex(ValidationError, "Prerequisite rule"):
            self.grant(self.student_a1, self.spirit, self.intermediate, date_granted="2025-02-28")
        self.grant(self.student_a1, self.spirit, self.intermediate, date_granted="2025-03-01")

    def test_level_must_be_assessed_on_the_instrument(self):
        with self.assertRaisesRegex(ValidationError, "not assessed on Test Titan"):
            self.grant(self.student_a1, self.titan, self.primary)

    def test_expiry_and_validity(self):
        self.primary.validity_months = 12
        qualification = self.grant(self.student_a1, self.spirit, self.primary, "2025-01-31")
        self.assertEqual(qualification.date_expiry, date(2026, 1, 31))
        model = self.env["facility.qualification"]
        self.assertTrue(
            model.is_qualified(self.student_a1, self.spirit, self.primary, date(2026, 1, 31))
        )
        self.assertFalse(
            model.is_qualified(self.student_a1, self.spirit, self.primary, date(2026, 2, 1))
        )
        self.assertFalse(
            model.is_qualified(self.student_a1, self.spirit, self.primary, date(2025, 1, 30))
        )
        mine = [("id", "=", qualification.id)]
        with freeze_time("2025-06-01"):
            self.assertTrue(model.search([*mine, ("is_valid", "=", True)]))
            qualification.invalidate_recordset(["is_valid"])
            self.assertTrue(qualification.is_valid)
        with freeze_time("2026-02-01"):
            self.assertTrue(model.search([*mine, ("is_valid", "=", False)]))
            qualification.invalidate_recordset(["is_valid"])
            self.assertFalse(qualification.is_valid)

    def test_revoked_qualification_no_longer_counts(self):
        qualification = self.grant(self.student_a1, self.spirit, self.primary)
        qualification.action_revoke()
        self.assertFalse(self.spirit.is_user_qualified(self.student_a1, self.primary))
        qualification.action_restore()
        self.assertTrue(self.spirit.is_user_qualified(self.student_a1, self.primary))

    def test_one_qualification_per_user_instrument_level(self):
        self.grant(self.student_a1, self.spirit, self.primary)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.grant(self.student_a1, self.spirit, self.primary)

    def test_prerequisite_loop_and_foreign_scheme_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "loop"):
            self.primary.prerequisite_id = self.cryo
        other = self.env["facility.certification.scheme"].create({"name": "Other"})
        level = self.env["facility.certification.level"].create(
            {"name": "Other level", "scheme_id": other.id}
        )
        with self.assertRaisesRegex(ValidationError, "same scheme"):
            self.intermediate.prerequisite_id = level

    def test_is_qualified_takes_records_or_ids_and_refuses_garbage(self):
        self.grant(self.student_a1, self.spirit, self.primary, "2025-01-01")
        model = self.env["facility.qualification"].with_user(self.student_a1)
        ids = (self.student_a1.id, self.spirit.id, self.primary.id)
        self.assertTrue(model.is_qualified(*ids))
        self.assertTrue(model.is_qualified(self.student_a1, self.spirit.id, [self.primary.id]))
        self.assertTrue(model.is_qualified(*ids, on_date="2025-01-01"))
        self.assertFalse(model.is_qualified(*ids, on_date=date(2024, 12, 31)))
        for args, message in (
            (("alice", *ids[1:]), "give the user as a record of User or its id, not 'alice'"),
            ((self.spirit, *ids[1:]), "give the user as a record of User"),
            ((ids[0], 0, ids[2]), "there is no single Facility Instrument 0"),
            ((ids[0], ids[1], 10**9), "there is no single Certification Level"),
            ((*ids, "31/12/2025"), "give the date as YYYY-MM-DD"),
            ((self.env["res.users"], *ids[1:]), "there is no single User"),
        ):
            with self.subTest(args=args), self.assertRaisesRegex(UserError, message):
                model.is_qualified(*args)

    def test_who_grants_what(self):
        Qualification = self.env["facility.qualification"]
        values = {
            "user_id": self.student_a1.id,
            "instrument_id": self.spirit.id,
            "level_id": self.primary.id,
        }
        for user in (self.student_a1, self.pi_a, self.finance):
            with self.assertRaises(AccessError):
                Qualification.with_user(user).create(values)
        with self.assertRaises(AccessError):  # not a manager of the T20
            Qualification.with_user(self.manager_spirit).create(
                dict(values, instrument_id=self.t20.id)
            )
        with self.assertRaisesRegex(UserError, "Grant rule: t_mgr_spirit.*cannot grant"):
            Qualification.with_user(self.manager_spirit).create(
                dict(values, user_id=self.manager_spirit.id)
            )
        with self.assertRaisesRegex(UserError, "Grant rule: a qualification comes from an"):
            Qualification.with_user(self.director).create(
                dict(values, assessment_id=self._draft_assessment().id)
            )
        qualification = Qualification.with_user(self.manager_spirit).create(values)
        self.assertEqual(qualification.granted_by_id, self.manager_spirit)
        qualification.with_user(self.manager_spirit).write({"note": "Upgraded stage"})
        for field, value in (
            ("user_id", self.student_a2.id),
            ("level_id", self.intermediate.id),
            ("granted_by_id", self.director.id),
        ):
            with self.assertRaisesRegex(UserError, "Qualification rule: the .* cannot change"):
                qualification.with_user(self.director).write({field: value})

    def _draft_assessment(self):
        return self.env["facility.assessment"].create(
            {
                "trainee_id": self.student_a1.id,
                "research_group_id": self.group_a.id,
                "level_id": self.primary.id,
                "instrument_ids": [Command.set(self.spirit.ids)],
                "assessor_id": self.manager_spirit.id,
            }
        )


@tagged("post_install", "-at_install")
class TestTraining(FacilityCase):
    def _training(self, trainer, trainees, level, instrument=None, **values):
        return self.env["facility.training"].create(
            dict(
                {
                    "instrument_id": (instrument or self.spirit).id,
                    "level_id": level.id,
                    "trainer_id": trainer.id,
                    "trainee_ids": [Command.set(trainees.ids)],
                    "date_start": "2025-06-02 02:00:00",
                    "hours": 3,
                },
                **values,
            )
        )

    def test_primary_training_by_an_intermediate_colleague_of_the_same_group(self):
        self.grant(self.student_a1, self.spirit, self.primary)
        self.grant(self.student_a1, self.spirit, self.intermediate)
        training = self._training(self.student_a1, self.student_a2, self.primary)
        self.assertEqual(training.person_hours, 3)
        self.assertTrue(training.name.startswith("TRN/"))

    def test_primary_training_by_an_uncertified_colleague_is_refused(self):
        self.grant(self.student_a1, self.spirit, self.primary)
        with self.assertRaisesRegex(ValidationError, "Trainer rule.*must hold Intermediate"):
            self._training(self.student_a1, self.student_a2, self.primary)

    def test_primary_training_by_a_certified_member_of_another_group_is_refused(self):
        self.grant(self.student_b1, self.spirit, self.primary)
        self.grant(self.student_b1, self.spirit, self.intermediate)
        with self.assertRaisesRegex(ValidationError, "Trainer rule.*own group"):
            self._training(self.student_b1, self.student_a2, self.primary)

    def test_intermediate_training_only_by_the_instrument_manager(self):
        self.grant(self.student_a2, self.spirit, self.primary)
        self.grant(self.student_a1, self.spirit, self.primary)
        self.grant(self.student_a1, self.spirit, self.intermediate)
        with self.assertRaisesRegex(ValidationError, "Trainer rule.*managers"):
            self._training(self.student_a1, self.student_a2, self.intermediate)
        with self.assertRaisesRegex(ValidationError, "Trainer rule.*managers"):
            self._training(self.technician, self.student_a2, self.intermediate)
        self._training(self.manager_spirit, self.student_a2, self.intermediate)

    def test_staff_policy_admits_technicians(self):
        self._training(self.technician, self.student_a2, self.primary)

    def test_trainee_without_prerequisite_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "Prerequisite rule.*Primary"):
            self._training(self.manager_spirit, self.student_a2, self.intermediate)

    def test_all_problems_are_reported_together(self):
        with self.assertRaises(ValidationError) as caught:
            self._training(self.student_a1, self.student_a2 | self.student_b1, self.primary)
        message = str(caught.exception)
        self.assertIn("must hold Intermediate", message)
        self.assertIn("own group", message)

    def test_session_hours_are_bounded_and_trainer_is_not_a_trainee(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self._training(self.manager_spirit, self.student_a2, self.primary, hours=0)
        with self.assertRaisesRegex(ValidationError, "cannot train themselves"):
            self._training(self.manager_spirit, self.manager_spirit, self.primary)
        with self.assertRaisesRegex(ValidationError, "at least one trainee"):
            self._training(self.manager_spirit, self.env["res.users"], self.primary)

    def test_trainings_stay_within_their_writers_reach(self):
        self.grant(self.student_a1, self.spirit, self.primary)
        self.grant(self.student_a1, self.spirit, self.intermediate)
        training = self._training(self.student_a1, self.student_a2, self.primary)
        training.with_user(self.student_a1).write({"hours": 4})
        with self.assertRaises(AccessError):
            training.with_user(self.student_a1).write({"trainer_id": self.manager_spirit.id})
        staff_training = self._training(self.manager_spirit, self.student_a2, self.primary)
        with self.assertRaises(UserError):  # AccessError or ValidationError, both UserErrors
            staff_training.with_user(self.manager_spirit).write({"instrument_id": self.titan.id})

    def test_states(self):
        training = self._training(self.manager_spirit, self.student_a2, self.primary)
        training.action_done()
        self.assertEqual(training.state, "done")
        training.action_reset()
        training.action_cancel()
        self.assertEqual(training.state, "cancelled")


@tagged("post_install", "-at_install")
class TestTranslation(FacilityCase):
    def test_refusals_are_translated_to_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["core_facility"], ["zh_CN"])
        zh = self.env(context=dict(self.env.context, lang="zh_CN"))
        with self.assertRaisesRegex(
            ValidationError, "前置条件规定：.*须先取得 Test Spirit 的Primary资质"
        ):
            zh["facility.qualification"].create(
                {
                    "user_id": self.student_a1.id,
                    "instrument_id": self.spirit.id,
                    "level_id": self.intermediate.id,
                }
            )
        with self.assertRaisesRegex(ValidationError, "培训人规定"):
            zh["facility.training"].create(
                {
                    "instrument_id": self.spirit.id,
                    "level_id": self.intermediate.id,
                    "trainer_id": self.technician.id,
                    "trainee_ids": [Command.set(self.student_a2.ids)],
                }
            )
        state = dict(zh["facility.instrument"]._fields["state"]._description_selection(zh))
        self.assertEqual(state["in_service"], "在用")
