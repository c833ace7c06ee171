"""The sanction ladder of seed 000 附件4, as data: each step exactly at its count, once."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from ..rules.codes import SanctionKind as K
from ..rules.codes import ViolationSource, ViolationState, ViolationTrack
from .sanction_common import NOW, SanctionCase

NONE, CONSEQUENCE, SERIOUS = (
    ViolationTrack.NO_CONSEQUENCE,
    ViolationTrack.CONSEQUENCE,
    ViolationTrack.SERIOUS,
)


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestSanctionLadder(SanctionCase):
    def kinds(self, **kw):
        return sorted(self.sanctions(**kw).mapped("kind"))

    def test_no_consequence_steps_at_3_6_10(self):
        """Per group and year: the 3rd → an interview; the 6th → an interview, a notice to the
        PI and retraining; the 10th → booking restricted (1 week by default, 1 week–1 month)."""
        group = self.group_a
        self.violate(group, self.student_a1, count=2)
        self.assertFalse(self.sanctions(group=group))
        self.violate(group, self.student_a2)
        self.assertEqual(self.kinds(group=group), [K.INTERVIEW])
        interview = self.sanctions(group=group, kind=K.INTERVIEW)
        self.assertEqual(len(interview.activity_ids), 1, "one interview activity for staff")
        self.assertEqual(len(interview.violation_ids), 3)
        self.violate(group, self.student_a1, count=2)
        self.assertEqual(self.kinds(group=group), [K.INTERVIEW])
        self.violate(group, self.student_a1)
        self.assertEqual(
            self.kinds(group=group), sorted([K.INTERVIEW, K.INTERVIEW, K.PI_NOTICE, K.RETRAINING])
        )
        notice = self.sanctions(group=group, kind=K.PI_NOTICE)
        self.assertIn(
            self.pi_a.partner_id, notice.message_ids.filtered("body").partner_ids, "PI notified"
        )
        self.violate(group, self.student_a1, count=3)
        self.assertFalse(self.sanctions(group=group, kind=K.GROUP_RESTRICTION))
        self.violate(group, self.student_a1)
        restriction = self.sanctions(group=group, kind=K.GROUP_RESTRICTION)
        self.assertEqual(len(restriction), 1)
        self.assertEqual(restriction.date_from, NOW)
        self.assertEqual(restriction.date_to, NOW + timedelta(days=7))
        self.assertFalse(restriction.user_id, "the whole group")
        self.assertTrue(restriction.in_force)
        self.assertTrue(restriction.activity_ids, "staff confirm or change the period")
        # the 11th and beyond: the step fired this year already
        self.violate(group, self.student_a1, count=2)
        self.assertEqual(len(self.sanctions(group=group, kind=K.GROUP_RESTRICTION)), 1)
        # another year starts afresh
        self.violate(group, self.student_a1, count=2, when=NOW + timedelta(days=365))
        self.assertEqual(len(self.sanctions(group=group, kind=K.INTERVIEW)), 2)

    def test_consequence_steps_per_user(self):
        """Per user: the 1st → notice to the PI and retraining; the 2nd → that user suspended
        (1 week default); the 3rd → suspended at least 1.5 months, notice, retraining. The
        group-mate is not suspended."""
        user = self.student_a1
        self.violate(self.group_a, user, track=CONSEQUENCE)
        self.assertEqual(self.kinds(user=user), sorted([K.PI_NOTICE, K.RETRAINING]))
        self.violate(self.group_a, user, track=CONSEQUENCE)
        suspension = self.sanctions(user=user, kind=K.USER_SUSPENSION)
        self.assertEqual(len(suspension), 1)
        self.assertEqual(suspension.date_to - suspension.date_from, timedelta(days=7))
        self.assertEqual(suspension.research_group_id, self.group_a)
        self.violate(self.group_a, user, track=CONSEQUENCE)
        suspensions = self.sanctions(user=user, kind=K.USER_SUSPENSION)
        self.assertEqual(len(suspensions), 2)
        self.assertEqual(
            max(s.date_to - s.date_from for s in suspensions), timedelta(days=45), "1.5 months"
        )
        self.assertEqual(len(self.sanctions(user=user, kind=K.PI_NOTICE)), 2)
        self.assertFalse(self.sanctions(user=self.student_a2))
        self.assertFalse(
            self.sanctions(group=self.group_a, kind=K.GROUP_RESTRICTION), "not the whole group"
        )

    def test_one_serious_violation(self):
        self.violate(self.group_a, self.student_a2, track=SERIOUS)
        suspension = self.sanctions(user=self.student_a2, kind=K.USER_SUSPENSION)
        self.assertEqual(suspension.date_to - suspension.date_from, timedelta(days=45))
        self.assertTrue(self.sanctions(user=self.student_a2, kind=K.PI_NOTICE))
        self.assertTrue(self.sanctions(user=self.student_a2, kind=K.RETRAINING))

    def test_each_measure_once_when_the_ladder_runs_twice(self):
        violations = self.violate(self.group_a, self.student_a1, count=10)
        before = self.sanctions(group=self.group_a)
        self.assertEqual(
            sorted(before.mapped("kind")),
            sorted([*[K.INTERVIEW, K.PI_NOTICE] * 2, K.RETRAINING, K.GROUP_RESTRICTION]),
        )
        self.assertFalse(self.Sanction._apply_ladder(violations))
        self.assertFalse(self.Sanction._apply_ladder(violations[:3]))
        self.assertEqual(self.sanctions(group=self.group_a), before)

    def test_withdrawn_violations_stop_counting(self):
        """A withdrawn violation does not count; one withdrawn below the 10th lifts the
        restriction (the interview and notice stay: they happened)."""
        violations = self.violate(self.group_a, self.student_a1, count=2)
        violations[0].sudo().state = ViolationState.WITHDRAWN
        self.violate(self.group_a, self.student_a1)
        self.assertFalse(self.sanctions(group=self.group_a), "2 counted, 1 withdrawn")
        self.violate(self.group_a, self.student_a1, count=8)
        restriction = self.sanctions(group=self.group_a, kind=K.GROUP_RESTRICTION)
        self.assertTrue(restriction.in_force)
        last = (
            self.env["facility.violation"]
            .sudo()
            .search([("research_group_id", "=", self.group_a.id)], limit=1)
        )
        last.state = ViolationState.WITHDRAWN
        self.Sanction._apply_ladder(last)
        self.assertEqual(restriction.state, "lifted")
        self.assertFalse(restriction.in_force)
        self.assertEqual(
            self.sanctions(group=self.group_a, kind=K.INTERVIEW).mapped("state"),
            ["active", "active"],
        )

    def test_repeat_wasters_get_a_smaller_allowance(self):
        """Four no-shows within 90 days: the group books at most 7 days ahead for 30 days."""
        day = fields.Datetime.now()
        for offset in (0, 40, 80):
            self.violate(
                self.group_b,
                self.student_b1,
                when=day + timedelta(days=offset),
                source=ViolationSource.NO_SHOW,
            )
        self.assertFalse(self.sanctions(group=self.group_b, kind=K.ALLOWANCE))
        self.violate(
            self.group_b,
            self.student_b1,
            when=day + timedelta(days=200),
            source=ViolationSource.NO_SHOW,
        )
        self.assertFalse(self.sanctions(group=self.group_b, kind=K.ALLOWANCE), "not within 90")
        self.violate(
            self.group_b,
            self.student_b1,
            when=day + timedelta(days=85),
            source=ViolationSource.NO_SHOW,
        )
        allowance = self.sanctions(group=self.group_b, kind=K.ALLOWANCE)
        self.assertEqual(len(allowance), 1)
        self.assertEqual(allowance.allowance_days, 7)
        self.assertEqual(allowance.date_to - allowance.date_from, timedelta(days=30))

    def test_staff_change_the_period_within_bounds(self):
        self.violate(self.group_a, self.student_a1, count=10)
        restriction = self.sanctions(group=self.group_a, kind=K.GROUP_RESTRICTION)
        staff = restriction.with_user(self.director)
        staff.date_to = NOW + timedelta(days=30)
        with self.assertRaisesRegex(Exception, "7 to 31 days"):
            staff.date_to = NOW + timedelta(days=40)
        with self.assertRaisesRegex(Exception, "change only through its actions"):
            staff.kind = K.INTERVIEW
        with self.assertRaisesRegex(Exception, "change only through its actions"):
            staff.state = "lifted"
        staff.action_lift()
        self.assertEqual(restriction.state, "lifted")
        with self.assertRaisesRegex(Exception, "never deleted"):
            restriction.unlink()

    def test_retraining_flags_the_members_qualifications(self):
        q1 = self.grant(self.student_a1, self.spirit, self.primary)
        q2 = self.grant(self.student_a2, self.t20, self.primary)
        qb = self.grant(self.student_b1, self.spirit, self.primary)
        self.violate(self.group_a, self.student_a1, count=6)
        retraining = self.sanctions(group=self.group_a, kind=K.RETRAINING)
        self.assertTrue(q1.needs_retraining and q2.needs_retraining)
        self.assertEqual(q1.retraining_sanction_id, retraining)
        self.assertFalse(qb.needs_retraining, "another group's member")
