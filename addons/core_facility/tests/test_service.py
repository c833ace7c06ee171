import io
from datetime import date, datetime

from freezegun import freeze_time
from PyPDF2 import PdfReader

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .service_common import ServiceCase

ARCHIVE = "core_facility.action_report_facility_service_archive"
LABEL = "core_facility.action_report_facility_service_sample_label"


@tagged("post_install", "-at_install")
class TestServiceFlow(ServiceCase):
    """Each step of the seed's flows: who records it, and only when it comes next."""

    def test_staff_open_an_order_registered_with_its_step(self):
        order = self.open_order()
        self.assertEqual(order.state, "registered")
        self.assertEqual(self.steps(order), [("registered", self.leader)])
        self.assertTrue(order.name.startswith("SRV/"))
        self.assertEqual(order.user_id, self.leader, "the group leader is responsible by default")

    def test_users_and_unrelated_staff_cannot_open_an_order(self):
        for user in (self.student_a1, self.pi_a, self.manager_spirit):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                self.open_order(staff=user)  # manager_spirit: not staff of the prep type
        self.assertTrue(self.open_order(staff=self.manager_t20))
        self.assertTrue(self.open_order(staff=self.director))

    def test_who_records_a_step(self):
        order = self.open_order()
        for user in (self.student_a1, self.pi_a, self.manager_spirit, self.finance):
            with (
                self.subTest(user=user.login),
                self.assertRaisesRegex(UserError, "^Service rule: Reviewed of SRV/"),
            ):
                order.with_user(user).action_review()
        order.with_user(self.manager_t20).action_review()  # the freezer's manager
        order.with_user(self.director).action_request_sample()  # the facility manager
        self.assertEqual(
            self.steps(order),
            [
                ("registered", self.leader),
                ("reviewed", self.manager_t20),
                ("sample_requested", self.director),
            ],
        )

    def test_only_the_next_step(self):
        order = self.open_order().with_user(self.leader)
        with self.assertRaisesRegex(
            UserError, "is at Registered; next comes Reviewed, not Sample Requested"
        ):
            order.action_request_sample()
        with self.assertRaisesRegex(UserError, "Service flow"):
            order.action_preparation_done()
        order.action_review()
        with self.assertRaisesRegex(UserError, "Service flow"):
            order.action_review()
        with self.assertRaisesRegex(UserError, "Service flow"):
            order.action_deliver()
        # the EM step does not exist in the preparation flow
        order.action_request_sample()
        with self.assertRaisesRegex(UserError, "Service flow"):
            order.action_imaging_done()

    def test_the_kanban_shows_the_steps_of_the_flow(self):
        self.open_order()
        Order = self.env["facility.service.order"].with_user(self.leader)
        groups = Order.read_group([("flow", "=", "prep")], ["state"], ["state"])
        self.assertEqual(
            [g["state"] for g in groups],
            [
                "registered",
                "reviewed",
                "sample_requested",
                "sample_received",
                "preparation",
                "delivered",
                "closed",
            ],
        )
        groups = Order.read_group([("flow", "=", "em")], ["state"], ["state"])
        self.assertIn("imaging", [g["state"] for g in groups])
        self.assertNotIn("booked", [g["state"] for g in groups])

    def test_the_state_never_changes_by_a_write(self):
        order = self.open_order()
        for user in (self.leader, self.director):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                order.with_user(user).write({"state": "closed"})
            with self.assertRaises(UserError):
                order.with_user(user).write({"escalated_date": fields.Datetime.now()})
        with self.assertRaises(UserError):
            self.env["facility.service.step"].with_user(self.director).create(
                {"order_id": order.id, "step": "closed"}
            )
        with self.assertRaises(UserError):
            order.sudo().step_ids.with_user(self.director).write({"user_id": self.pi_a.id})

    def test_sample_received_needs_every_sample_judged(self):
        order = self.to_sample_requested(self.open_order())
        with self.assertRaisesRegex(UserError, "judge each received sample first"):
            order.action_receive_sample()
        sample = self.add_sample(order)
        with self.assertRaisesRegex(UserError, sample.name):
            order.action_receive_sample()
        with self.assertRaisesRegex(UserError, "write why the sample is not qualified"):
            sample.with_user(self.leader).action_refuse()
        with self.assertRaisesRegex(UserError, "recorded and judged by the staff"):
            sample.with_user(self.student_a1).action_qualify()

    def test_a_sample_not_qualified_returns_to_sample_requested(self):
        # the first round and the second sample on the same morning (10:00 in Shanghai)
        with freeze_time("2026-03-02 02:00:00"):
            order = self.to_sample_requested(self.open_order())
            sample = self.add_sample(order, refuse_reason="Ice crystals: not vitrified")
            sample.with_user(self.manager_t20).action_refuse()
            order.action_receive_sample()
            self.assertEqual(order.state, "sample_requested")
            self.assertFalse(order.sample_qualified_date)
            self.assertFalse(order.date_deadline, "no commitment without a qualified sample")
            last = order.sudo().step_ids.sorted(lambda s: (s.date, s.id))[-2:]
            self.assertEqual(last.mapped("step"), ["sample_received", "sample_requested"])
            self.assertIn("Ice crystals", last[0].note)
            # a new round: the refused sample does not count again
            with self.assertRaisesRegex(UserError, "judge each received sample first"):
                order.action_receive_sample()
            arrived = datetime(2026, 3, 2, 2, 0)
            second = self.add_sample(order, received_date=arrived)
            second.with_user(self.leader).action_qualify()
            order.action_receive_sample()
            self.assertEqual(order.state, "sample_received")
            self.assertEqual(order.sample_qualified_date, arrived)
            self.assertEqual(order.date_deadline, date(2026, 3, 23))
            self.assertEqual(order.sample_count, 1)
            with self.assertRaisesRegex(UserError, "judged"):
                second.with_user(self.leader).write({"received_date": fields.Datetime.now()})

    def test_em_imaging_needs_instrument_time_booked(self):
        order = self.receive_qualified(self.open_order(self.em_type, staff=self.manager_spirit))
        order = order.with_user(self.manager_spirit)
        order.imaging_mode = "with_user"
        with self.assertRaisesRegex(UserError, "needs Instrument Time Booked first"):
            order.action_imaging_done()
        booking = self.booking_for(order)
        with self.assertRaises(UserError):
            order.with_user(self.student_a1).write({"booking_ids": [Command.link(booking.id)]})
        order.write({"booking_ids": [Command.link(booking.id)]})
        self.assertIn(("booked", self.manager_spirit), self.steps(order))
        self.assertEqual(order.state, "sample_received", "booking does not move the order")
        order.action_imaging_done()
        self.assertEqual(order.state, "imaging")
        self.assertEqual(order.commitment_done_date, order._today())

    def test_em_imaging_says_by_whom(self):
        order = self.receive_qualified(self.open_order(self.em_type, staff=self.manager_spirit))
        order.with_user(self.manager_spirit).write(
            {"booking_ids": [Command.link(self.booking_for(order).id)]}
        )
        with self.assertRaisesRegex(UserError, "by staff alone or with the user"):
            order.with_user(self.manager_spirit).action_imaging_done()

    def test_close_needs_a_complete_archive(self):
        order = self.receive_qualified(self.open_order())
        order.action_preparation_done()
        with self.assertRaisesRegex(UserError, "write the results"):
            order.action_deliver()
        order.results = "<p>Well-preserved membranes; 70 nm sections on slot grids.</p>"
        order.next_step_advice = "Tomography on the Talos."
        with self.assertRaisesRegex(UserError, "approved by the group leader"):
            order.with_user(self.manager_t20).action_approve_results()
        order.action_approve_results()
        with self.assertRaisesRegex(UserError, "signed off"):
            order.write({"results": "<p>Changed afterwards</p>"})
        order.action_deliver()
        with self.assertRaisesRegex(UserError, "Archive rule: .* missing: the PI's opinion"):
            order.action_close()
        with self.assertRaisesRegex(UserError, "only its PI"):
            order.write({"pi_opinion": "Fine"})
        with self.assertRaisesRegex(UserError, "signed off by the PI"):
            order.with_user(self.student_a1).action_pi_sign()
        pi_order = order.with_user(self.pi_a)
        with self.assertRaises(UserError):
            pi_order.write({"staff_hours": 1})
        pi_order.pi_opinion = "Results as expected; continue with tomography."
        pi_order.action_pi_sign()
        self.assertEqual(order.pi_signed_by_id, self.pi_a)
        order.action_close()
        self.assertEqual(order.state, "closed")
        with self.assertRaisesRegex(UserError, "billing"):
            order.write({"staff_hours": 12})

    def test_quantities_for_billing(self):
        order = self.receive_qualified(self.open_order())
        order.write(
            {
                "staff_hours": 6.5,
                "consumable_ids": [
                    Command.create({"name": "Slot grids", "quantity": 10, "unit": "pcs"}),
                    Command.create({"name": "Epon resin", "quantity": 20, "unit": "mL"}),
                ],
            }
        )
        self.assertEqual(order.sample_count, 1)
        self.assertEqual(order.staff_hours, 6.5)
        self.assertEqual(len(order.consumable_ids), 2)
        with self.assertRaisesRegex(UserError, "Consumables of"):
            self.env["facility.service.consumable"].with_user(self.manager_spirit).create(
                {"order_id": order.id, "name": "Knife", "quantity": 1}
            )

    def test_sample_labels_carry_a_qr_code_of_the_reference(self):
        order = self.to_sample_requested(self.open_order())
        samples = self.add_sample(order) | self.add_sample(order, description="Second block")
        Report = self.env["ir.actions.report"].with_user(self.leader)
        html, _kind = Report._render_qweb_html(LABEL, samples.ids)
        for sample in samples:
            self.assertIn(f'data-cf-sample="{sample.name}"'.encode(), html)
            self.assertTrue(sample.qr_code.startswith("data:image/png;base64,"))
            self.assertIn(sample.qr_code.encode(), html)
        pdf, _kind = Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            LABEL, samples.ids
        )
        self.assertEqual(len(PdfReader(io.BytesIO(pdf)).pages), 2, "one label per page")

    def test_cancel_from_an_open_step_and_only_unstarted_orders_are_deleted(self):
        order = self.to_sample_requested(self.open_order())
        with self.assertRaisesRegex(UserError, "cancel them instead"):
            order.with_user(self.director).unlink()
        order.action_cancel()
        self.assertEqual(order.state, "cancelled")
        with self.assertRaises(UserError):
            order.action_review()


@tagged("post_install", "-at_install")
class TestServiceCommitment(ServiceCase):
    """Deadlines per service type, the negotiated deadline, warnings and escalations."""

    def test_em_deadline_from_approval(self):
        with freeze_time("2026-03-02 02:00:00"):
            order = self.open_order(self.em_type, self.group_b, staff=self.manager_spirit)
            order.with_user(self.manager_spirit).action_review()
            self.assertEqual(order.date_deadline, date(2026, 3, 16))
            self.assertEqual(order.days_left, 14)
        # approved after 16:00 UTC: already the next day in Shanghai
        with freeze_time("2026-03-02 17:00:00"):
            other = self.open_order(self.em_type, self.group_b, staff=self.manager_spirit)
            other.with_user(self.manager_spirit).action_review()
            self.assertEqual(other.date_deadline, date(2026, 3, 17))

    def test_the_em_commitment_is_for_external_users_only(self):
        """Seed 000 第三章 第二条 3: 14 days for users outside the center; an internal group's EM
        order has no default deadline, is never late nor escalated."""
        staff = self.manager_spirit
        with freeze_time("2026-03-02 02:00:00"):
            internal = self.open_order(self.em_type, staff=staff)
            external = self.open_order(self.em_type, self.group_b, staff=staff)
            (internal | external).with_user(staff).action_review()
            self.assertTrue(internal.approval_date)
            self.assertFalse(internal.default_deadline)
            self.assertFalse(internal.date_deadline)
            self.assertEqual(external.date_deadline, date(2026, 3, 16))
        Order = self.env["facility.service.order"]
        with freeze_time("2026-03-14 02:00:00"):  # in the external order's warning window
            Order._cron_commitments()
            self.assertTrue(external.warned_date)
            self.assertFalse(internal.warned_date)
        with freeze_time("2026-04-20 02:00:00"):
            (internal | external).invalidate_recordset(["is_late", "days_left"])
            self.assertFalse(internal.is_late)
            self.assertTrue(external.is_late)
            late = Order.search([("is_late", "=", True), ("id", "in", (internal | external).ids)])
            self.assertEqual(late, external)
            Order._cron_commitments()
            self.assertFalse(internal.escalated_date)
            self.assertFalse(internal.activity_ids)
            self.assertTrue(external.escalated_date)

    def test_the_seed_types_say_whom_their_commitment_is_for(self):
        self.assertTrue(self.env.ref("core_facility.service_type_em").commitment_external_only)
        self.assertFalse(self.env.ref("core_facility.service_type_prep").commitment_external_only)

    def test_sample_preparation_commits_to_internal_groups_too(self):
        with freeze_time("2026-03-02 02:00:00"):
            internal = self.receive_qualified(self.open_order())
        self.assertEqual(internal.group_category, "internal")
        self.assertEqual(internal.date_deadline, date(2026, 3, 23))

    def test_negotiated_deadline_applies_once_the_director_signed(self):
        with freeze_time("2026-03-02 02:00:00"):
            order = self.receive_qualified(self.open_order())
            self.assertEqual(order.date_deadline, date(2026, 3, 23))
            order.write(
                {
                    "negotiated_deadline": "2026-04-30",
                    "negotiated_reason": "Tokuyasu immunolabelling of a rare tissue",
                }
            )
            self.assertEqual(order.date_deadline, date(2026, 3, 23))
            with self.assertRaisesRegex(UserError, "signed off by the director"):
                order.with_user(self.leader).action_approve_deadline()
            order.with_user(self.director).action_approve_deadline()
            self.assertEqual(order.date_deadline, date(2026, 4, 30))
            self.assertEqual(order.negotiated_approved_by_id, self.director)
            with self.assertRaisesRegex(UserError, "signed off"):
                order.write({"negotiated_deadline": "2026-06-30"})

    def test_late_22_days_after_a_qualified_sample_and_escalated_once(self):
        """Acceptance: a qualified sample arrived 22 days ago, preparation not finished: late,
        escalated to the group leader and the director, and the archive prints as one PDF."""
        with freeze_time("2026-03-02 02:00:00"):
            order = self.receive_qualified(self.open_order())
            order.protocol = "<p>高压冷冻，冷冻替代（锇酸-醋酸铀丙酮），Epon 包埋，超薄切片。</p>"
        Order = self.env["facility.service.order"]
        with freeze_time("2026-03-23 08:00:00"):  # day 21: the deadline day itself
            self.assertFalse(order.is_late)
            self.assertEqual(order.days_left, 0)
        with freeze_time("2026-03-24 02:00:00"):  # day 22
            order.invalidate_recordset(["is_late", "days_left"])
            self.assertTrue(order.is_late)
            self.assertEqual(order.days_left, -1)
            self.assertIn(order, Order.search([("is_late", "=", True)]))
            self.assertNotIn(order, Order.search([("is_late", "=", False)]))
            Order._cron_commitments()
            self.assertTrue(order.escalated_date)
            escalations = order.activity_ids.filtered(
                lambda a: (
                    a.activity_type_id
                    == self.env.ref("core_facility.mail_activity_service_escalation")
                )
            )
            self.assertEqual(escalations.user_id, self.leader | self.director)
            self.assertIn("Commitment broken", order.message_ids[0].body)
            self.assertIn("1 days late", order.message_ids[0].body)
            Order._cron_commitments()
            self.assertEqual(len(order.activity_ids), len(escalations), "escalated once")
            with self.assertRaises(UserError):
                order.with_user(self.director).write({"escalated_date": False})
            pdf, kind = (
                self.env["ir.actions.report"]
                .with_user(self.leader)
                .with_context(force_report_rendering=True)
                ._render_qweb_pdf(ARCHIVE, order.ids)
            )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertEqual(len(PdfReader(io.BytesIO(pdf)).pages), 1)

    def test_done_in_time_is_not_late(self):
        with freeze_time("2026-03-02 02:00:00"):
            order = self.receive_qualified(self.open_order())
        with freeze_time("2026-03-20 02:00:00"):
            order.action_preparation_done()
        with freeze_time("2026-05-01 02:00:00"):
            order.invalidate_recordset(["is_late"])
            self.assertFalse(order.is_late)
            self.env["facility.service.order"]._cron_commitments()
            self.assertFalse(order.escalated_date)

    def test_warned_before_the_deadline(self):
        with freeze_time("2026-03-02 02:00:00"):
            order = self.receive_qualified(self.open_order())
            order.user_id = self.manager_t20
        Order = self.env["facility.service.order"]
        warning = self.env.ref("core_facility.mail_activity_service_warning")
        with freeze_time("2026-03-19 02:00:00"):  # 4 days before
            Order._cron_commitments()
            self.assertFalse(order.warned_date)
        with freeze_time("2026-03-20 02:00:00"):  # 3 days before
            Order._cron_commitments()
            Order._cron_commitments()
        activity = order.activity_ids.filtered(lambda a: a.activity_type_id == warning)
        self.assertEqual(activity.user_id, self.manager_t20)
        self.assertEqual(activity.date_deadline, date(2026, 3, 23))
        self.assertEqual(order.warned_date, date(2026, 3, 20))

    def test_the_queue_puts_internal_groups_first(self):
        external = self.open_order(group=self.group_b)
        internal = self.open_order()
        self.assertEqual(internal.priority, "1")
        self.assertEqual(external.priority, "0")
        found = self.env["facility.service.order"].search([("id", "in", (external | internal).ids)])
        self.assertEqual(found.ids, [internal.id, external.id])


@tagged("post_install", "-at_install")
class TestServiceFromApplication(ServiceCase):
    """The committee's decision creates the order (the application module calls it)."""

    def application(self, group=None, applicant=None, service_type=None):
        group = group or self.group_b
        return (
            self.env["facility.application"]
            .sudo()
            .create(
                {
                    "kind": "service",
                    "title": "Cryo-EM of a membrane transporter",
                    "applicant_id": (applicant or self.student_b1).id,
                    "research_group_id": group.id,
                    "service_type_id": (service_type or self.em_type).id,
                    "state": "approved",
                    "submit_date": datetime(2026, 2, 25, 1, 0),
                    "decision_date": datetime(2026, 3, 6, 7, 0),
                    "decision_user_id": self.director.id,
                    "decision_note": "<p>同意。样品需先经负染筛选。</p>",
                }
            )
        )

    def test_registered_and_reviewed_from_the_application(self):
        application = self.application()
        order = self.env["facility.service.order"]._create_from_application(application)
        self.assertEqual(order.state, "reviewed")
        self.assertEqual(order.applicant_id, self.student_b1)
        self.assertEqual(order.research_group_id, self.group_b)
        steps = order.sudo().step_ids.sorted(lambda s: (s.date, s.id))
        self.assertEqual(
            [(s.step, s.user_id, s.date) for s in steps],
            [
                ("registered", self.student_b1, datetime(2026, 2, 25, 1, 0)),
                ("reviewed", self.director, datetime(2026, 3, 6, 7, 0)),
            ],
        )
        self.assertEqual(order.approval_date, datetime(2026, 3, 6, 7, 0))
        self.assertEqual(order.date_deadline, date(2026, 3, 20))
        self.assertIn("负染", order.expert_opinion)
        with self.assertRaisesRegex(UserError, "no longer change"):
            order.with_user(self.manager_spirit).write({"research_group_id": self.group_a.id})

    def test_only_service_applications(self):
        application = self.application()
        application.kind = "instrument_time"
        with self.assertRaisesRegex(UserError, "not a service application"):
            self.env["facility.service.order"]._create_from_application(application)

    def test_external_orders_beyond_the_capacity_are_refused_with_the_figures(self):
        Order = self.env["facility.service.order"]
        Order._create_from_application(self.application(service_type=self.prep_type))
        with self.assertRaisesRegex(
            UserError, "Workload rule: Test Sample Preparation accepts at most 1 .* has 1"
        ):
            Order._create_from_application(self.application(service_type=self.prep_type))
        # internal groups are not counted against it
        internal = self.application(self.group_a, self.student_a1, self.prep_type)
        self.assertTrue(Order._create_from_application(internal))


@tagged("post_install", "-at_install")
class TestServiceGuards(ServiceCase):
    """The workload rule for orders opened or moved by hand, and when a sample arrived."""

    def test_orders_opened_by_hand_keep_the_external_capacity(self):
        """The sample preparation accepts one open external order (its capacity)."""
        first = self.open_order(group=self.group_b)
        with self.assertRaisesRegex(
            ValidationError, "Workload rule: Test Sample Preparation accepts at most 1 .* has 1"
        ):
            self.open_order(group=self.group_b)
        # internal groups are not counted
        internal = self.open_order()
        # nor moved onto the external group, nor an external order onto the full type
        with self.assertRaisesRegex(ValidationError, "Workload rule"):
            internal.with_user(self.leader).write(
                {"research_group_id": self.group_b.id, "applicant_id": self.student_b1.id}
            )
        em = self.open_order(self.em_type, self.group_b)
        with self.assertRaisesRegex(ValidationError, "Workload rule"):
            em.with_user(self.leader).write({"service_type_id": self.prep_type.id})
        # a cancelled order frees its place
        first.with_user(self.leader).action_cancel()
        self.assertTrue(self.open_order(group=self.group_b))

    def test_two_external_orders_at_once_beyond_the_capacity(self):
        values = {
            "service_type_id": self.prep_type.id,
            "research_group_id": self.group_b.id,
            "applicant_id": self.student_b1.id,
        }
        with self.assertRaisesRegex(ValidationError, "at most 1 .* has 0"):
            self.env["facility.service.order"].with_user(self.leader).create([values, values])

    def test_a_sample_arrives_in_the_past_and_after_it_was_requested(self):
        with freeze_time("2026-03-02 02:00:00"):
            order = self.to_sample_requested(self.open_order())
        with freeze_time("2026-03-05 02:00:00"):
            with self.assertRaisesRegex(ValidationError, "in the future"):
                self.add_sample(order, received_date=datetime(2026, 3, 6, 2, 0))
            with self.assertRaisesRegex(ValidationError, "before .* asked for its sample"):
                self.add_sample(order, received_date=datetime(2026, 3, 1, 2, 0))
            sample = self.add_sample(order, received_date=datetime(2026, 3, 4, 2, 0))
            with self.assertRaisesRegex(ValidationError, "in the future"):
                sample.with_user(self.leader).write({"received_date": datetime(2026, 3, 20, 2, 0)})
            sample.with_user(self.leader).action_qualify()
            order.action_receive_sample()
        self.assertEqual(order.date_deadline, date(2026, 3, 25))
