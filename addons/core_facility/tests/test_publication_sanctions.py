"""A missing acknowledgement, on the staff's decision (附件3 五, 附件4): a violation, instrument use
refused to the group or its unit for 6 months to 2 years, technical-service applications for 1 to
2 years; the second malicious case blacklists the group and marks its unit of poor integrity."""

from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .publication_common import PublicationCase

NO_ACK = (
    "Acknowledgements. We thank the cryo-EM facility of another university.",
    "This work was supported by the National Natural Science Foundation of China.",
)


@tagged("post_install", "-at_install")
@freeze_time("2025-03-15 02:00:00")
class TestPublicationMissingAcknowledgement(PublicationCase):
    def missing_paper(self, title="Cryo-EM of a transporter", user=None, **values):
        paper = self.paper(
            user=user,
            name=title,
            pdf_file=self.pdf_en(*NO_ACK),
            pdf_filename="paper.pdf",
            **values,
        )
        self.assertEqual(paper.ack_state, "missing")
        return paper

    def record(self, paper, malicious=False, use=6, service=12, scope="group", user=None):
        """The staff's decision through the wizard, as the Spirit's manager."""
        user = user or self.manager_spirit
        action = paper.with_user(user).action_record_missing()
        wizards = self.env[action["res_model"]].with_user(user)
        wizard = Form(wizards.with_context(**action["context"]))
        wizard.malicious = malicious
        wizard.scope = scope
        wizard.use_refusal_months = use
        wizard.service_refusal_months = service
        wizard.reason = "Data of the CBI's Titan shown in Fig. 2."
        wizard.save().action_apply()
        return paper

    def test_a_recorded_missing_acknowledgement_is_a_violation_with_two_sanctions(self):
        paper = self.record(self.missing_paper(), use=8, service=18)
        self.assertEqual(paper.state, "missing_recorded")
        self.assertFalse(paper.malicious)
        self.assertEqual(paper.decided_by_id, self.manager_spirit)
        violation = paper.violation_id
        self.assertEqual(violation.research_group_id, self.group_a)
        self.assertEqual(violation.user_id, self.student_a1)
        self.assertEqual(violation.source, "acknowledgement")
        self.assertEqual(violation.source_key, f"publication:{paper.id}")
        use = paper.sudo().sanction_ids.filtered(lambda s: s.kind == "use_refusal")
        service = paper.sudo().sanction_ids.filtered(lambda s: s.kind == "service_refusal")
        self.assertEqual(len(paper.sudo().sanction_ids), 2)
        # from 15 March 2025 (00:00 in Shanghai) for 8 and 18 months
        self.assertEqual(use.date_from, datetime(2025, 3, 14, 16, 0))
        self.assertEqual(use.date_to, datetime(2025, 11, 14, 16, 0))
        self.assertEqual(service.date_to, datetime(2026, 9, 14, 16, 0))
        self.assertEqual((use | service).research_group_id, self.group_a)
        self.assertFalse((use | service).unit_id)
        self.assertEqual(use.violation_ids, violation)
        # a single case, even malicious, does not blacklist
        self.assertEqual(self.group_a.state, "active")
        self.assertFalse(self.research_unit.poor_integrity)
        with self.assertRaisesRegex(UserError, "already decided"):
            paper.with_user(self.manager_spirit).action_record_missing()

    def test_the_use_refusal_may_cover_the_whole_unit(self):
        paper = self.record(self.missing_paper(), scope="unit", use=24, service=24)
        self.assertEqual(paper.sudo().sanction_ids.unit_id, self.research_unit)

    def test_a_group_without_unit_cannot_be_refused_as_a_unit(self):
        paper = self.missing_paper(user=self.student_b1, research_group_id=self.group_b.id)
        paper = paper.with_user(self.manager_spirit)  # group B belongs to no unit
        with self.assertRaisesRegex(UserError, "belongs to no unit"):
            paper.record_missing_acknowledgement(False, 6, 12, scope="unit")

    def test_sanction_periods_within_their_bounds(self):
        paper = self.missing_paper().with_user(self.manager_spirit)
        with self.assertRaisesRegex(UserError, "refused for 6 to 24 months; 5 months given"):
            paper.record_missing_acknowledgement(False, 5, 12)
        with self.assertRaisesRegex(UserError, "refused for 6 to 24 months; 25 months given"):
            paper.record_missing_acknowledgement(False, 25, 12)
        with self.assertRaisesRegex(UserError, "refused for 12 to 24 months; 11 months given"):
            paper.record_missing_acknowledgement(False, 6, 11)
        with self.assertRaisesRegex(UserError, "refused for 12 to 24 months; 25 months given"):
            paper.record_missing_acknowledgement(False, 24, 25)
        self.assertEqual(paper.state, "registered")
        self.assertFalse(
            self.env["facility.sanction"].search([("research_group_id", "=", self.group_a.id)])
        )

    def test_only_staff_record_it(self):
        paper = self.missing_paper()
        for user in (self.student_a1, self.pi_a):
            with self.assertRaisesRegex(UserError, "the facility's staff"):
                paper.with_user(user).record_missing_acknowledgement(True, 6, 12)

    def test_two_malicious_cases_blacklist_the_group_and_refuse_its_bookings(self):
        """Acceptance: a paper PDF without the acknowledgement is detected; recorded twice as
        malicious, it blacklists the group and every booking by its members is refused."""
        first = self.record(self.missing_paper("Paper one"), malicious=True)
        self.assertTrue(first.malicious)
        self.assertEqual(self.group_a.state, "active")
        second = self.record(self.missing_paper("Paper two", user=self.student_a2), malicious=True)
        self.assertEqual(self.group_a.state, "blacklisted")
        self.assertIn("Paper one", self.group_a.state_reason)
        self.assertFalse(self.group_a.state_date_to)
        self.assertTrue(self.research_unit.poor_integrity)
        blacklist = second.sudo().sanction_ids.filtered(lambda s: s.kind == "blacklist")
        self.assertEqual(blacklist.violation_ids, first.violation_id | second.violation_id)
        self.assertFalse(blacklist.unit_id, "the group is blacklisted, not its whole unit")
        # every member's booking is refused
        self.grant(self.student_a1, self.spirit, self.primary)
        self.grant(self.student_a1, self.spirit, self.intermediate)
        with self.assertRaisesRegex(UserError, "Group A is Blacklisted: 2 publications malicious"):
            self.env["facility.booking"].with_user(self.student_a1).create(
                {
                    "instrument_id": self.spirit.id,
                    "operator_id": self.student_a1.id,
                    "research_group_id": self.group_a.id,
                    "purpose": "Screening",
                    "date_start": datetime(2025, 3, 20, 2, 0),
                    "date_stop": datetime(2025, 3, 20, 4, 0),
                }
            )

    def test_malicious_and_non_malicious_cases_count_apart(self):
        self.record(self.missing_paper("Paper one"), malicious=True)
        self.record(self.missing_paper("Paper two"), malicious=False)
        self.assertEqual(self.group_a.state, "active")
        self.assertFalse(self.research_unit.poor_integrity)

    def test_the_decision_cannot_be_forged(self):
        paper = self.missing_paper()
        with self.assertRaisesRegex(UserError, "change only through its actions"):
            paper.with_user(self.director).write({"malicious": True})
        with self.assertRaisesRegex(UserError, "change only through its actions"):
            paper.with_user(self.director).write({"state": "missing_recorded"})
