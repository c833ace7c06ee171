from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .service_common import ServiceCase


@tagged("post_install", "-at_install")
class TestComplaint(ServiceCase):
    """A user objects to a result (seed 000, 第三章 第二条 6): the group leader, the director and
    the chief expert follow it and answer by the deadline."""

    def complain(self, user=None, order=None):
        user = user or self.student_a1
        order = order if order is not None else self.order
        return (
            self.env["facility.complaint"]
            .with_user(user)
            .create(
                {
                    "order_id": order.id,
                    "description": "切片太厚，无法做断层成像。",
                }
            )
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls.open_order()

    def test_a_complaint_goes_to_leader_director_and_chief_expert(self):
        with freeze_time("2026-03-02 02:00:00"):
            complaint = self.complain()
        recipients = self.leader | self.director | self.chief_expert
        self.assertEqual(
            complaint.leader_id | complaint.director_id | complaint.chief_expert_id, recipients
        )
        self.assertLessEqual(
            recipients.partner_id, complaint.sudo().message_partner_ids, "they follow it"
        )
        self.assertEqual(complaint.sudo().activity_ids.user_id, recipients)
        self.assertEqual(complaint.date_deadline, date(2026, 3, 9))
        self.assertEqual(complaint.research_group_id, self.group_a)
        self.assertTrue(complaint.name.startswith("CPL/"))

    def test_the_complainant_does_not_choose_who_answers(self):
        """A facility user cannot make himself the recipient of his own complaint, then answer
        and close it."""
        me = self.student_a1
        complaint = (
            self.env["facility.complaint"]
            .with_user(me)
            .create(
                {
                    "order_id": self.order.id,
                    "description": "切片太厚。",
                    "leader_id": me.id,
                    "director_id": me.id,
                    "chief_expert_id": me.id,
                    "research_group_id": self.group_b.id,
                }
            )
        )
        self.assertEqual(complaint.leader_id, self.leader)
        self.assertEqual(complaint.director_id, self.director)
        self.assertEqual(complaint.chief_expert_id, self.chief_expert)
        self.assertEqual(complaint.research_group_id, self.group_a)
        self.assertFalse(complaint.is_recipient)
        for name in ("leader_id", "director_id", "chief_expert_id"):
            with self.assertRaisesRegex(UserError, "not yours to change"):
                complaint.write({name: me.id})
        with self.assertRaisesRegex(UserError, "not yours to change"):
            complaint.write({"answer": "<p>已处理。</p>"})
        with self.assertRaisesRegex(UserError, "answered by the group leader"):
            complaint.action_answer()
        # the facility manager chooses another recipient
        complaint.with_user(self.director).write({"chief_expert_id": self.pi_b.id})
        self.assertEqual(complaint.chief_expert_id, self.pi_b)

    def test_answer_deadline_is_configurable(self):
        self.env["ir.config_parameter"].sudo().set_param("core_facility.complaint_answer_days", 3)
        with freeze_time("2026-03-02 02:00:00"):
            self.assertEqual(self.complain().date_deadline, date(2026, 3, 5))

    def test_overdue_once_the_deadline_passed_unanswered(self):
        with freeze_time("2026-03-02 02:00:00"):
            complaint = self.complain()
        Complaint = self.env["facility.complaint"]
        with freeze_time("2026-03-09 02:00:00"):
            complaint.invalidate_recordset(["is_overdue"])
            self.assertFalse(complaint.is_overdue)
        with freeze_time("2026-03-10 02:00:00"):
            complaint.invalidate_recordset(["is_overdue"])
            self.assertTrue(complaint.is_overdue)
            self.assertIn(complaint, Complaint.search([("is_overdue", "=", True)]))
            self.assertNotIn(complaint, Complaint.search([("is_overdue", "!=", True)]))

    def test_answered_by_a_recipient_and_closed(self):
        complaint = self.complain()
        with self.assertRaisesRegex(UserError, "not yours to change"):
            complaint.with_user(self.student_a1).write({"answer": "<p>Self-answered</p>"})
        with self.assertRaisesRegex(UserError, "answered by the group leader"):
            complaint.with_user(self.student_a1).action_answer()
        expert = complaint.with_user(self.chief_expert)
        with self.assertRaisesRegex(UserError, "write the answer"):
            expert.action_answer()
        expert.answer = "<p>重新切片（50 nm），下周交付。</p>"
        expert.action_answer()
        self.assertEqual(complaint.state, "answered")
        self.assertEqual(complaint.answered_by_id, self.chief_expert)
        self.assertFalse(complaint.sudo().activity_ids, "the answer activities are done")
        with self.assertRaises(UserError):
            complaint.with_user(self.student_a1).write({"description": "Changed after the answer"})
        with self.assertRaises(UserError):
            complaint.with_user(self.pi_b).action_close()
        complaint.with_user(self.student_a1).action_close()
        self.assertEqual(complaint.state, "closed")

    def test_state_and_answer_fields_only_through_actions(self):
        complaint = self.complain()
        for field, value in (("state", "closed"), ("answered_by_id", self.director.id)):
            with self.subTest(field=field), self.assertRaises(UserError):
                complaint.with_user(self.director).write({field: value})

    def test_only_the_group_complains_about_its_order(self):
        with self.assertRaisesRegex(UserError, "not a service of your research group"):
            self.complain(self.student_b1)
        with self.assertRaises(UserError):  # the complainant in person
            self.env["facility.complaint"].with_user(self.student_a1).create(
                {
                    "order_id": self.order.id,
                    "complainant_id": self.student_a2.id,
                    "description": "On behalf",
                }
            )
        self.assertTrue(self.complain(self.pi_a))

    def test_who_sees_a_complaint(self):
        complaint = self.complain()
        Complaint = self.env["facility.complaint"]
        for user in (self.student_a1, self.pi_a, self.leader, self.director, self.chief_expert):
            with self.subTest(user=user.login):
                self.assertIn(complaint, Complaint.with_user(user).search([]))
        for user in (self.student_a2, self.student_b1, self.manager_spirit, self.finance):
            with self.subTest(user=user.login):
                self.assertNotIn(complaint, Complaint.with_user(user).search([]))
