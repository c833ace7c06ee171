"""What the applicant's side never learns of the committee's review: who voted what, who has not
voted yet, the tally of one's own group's application; and the fields the applicant cannot forge
(the batch's dates and the PI copied on the application, the experts' discussion, the answer)."""

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_application_common import FRIDAY, WEDNESDAY, ApplicationCase

REVIEW = "facility.application.review"
OPINION_X = "Screen the grids on Talos first."
OPINION_Y = "The ice is too thick to hope for 3 Å."
VOTES = ("vote_approve_count", "vote_changes_count", "vote_reject_count", "vote_missing_count")


@tagged("post_install", "-at_install")
class TestApplicationConfidential(ApplicationCase):
    """Group A's application is reviewed by X and Y; PI A sits on the committee and reviews
    group B's application, never his own group's."""

    def setUp(self):
        super().setUp()
        # the chatter as in production: tracked, followers subscribed
        context = dict(self.env.context)
        context.pop("tracking_disable", None)
        self.env = self.env(context=context)
        with freeze_time(WEDNESDAY):
            self.own = self.submitted()  # student A1, group A
            self.other = self.submitted(self.student_b1)  # group B: PI A reviews it
        with freeze_time(FRIDAY):
            self.env["facility.review.batch"]._cron_committee()
        self.assertEqual(self.own.state, "in_review")

    def seen_by(self, user, application):
        """The application's messages as ``user`` reads them: (body, subject, author) per
        message, plus its activities and followers."""
        record = application.with_user(user)
        messages = (
            self.env["mail.message"]
            .with_user(user)
            .search([("model", "=", application._name), ("res_id", "=", application.id)])
        )
        rows = messages.read(["body", "subject", "author_id"])
        for row, message in zip(rows, messages.sudo(), strict=True):
            row["tracked"] = message.tracking_value_ids.field_id.mapped("name")
        return rows, record.activity_ids, record.message_partner_ids

    def assert_nothing_of_the_votes(self, user, application):
        reviewers = self.reviewer_x | self.reviewer_y
        rows, activities, followers = self.seen_by(user, application)
        self.assertTrue(rows, "the user reads the application's chatter")
        for row in rows:
            text = f"{row['body']} {row['subject'] or ''}"
            self.assertNotIn(OPINION_X, text)
            self.assertNotIn(OPINION_Y, text)
            self.assertNotIn(row["author_id"] and row["author_id"][0], reviewers.partner_id.ids)
            self.assertNotIn("vote", row["tracked"])
        self.assertFalse(activities, "nobody's to-do shows who has not voted")
        self.assertFalse(followers & reviewers.partner_id, "reviewers do not follow it")

    # -- defect 1: opinions and votes stay on the reviews ------------------------------------------

    def test_the_application_chatter_shows_no_opinion_no_vote(self):
        # the reviewer's to-do: in his systray, on his review, from which he opens the application
        review_x = self.review_of(self.own, self.reviewer_x).with_user(self.reviewer_x)
        activity = (
            self.env["mail.activity"]
            .with_user(self.reviewer_x)
            .search([("user_id", "=", self.reviewer_x.id), ("res_id", "=", review_x.id)])
        )
        self.assertEqual(activity.res_model, REVIEW)
        groups = self.env["res.users"].with_user(self.reviewer_x)._get_activity_groups()
        self.assertIn(REVIEW, [group["model"] for group in groups])
        self.assertEqual(review_x.activity_ids, activity)
        action = review_x.action_open_application()
        self.assertEqual((action["res_model"], action["res_id"]), (self.own._name, self.own.id))
        self.assertEqual(
            self.own.with_user(self.reviewer_x).browse(action["res_id"]).title, self.own.title
        )
        # while in review, and after the votes and the decision
        for user in (self.student_a1, self.pi_a):
            self.assert_nothing_of_the_votes(user, self.own)
        self.vote(self.own, self.reviewer_x, "approve_changes", OPINION_X)
        self.vote(self.own, self.reviewer_y, "reject", OPINION_Y)
        self.assertFalse(review_x.activity_ids, "his to-do is done")
        self.decide(self.own, hours=30)
        self.assertEqual(self.own.state, "approved")
        on_reviews = [("model", "=", REVIEW), ("res_id", "in", self.own.sudo().review_ids.ids)]
        for user in (self.student_a1, self.pi_a):
            with self.subTest(user=user.login):
                self.assert_nothing_of_the_votes(user, self.own)
                self.assertFalse(self.env["mail.message"].with_user(user).search(on_reviews))
        # the reviewer keeps his opinion on his review
        self.assertEqual(review_x.opinion, OPINION_X)

    def test_overdue_reminder_is_on_the_review(self):
        with freeze_time("2026-02-28 01:00:00"):
            self.env["facility.review.batch"]._cron_committee()
        reviews = self.own.sudo().review_ids
        reminders = self.env["mail.message"].search(
            [
                ("model", "=", REVIEW),
                ("res_id", "in", reviews.ids),
                ("subject", "like", "Review overdue"),
            ]
        )
        self.assertEqual(len(reminders), 2)
        self.assertEqual(reminders.partner_ids, (self.reviewer_x | self.reviewer_y).partner_id)
        for user in (self.student_a1, self.pi_a):
            rows, _activities, _followers = self.seen_by(user, self.own)
            self.assertFalse([row for row in rows if "overdue" in (row["subject"] or "")])

    # -- defect 2: the tally of one's own group's application --------------------------------------

    def test_a_reviewer_sees_no_tally_of_his_own_group_application(self):
        self.vote(self.own, self.reviewer_x, "approve")
        self.vote(self.own, self.reviewer_y, "reject", OPINION_Y)
        self.vote(self.other, self.pi_a, "approve")
        # PI A (a reviewer) reads his group's application as its PI: no tally
        own = self.own.with_user(self.pi_a).read(list(VOTES))[0]
        self.assertEqual([own[name] for name in VOTES], [0, 0, 0, 0])
        self.assertFalse(self.own.with_user(self.pi_a).votes_visible, "the Reviews tab is hidden")
        # the other group's application he reviews: the tally
        other = self.other.with_user(self.pi_a).read(list(VOTES))[0]
        self.assertEqual([other[name] for name in VOTES], [1, 0, 0, 2])
        # the chair and the director see the tally of group A's application
        for user in (self.chair, self.director):
            counts = self.own.with_user(user).read(list(VOTES))[0]
            self.assertEqual([counts[name] for name in VOTES], [1, 0, 1, 0])

    def test_the_applicant_does_not_learn_who_reviews(self):
        """The committee's names are for the committee and the staff, not for the applicant."""
        with self.assertRaises(AccessError):
            self.own.with_user(self.student_a1).read(["reviewer_ids"])
        self.assertTrue(
            self.own.with_user(self.reviewer_x).read(["reviewer_ids"])[0]["reviewer_ids"]
        )

    # -- defect 3: stored related fields ----------------------------------------------------------

    def test_batch_dates_and_pi_are_not_written_on_the_application(self):
        with freeze_time("2026-02-28 01:00:00"):
            self.own.invalidate_recordset()
            self.assertTrue(self.own.is_overdue)
            for user in (self.student_a1, self.pi_a):
                for vals in (
                    {"deadline": "2026-12-31"},
                    {"meeting_date": "2026-12-25"},
                    {"pi_id": self.pi_b.id},
                ):
                    with (
                        self.subTest(user=user.login, vals=vals),
                        self.assertRaisesRegex(UserError, "change only through its actions"),
                    ):
                        self.own.with_user(user).write(vals)
            self.own.invalidate_recordset()
            self.assertTrue(self.own.is_overdue)
            self.assertEqual(self.own.pi_id, self.pi_a)
        # the ORM still recomputes them: the batch's answer date, the group of a draft
        self.own.batch_id.with_user(self.director).deadline = "2026-03-06"
        self.assertEqual(str(self.own.deadline), "2026-03-06")
        draft = self.application()
        draft.with_user(self.director).research_group_id = self.group_b
        self.assertEqual(draft.pi_id, self.pi_b)

    # -- defect 4: what the applicant cannot pre-fill ---------------------------------------------

    def test_discussion_and_answer_are_not_prefilled_at_creation(self):
        special = self.application(
            special_request="rush",
            experimental_risk="Aggregation",
            expected_result="4 Å",
            special_discussion="The experts agreed already.",
        )
        self.assertFalse(special.special_discussion)
        consultation = self.application(
            kind="consultation", answer="<p>Answered by myself: any grid.</p>"
        )
        self.assertFalse(consultation.answer)
        # the director may
        by_director = (
            self.env["facility.application"]
            .with_user(self.director)
            .create(
                {
                    "kind": "consultation",
                    "title": "Grids",
                    "question": "Which grids?",
                    "research_group_id": self.group_a.id,
                    "applicant_id": self.student_a1.id,
                    "special_discussion": "Noted at the meeting.",
                    "answer": "<p>Gold grids.</p>",
                }
            )
        )
        self.assertEqual(by_director.special_discussion, "Noted at the meeting.")
        self.assertIn("Gold grids", by_director.answer)
