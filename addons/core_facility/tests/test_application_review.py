from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .test_application_common import FRIDAY, WEDNESDAY, ApplicationCase

CRON = "facility.review.batch"


@tagged("post_install", "-at_install")
class TestApplicationReview(ApplicationCase):
    """A week of the expert committee (seed 000 第三章 第二条 2, 7)."""

    def meet(self, moment=FRIDAY):
        with freeze_time(moment):
            self.env[CRON]._cron_committee()

    # -- submission and batches -----------------------------------------------------------------

    def test_submission_goes_into_the_week_batch_at_the_cutoff_edges(self):
        with freeze_time(WEDNESDAY):
            first = self.submitted()
        self.assertEqual(first.state, "submitted")
        self.assertRegex(first.name, r"^APP/2026/\d{4}$")
        batch = first.batch_id
        self.assertEqual(batch.meeting_date, date(2026, 2, 20))
        self.assertEqual(batch.deadline, date(2026, 2, 27))
        self.assertEqual(batch.chair_id, self.chair)
        self.assertEqual(batch.reviewer_ids, self.reviewer_x | self.reviewer_y | self.pi_a)
        # Thursday 23:59 in Shanghai: still this week's batch
        with freeze_time("2026-02-19 15:59:00"):
            self.assertEqual(self.submitted(self.student_b1).batch_id, batch)
        # Friday 00:00 in Shanghai: next week's
        with freeze_time("2026-02-19 16:00:00"):
            later = self.submitted(self.student_a2)
        self.assertEqual(later.batch_id.meeting_date, date(2026, 2, 27))
        self.assertEqual(later.batch_id.deadline, date(2026, 3, 6))
        self.assertEqual(self.env[CRON].search_count([("meeting_date", "=", "2026-02-20")]), 1)

    @freeze_time(WEDNESDAY)
    def test_submission_checks_the_kind_fields_and_the_author(self):
        service = self.application(kind="service", sample_source=False, techniques="")
        with self.assertRaisesRegex(
            UserError, r"Entrusted Service application rule: fill in Sample Source, Techniques"
        ):
            service.action_submit()
        special = self.application(special_request="rush")
        with self.assertRaisesRegex(UserError, "Expected Result, Experimental Risk"):
            special.action_submit()
        spirit = self.application()
        spirit.line_ids.sudo().instrument_id = self.spirit
        with self.assertRaisesRegex(UserError, "Test Spirit need no committee allocation"):
            spirit.action_submit()
        consultation = self.application(kind="consultation", question="")
        with self.assertRaisesRegex(UserError, "fill in Question"):
            consultation.action_submit()
        # another member of the group neither sees nor submits it; the PI submits it
        draft = self.application()
        with self.assertRaises(AccessError):
            draft.with_user(self.student_a2).action_submit()
        draft.with_user(self.pi_a).action_submit()
        self.assertEqual(draft.state, "submitted")
        # what was submitted is no longer edited
        with self.assertRaisesRegex(UserError, "while the application is a draft"):
            draft.title = "Changed"
        with self.assertRaisesRegex(UserError, "change only through its actions"):
            draft.write({"state": "approved"})
        with self.assertRaisesRegex(UserError, "hours asked .* while the application is a draft"):
            draft.line_ids.hours_requested = 400
        with self.assertRaisesRegex(UserError, "change only through its actions"):
            draft.line_ids.write({"hours_granted": 400})

    # -- review ---------------------------------------------------------------------------------

    def test_reviewers_see_and_vote_on_exactly_their_batch(self):
        with freeze_time(WEDNESDAY):
            own = self.submitted()  # group A: PI A sits on the committee
            other = self.submitted(self.student_b1)
        with freeze_time("2026-02-20 02:00:00"):  # Friday 10:00: next week's batch
            next_week = self.submitted(self.student_b1)
        self.meet()
        self.assertEqual(own.batch_id.state, "in_review")
        self.assertEqual((own | other).mapped("state"), ["in_review", "in_review"])
        self.assertEqual(next_week.state, "submitted")
        mine = (own | other | next_week).ids
        Application = self.env["facility.application"]
        for reviewer in (self.reviewer_x, self.reviewer_y):
            self.assertEqual(
                Application.with_user(reviewer).search([("id", "in", mine)]), own | other
            )
            self.assertEqual(
                Application.with_user(reviewer).search([("is_my_review", "=", True)]),
                own | other,
            )
        # PI A reviews group B's application, not his own group's: no review, refused with a reason
        self.assertEqual(own.sudo().review_ids.reviewer_id, self.reviewer_x | self.reviewer_y)
        self.assertEqual(
            other.sudo().review_ids.reviewer_id, self.reviewer_x | self.reviewer_y | self.pi_a
        )
        with self.assertRaisesRegex(
            UserError,
            r"is an application of your own research group Group A: conflict of interest",
        ):
            own.with_user(self.pi_a).action_open_review()
        with self.assertRaisesRegex(ValidationError, "conflict of interest"):
            self.env["facility.application.review"].create(
                {"application_id": own.id, "reviewer_id": self.pi_a.id}
            )
        self.assertFalse(
            self.env["facility.application.review"]
            .with_user(self.pi_a)
            .search([("application_id", "=", own.id)])
        )
        # activities on the reviews (not the application), due on the batch's answer date
        self.assertFalse(own.sudo().activity_ids)
        activities = own.sudo().review_ids.activity_ids
        self.assertEqual(activities.user_id, self.reviewer_x | self.reviewer_y)
        self.assertEqual(set(activities.mapped("date_deadline")), {date(2026, 2, 27)})
        # votes: an opinion to reject; one's own review only
        with self.assertRaisesRegex(ValidationError, "Review rule: a vote to Reject"):
            self.vote(own, self.reviewer_x, "reject")
        self.vote(own, self.reviewer_x, "approve_changes", "Screen the grids on Talos first.")
        self.vote(own, self.reviewer_y, "approve")
        self.assertEqual(own.sudo().review_ids.activity_ids, self.env["mail.activity"])
        with self.assertRaises(AccessError):
            self.review_of(own, self.reviewer_y).with_user(self.reviewer_x).vote = "reject"
        action = other.with_user(self.pi_a).action_open_review()
        self.assertEqual(action["res_id"], self.review_of(other, self.pi_a).id)
        counts = own.with_user(self.chair)
        self.assertEqual(
            (counts.vote_approve_count, counts.vote_changes_count, counts.vote_reject_count),
            (1, 1, 0),
        )
        # the applicant sees the decision, not the reviews
        with self.assertRaises(AccessError):
            own.with_user(self.student_a1).read(["review_ids"])
        with self.assertRaises(AccessError):
            self.review_of(own, self.reviewer_x).with_user(self.student_a1).read(["vote"])
        # applicants of other groups see nothing
        self.assertFalse(
            Application.with_user(self.student_a1).search([("id", "in", (other | next_week).ids)])
        )
        self.assertEqual(
            Application.with_user(self.pi_b).search([("id", "in", mine)]), other | next_week
        )

    def test_decision_by_the_chair_after_votes_and_special_clearance(self):
        with freeze_time(WEDNESDAY):
            application = self.submitted(
                special_request="rush",
                experimental_risk="The sample may aggregate on the grid.",
                expected_result="A 4 Å map at best",
            )
        self.meet()
        with self.assertRaisesRegex(UserError, "recorded by the committee's chair t_chair"):
            application.with_user(self.reviewer_x).action_decide()
        with self.assertRaisesRegex(UserError, r"No reviewer has voted .* 0 of 2 reviews"):
            application.with_user(self.chair).action_decide()
        self.vote(application, self.reviewer_x, "approve")
        with self.assertRaisesRegex(UserError, r"Special request rule: .* \(Rush\)"):
            application.with_user(self.chair).action_decide()
        with self.assertRaisesRegex(UserError, "write Experts' Discussion"):
            application.with_user(self.chair).action_clear_special()
        with self.assertRaisesRegex(UserError, "cleared by the director"):
            application.with_user(self.reviewer_x).action_clear_special()
        application.with_user(self.chair).special_discussion = "Discussed on Friday: accepted."
        application.with_user(self.chair).action_clear_special()
        self.assertEqual(application.special_cleared_user_id, self.chair)
        self.assertFalse(application.with_user(self.chair).is_author)
        self.assertTrue(application.with_user(self.pi_a).is_author)
        action = application.with_user(self.chair).action_decide()
        self.assertEqual(action["res_model"], "facility.application.decision.wizard")
        self.decide(application, hours=30)
        self.assertEqual(application.state, "approved")
        self.assertEqual(application.decision_user_id, self.chair)
        self.assertEqual(application.hours_granted, 30)
        self.assertEqual(application.batch_id.state, "done")
        self.assertFalse(application.sudo().activity_ids)
        self.assertFalse(application.sudo().review_ids.activity_ids)
        with self.assertRaisesRegex(UserError, "Reviews are recorded while the application"):
            self.vote(application, self.reviewer_y, "reject", "Too late")
        application.with_user(self.student_a1).action_close()
        self.assertEqual(application.state, "closed")

    def test_director_clears_a_special_request_and_decides(self):
        with freeze_time(WEDNESDAY):
            application = self.submitted(
                special_request="refused_sample",
                experimental_risk="Refused twice for ice thickness",
                expected_result="Maybe 2D classes",
            )
        self.meet()
        self.vote(application, self.reviewer_y, "reject", "The ice is too thick.")
        application.with_user(self.director).action_clear_special()
        self.decide(application, user=self.director, approve=False)
        self.assertEqual(application.state, "rejected")
        self.assertFalse(application.line_ids.allocation_id)

    def test_pool_refusal_propagates_and_nothing_is_granted(self):
        with freeze_time(WEDNESDAY):
            application = self.submitted()
        self.meet()
        self.vote(application, self.reviewer_x, "approve")
        Instrument = type(self.env["facility.instrument"])
        refusal = ValidationError("Pool rule: external groups have 10 h left of 15 %.")
        with (
            patch.object(Instrument, "_check_allocation_pools", side_effect=refusal),
            self.assertRaisesRegex(ValidationError, "10 h left"),
        ):
            self.decide(application)
        self.assertEqual(application.state, "in_review")
        self.assertFalse(application.line_ids.allocation_id)

    def test_service_and_collaboration_approvals(self):
        with freeze_time(WEDNESDAY):
            service = self.submitted(kind="service")
            collaboration = self.submitted(kind="collaboration")
        self.meet()
        for application in (service, collaboration):
            self.vote(application, self.reviewer_x, "approve")
            self.decide(application)
        order = self.env["facility.service.order"].search([("application_id", "=", service.id)])
        self.assertEqual(order.research_group_id, self.group_a)
        self.assertTrue(
            self.env["facility.collaboration"].search([("application_id", "=", collaboration.id)])
        )

    def test_withdraw_and_consultation(self):
        with freeze_time(WEDNESDAY):
            application = self.submitted()
            application.with_user(self.student_a1).action_withdraw()
            self.assertEqual(application.state, "withdrawn")
            with self.assertRaisesRegex(UserError, "withdrawn before the decision"):
                application.with_user(self.student_a1).action_withdraw()
            consultation = self.application(kind="consultation", instrument_id=self.talos.id)
            consultation.action_submit()
        self.assertFalse(consultation.batch_id)
        self.assertEqual(consultation.sudo().activity_ids.user_id, self.manager_t20)
        staff = consultation.with_user(self.manager_t20)
        self.assertEqual(
            staff.search(
                [("kind", "=", "consultation"), ("applicant_id", "=", self.student_a1.id)]
            ),
            consultation,
        )
        with self.assertRaisesRegex(UserError, "Write the answer"):
            staff.action_answer()
        with self.assertRaisesRegex(UserError, "written by the facility's staff"):
            consultation.with_user(self.student_a1).answer = "<p>Myself</p>"
        staff.answer = "<p>Quantifoil R2/1 gold grids.</p>"
        staff.action_answer()
        self.assertEqual(consultation.state, "closed")
        self.assertEqual(consultation.answer_user_id, self.manager_t20)
        self.assertIn("Quantifoil", consultation.message_ids[0].body)

    # -- overdue --------------------------------------------------------------------------------

    def test_overdue_flag_and_one_reminder(self):
        with freeze_time(WEDNESDAY):
            application = self.submitted()
        self.meet()
        self.vote(application, self.reviewer_x, "approve")
        with freeze_time("2026-02-27 08:00:00"):  # the answer date: not overdue yet
            application.invalidate_recordset()
            self.assertFalse(application.is_overdue)
            self.assertEqual(application.deadline_color, 2)
        with freeze_time("2026-02-28 01:00:00"):
            application.invalidate_recordset()
            self.assertTrue(application.is_overdue)
            self.assertEqual(application.deadline_color, 1)
            Application = self.env["facility.application"].with_user(self.reviewer_y)
            self.assertEqual(Application.search([("is_overdue", "=", True)]), application)
            self.assertEqual(
                Application.search([("is_overdue", "=", False), ("id", "=", application.id)]),
                Application,
            )
            reviews = application.sudo().review_ids
            before = self.env["mail.message"].search_count(
                [("model", "=", "facility.application"), ("res_id", "=", application.id)]
            )
            self.env[CRON]._cron_committee()
            self.env[CRON]._cron_committee()
            # the reminder is on the reviewer's review, not in the application's chatter
            reminders = self.env["mail.message"].search(
                [
                    ("model", "=", "facility.application.review"),
                    ("res_id", "in", reviews.ids),
                    ("subject", "like", "Review overdue"),
                ]
            )
            self.assertEqual(reminders.partner_ids, self.reviewer_y.partner_id)
            self.assertEqual(reminders.res_id, self.review_of(application, self.reviewer_y).id)
            self.assertEqual(len(reminders), 1)
            self.assertEqual(
                self.env["mail.message"].search_count(
                    [("model", "=", "facility.application"), ("res_id", "=", application.id)]
                ),
                before,
            )
            self.assertTrue(self.review_of(application, self.reviewer_y).reminded_date)
            self.assertFalse(self.review_of(application, self.reviewer_x).reminded_date)

    def test_this_friday_filter(self):
        with freeze_time(WEDNESDAY):
            this_week = self.submitted()
            next_week = self.submitted(self.student_b1)
            next_week.sudo()._write_guarded(
                {
                    "batch_id": self.env[CRON]
                    ._for_submission(
                        self.env["facility.application"]
                        ._fields["submit_date"]
                        .to_datetime("2026-02-21 00:00:00"),
                        self.company,
                    )
                    .id
                }
            )
            found = self.env["facility.application"].search([("is_this_week", "=", True)])
            self.assertIn(this_week, found)
            self.assertNotIn(next_week, found)

    # -- kanban ---------------------------------------------------------------------------------

    def test_kanban_shows_every_stage_and_folds_the_finished(self):
        with freeze_time(WEDNESDAY):
            application = self.submitted()
        result = (
            self.env["facility.application"]
            .with_user(self.director)
            .web_read_group([("id", "=", application.id)], ["state"], ["state"])
        )
        groups = {group["state"]: group for group in result["groups"]}
        self.assertEqual(
            list(groups),
            ["draft", "submitted", "in_review", "approved", "rejected", "withdrawn", "closed"],
        )
        folded = [state for state, group in groups.items() if group["__fold"]]
        self.assertEqual(folded, ["rejected", "withdrawn", "closed"])
        self.assertEqual(groups["submitted"]["state_count"], 1)

    def test_views_by_role(self):
        """Every view opens for each role; votes and reviews are not shown to applicants."""
        with freeze_time(WEDNESDAY):
            self.submitted()
        self.meet()
        modes = [(False, m) for m in ("kanban", "list", "form", "calendar", "search")]
        roles = (self.student_a1, self.pi_a, self.reviewer_x, self.chair, self.manager_t20)
        for user in (*roles, self.director):
            with self.subTest(user=user.login):
                Application = self.env["facility.application"].with_user(user)
                views = Application.get_views(modes)
                names = views["models"]["facility.application"]["fields"]
                Application.search([], limit=5).read(list(names))
                reviewer = user.has_group("core_facility.group_facility_reviewer")
                self.assertEqual("vote_approve_count" in names, reviewer)
                self.assertEqual("review_ids" in names, reviewer)
                if reviewer:
                    for model in ("facility.review.batch", "facility.application.review"):
                        records = self.env[model].with_user(user)
                        views = records.get_views([(False, "list"), (False, "form")])
                        records.search([], limit=5).read(list(views["models"][model]["fields"]))
