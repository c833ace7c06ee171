from datetime import date, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import FacilityCase

PDF = b"JVBERi0xLjQKJSVFT0YK"  # a tiny PDF, base64


# Collaborations are counted in 2038 and 2039: the demo data has places for the current year.
class CollaborationCase(FacilityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Collaboration = cls.env["facility.collaboration"]
        cls.Agreement = cls.env["facility.collaboration.agreement"]
        cls.Year = cls.env["facility.collaboration.year"]

    @classmethod
    def application(cls, group=None, **values):
        return cls.env["facility.application"].create(
            {
                "kind": "collaboration",
                "title": "Phase-plate tomography of synaptic vesicles",
                "applicant_id": cls.student_a1.id,
                "research_group_id": (group or cls.group_a).id,
                "collaboration_mode": "methodology",
                "progress_stage": "preliminary",
                "research_background": "<p>Vesicle proteins in situ.</p>",
                "scientific_question": "Their native structure?",
                "expected_outcome": "A 2 nm subtomogram average.",
                "state": "approved",
                "decision_date": "2038-03-06 08:00:00",
                **values,
            }
        )

    @classmethod
    def collaboration(cls, group=None, year=2038, **values):
        return cls.Collaboration.create(
            {
                "name": "Collaboration",
                "research_group_id": (group or cls.group_a).id,
                "year": year,
                **values,
            }
        )

    def agreement(self, collaboration, kind="agreement", signed=True, **values):
        agreement = self.Agreement.create(
            {
                "collaboration_id": collaboration.id,
                "kind": kind,
                "name": "NDA 2026" if kind == "nda" else "Agreement 2026",
                "document": PDF,
                "document_name": "signed.pdf",
                **values,
            }
        )
        if signed:
            agreement.with_user(self.manager_spirit).action_sign()
        return agreement


@tagged("post_install", "-at_install")
class TestCollaborationFromApplication(CollaborationCase):
    def test_created_from_the_approved_application_with_its_form(self):
        application = self.application()
        collaboration = self.Collaboration._create_from_application(application)
        self.assertRecordValues(
            collaboration,
            [
                {
                    "name": "Phase-plate tomography of synaptic vesicles",
                    "application_id": application.id,
                    "research_group_id": self.group_a.id,
                    "contact_id": self.student_a1.id,
                    "year": 2038,
                    "mode": "methodology",
                    "progress_stage": "preliminary",
                    "scientific_question": "Their native structure?",
                    "expected_outcome": "A 2 nm subtomogram average.",
                    "state": "negotiating",
                }
            ],
        )
        self.assertIn("Vesicle proteins in situ.", collaboration.research_background)

    def test_year_of_the_decision_in_the_facilitys_time_zone(self):
        """Decided on 31 December 2031 at 17:00 UTC, i.e. 1 January 2032 at 01:00 in Shanghai:
        the collaboration takes a place of 2032 (2031's are all taken)."""
        self.env.company.partner_id.tz = "Asia/Shanghai"
        self.Year.create({"year": 2031, "places": 1})
        self.collaboration(year=2031)
        Collaboration = self.Collaboration.with_user(self.director)
        decided = self.application(decision_date="2031-12-31 17:00:00")
        collaboration = Collaboration._create_from_application(decided.with_user(self.director))
        self.assertEqual(collaboration.year, 2032)
        # not decided yet (called by the decision itself): now, in the facility's time zone
        undecided = self.application(decision_date=False)
        with freeze_time("2031-12-31 17:00:00"):
            collaboration = Collaboration._create_from_application(
                undecided.with_user(self.director)
            )
        self.assertEqual(collaboration.year, 2032)
        # the day before in Shanghai is still 2031, whose places are taken
        late = self.application(decision_date="2031-12-31 15:59:00")
        with self.assertRaisesRegex(ValidationError, "collaboration places of 2031 are taken"):
            Collaboration._create_from_application(late.with_user(self.director))

    def test_places_of_the_year_are_counted(self):
        self.Year.create({"year": 2038, "places": 3})
        self.collaboration()
        self.collaboration(group=self.group_b)
        cancelled = self.collaboration()
        with self.assertRaisesRegex(
            ValidationError,
            r"^Collaboration places: the 3 collaboration places of 2038 are taken "
            r"\(3 collaborations\)\.$",
        ):
            self.Collaboration._create_from_application(self.application())
        # a cancelled collaboration gives its place back
        cancelled.with_user(self.manager_spirit).action_cancel()
        self.Collaboration._create_from_application(self.application())
        # another year has its own places, and a year without a record has no limit
        self.assertTrue(self.collaboration(year=2039))
        year = self.Year.search([("year", "=", 2038)])
        self.assertEqual((year.used, year.remaining), (3, 0))

    def test_moving_to_a_full_year_is_refused(self):
        self.Year.create({"year": 2039, "places": 1})
        self.collaboration(year=2039)
        collaboration = self.collaboration()
        with self.assertRaisesRegex(ValidationError, "collaboration places of 2039 are taken"):
            collaboration.year = 2039

    def test_places_cannot_drop_below_the_collaborations_taken(self):
        year = self.Year.create({"year": 2038, "places": 3})
        self.collaboration()
        self.collaboration()
        with self.assertRaisesRegex(ValidationError, "2038 already has 2 collaborations"):
            year.places = 1
        year.places = 2


@tagged("post_install", "-at_install")
class TestCollaborationAgreements(CollaborationCase):
    def test_check_names_the_missing_unsigned_and_expired_agreements(self):
        collaboration = self.collaboration(name="Vesicles", nda_required=True)
        with self.assertRaisesRegex(
            UserError,
            r"^Collaboration rule: Vesicles: no Collaboration Agreement is attached; no "
            r"Non-disclosure Agreement is attached$",
        ):
            collaboration._check_agreements_signed()
        self.agreement(collaboration)
        nda = self.agreement(collaboration, kind="nda", signed=False)
        with self.assertRaisesRegex(
            UserError, r"^Collaboration rule: Vesicles: Non-disclosure Agreement “NDA 2026” is not "
        ):
            collaboration._check_agreements_signed()
        nda.with_user(self.manager_spirit).action_sign()
        self.assertTrue(collaboration._check_agreements_signed())
        self.assertTrue(collaboration.agreements_signed)

    def test_nda_only_when_required(self):
        collaboration = self.collaboration()
        self.agreement(collaboration)
        self.assertTrue(collaboration._check_agreements_signed())
        collaboration.nda_required = True
        with self.assertRaisesRegex(UserError, "no Non-disclosure Agreement is attached"):
            collaboration._check_agreements_signed()

    def test_an_optional_agreement_may_stay_drafted(self):
        collaboration = self.collaboration()
        self.agreement(collaboration)
        self.agreement(collaboration, kind="nda", signed=False, required=False)
        self.assertTrue(collaboration._check_agreements_signed())

    def test_expired_agreement_refused_even_before_the_scheduled_job(self):
        with freeze_time("2026-03-01"):
            collaboration = self.collaboration(name="Vesicles")
            agreement = self.agreement(collaboration, date_expiry="2026-06-30")
        with freeze_time("2026-07-01"):
            with self.assertRaisesRegex(UserError, "Agreement 2026” expired on 06/30/2026"):
                collaboration._check_agreements_signed()
            self.Agreement._cron_expire()
            self.assertEqual(agreement.state, "expired")
            self.assertIn("expired on", collaboration.message_ids[0].body)

    def test_signing_needs_the_document_and_staff(self):
        collaboration = self.collaboration()
        agreement = self.agreement(collaboration, signed=False, document=False)
        with self.assertRaisesRegex(UserError, "Attach the signed document"):
            agreement.with_user(self.manager_spirit).action_sign()
        agreement.document = PDF
        with self.assertRaisesRegex(UserError, "recorded by the facility's managers and staff"):
            agreement.with_user(self.pi_a).action_sign()
        with freeze_time("2026-03-02"):
            agreement.with_user(self.manager_spirit).action_sign()
        self.assertEqual((agreement.state, agreement.date_signed), ("signed", date(2026, 3, 2)))
        with self.assertRaisesRegex(UserError, "is signed: reset it to draft"):
            agreement.with_user(self.manager_spirit).date_expiry = "2027-01-01"
        with self.assertRaisesRegex(UserError, "change only through its actions"):
            agreement.with_user(self.director).state = "drafted"
        agreement.with_user(self.manager_spirit).action_reset_draft()
        agreement.with_user(self.manager_spirit).date_expiry = "2027-01-01"


@tagged("post_install", "-at_install")
class TestCollaborationLifecycle(CollaborationCase):
    def test_started_once_signed_by_staff(self):
        collaboration = self.collaboration(nda_required=True)
        with self.assertRaisesRegex(UserError, "run by the facility's managers and staff"):
            collaboration.with_user(self.pi_a).action_to_agreement()
        collaboration.with_user(self.manager_spirit).action_to_agreement()
        self.assertEqual(collaboration.state, "agreement")
        self.agreement(collaboration)
        with self.assertRaisesRegex(UserError, "no Non-disclosure Agreement is attached"):
            collaboration.with_user(self.manager_spirit).action_activate()
        self.agreement(collaboration, kind="nda")
        collaboration.with_user(self.manager_spirit).action_activate()
        self.assertEqual(collaboration.state, "active")
        self.assertEqual(collaboration.date_start, fields.Date.context_today(collaboration))
        with self.assertRaisesRegex(UserError, "this action applies at the stage Agreement"):
            collaboration.with_user(self.director).action_activate()
        collaboration.with_user(self.director).action_finish()
        self.assertEqual(collaboration.state, "finished")
        with self.assertRaisesRegex(UserError, r"it is over \(Finished\)"):
            collaboration._check_agreements_signed()

    def test_state_changes_only_through_actions(self):
        collaboration = self.collaboration()
        with self.assertRaisesRegex(UserError, "change only through its actions"):
            collaboration.with_user(self.director).write({"state": "active"})
        with self.assertRaisesRegex(UserError, "cancel them instead"):
            collaboration.with_user(self.director).unlink()


@tagged("post_install", "-at_install")
class TestCollaborationBooking(CollaborationCase):
    """Booking for a collaboration is refused while a required agreement is not signed."""

    def booking(self, collaboration, days=3, **values):
        start = fields.Datetime.now().replace(hour=2, minute=0, second=0, microsecond=0)
        start += timedelta(days=days)
        return (
            self.env["facility.booking"]
            .with_user(self.student_a1)
            .create(
                {
                    "instrument_id": self.spirit.id,
                    "operator_id": self.student_a1.id,
                    "research_group_id": self.group_a.id,
                    "purpose": "Tomography",
                    "date_start": start,
                    "date_stop": start + timedelta(hours=2),
                    "collaboration_id": collaboration.id,
                    **values,
                }
            )
        )

    def test_booking_refused_until_the_nda_is_signed(self):
        collaboration = self.collaboration(name="Vesicles", nda_required=True)
        self.agreement(collaboration)
        nda = self.agreement(collaboration, kind="nda", signed=False)
        with self.assertRaisesRegex(
            ValidationError,
            r"Test Spirit cannot be booked .*\n- Collaboration rule: Vesicles: "
            r"Non-disclosure Agreement “NDA 2026” is not signed yet",
        ):
            self.booking(collaboration)
        nda.with_user(self.manager_spirit).action_sign()
        booking = self.booking(collaboration)
        self.assertEqual(booking.collaboration_id, collaboration)
        self.assertIn(booking, collaboration.booking_ids)

    def test_confirmation_checks_again(self):
        self.spirit.booking_policy_id = self.env["facility.booking.policy"].create(
            {"name": "Confirm by hand", "auto_confirm": False}
        )
        collaboration = self.collaboration(name="Vesicles")
        agreement = self.agreement(collaboration)
        booking = self.booking(collaboration)
        self.assertEqual(booking.state, "requested")
        agreement.with_user(self.manager_spirit).action_reset_draft()
        with self.assertRaisesRegex(ValidationError, "Vesicles: Collaboration Agreement"):
            booking.with_user(self.manager_spirit).action_confirm()

    def test_collaboration_of_another_group_refused(self):
        collaboration = self.collaboration(group=self.group_b, name="Other")
        self.agreement(collaboration)
        with self.assertRaisesRegex(ValidationError, "Other is a collaboration of Group B"):
            self.booking(collaboration)

    def test_bookings_without_collaboration_unaffected(self):
        booking = self.booking(self.Collaboration)
        self.assertFalse(booking.collaboration_id)
