"""The platform table of seed 001 §4.2 on a small facility: staff, assets, revenue, hours,
users, projects and trainees of the campaign's year (in Asia/Shanghai), off-campus (校外) by the
research group's flag, what was entered kept."""

from datetime import datetime, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import EvalCase


def utc(*args):
    return datetime(*args)


@tagged("post_install", "-at_install")
class TestEvalPlatformStat(EvalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.group_b.is_off_campus = True
        # external to the facility, inside the university: counts, but not as off-campus
        cls.student_c = new_test_user(
            env, login="t_student_c", groups="core_facility.group_facility_user"
        )
        cls.group_c = env["facility.research.group"].create(
            {
                "name": "Group C (another school)",
                "pi_id": cls.pi_b.id,
                "category": "external",
                "member_ids": [Command.set(cls.student_c.ids)],
            }
        )
        cls.empty_platform = env["facility.unit"].create(
            {"name": "Empty Platform", "unit_type": "platform", "parent_id": cls.research_unit.id}
        )
        cls.campaign = cls.new_campaign()
        cls.done(cls.spirit, cls.student_a1, cls.group_a, utc(2041, 3, 5, 2), 1.5)
        cls.done(cls.t20, cls.student_b1, cls.group_b, utc(2041, 6, 1, 2), 3.0)
        # 1 Jan 01:00 in Shanghai: this year; 1 Jan of the next year: not
        cls.done(cls.spirit, cls.student_c, cls.group_c, utc(2040, 12, 31, 17), 2.0)
        cls.done(cls.spirit, cls.student_a1, cls.group_a, utc(2041, 12, 31, 17), 4.0)
        cls.book(cls.spirit, cls.student_a2, cls.group_a, utc(2041, 4, 1, 2), 2.0)  # not done
        Training = env["facility.training"]
        training = Training.create(
            {
                "instrument_id": cls.spirit.id,
                "level_id": cls.primary.id,
                "trainer_id": cls.manager_spirit.id,
                "trainee_ids": [Command.set((cls.student_a2 | cls.student_b1).ids)],
                "date_start": utc(2041, 5, 5, 2),
            }
        )
        training.action_done()
        Training.create(  # planned: not counted
            {
                "instrument_id": cls.spirit.id,
                "level_id": cls.primary.id,
                "trainer_id": cls.manager_spirit.id,
                "trainee_ids": [Command.set(cls.student_c.ids)],
                "date_start": utc(2041, 5, 6, 2),
            }
        )
        Charge = env["facility.charge"]._guard_context()
        common = {"kind": "booking", "name": "Use", "state": "confirmed"}
        Charge.create(
            [
                common
                | {
                    "instrument_id": cls.spirit.id,
                    "research_group_id": cls.group_a.id,
                    "date": "2041-03-05",
                    "amount": 200.0,
                },
                common
                | {
                    "instrument_id": cls.t20.id,
                    "research_group_id": cls.group_b.id,
                    "payer_category": "external",
                    "date": "2041-06-01",
                    "amount": 300.0,
                },
                # another school's group: external to the facility, not 校外
                common
                | {
                    "instrument_id": cls.spirit.id,
                    "research_group_id": cls.group_c.id,
                    "payer_category": "external",
                    "date": "2041-03-06",
                    "amount": 100.0,
                },
                common
                | {
                    "instrument_id": cls.t20.id,
                    "research_group_id": cls.group_b.id,
                    "date": "2041-06-02",
                    "amount": 999.0,
                    "state": "draft",
                },
            ]
        )

        # 支持科研项目数: the accepted project outcomes of the year on the platform's
        # instruments (each once), 校外 by the outcome's group
        Publication = env["facility.publication"].sudo()

        def outcome(name, group, instruments, state="accepted", year=2041, kind="project"):
            record = Publication.create(
                {
                    "name": name,
                    "kind": kind,
                    "year": year,
                    "research_group_id": group.id,
                    "instrument_ids": [Command.set(instruments.ids)],
                }
            )
            record._write_guarded({"state": state})

        outcome("P1", cls.group_a, cls.spirit)
        outcome("P2", cls.group_a, cls.spirit | cls.t20)  # two instruments, one project
        outcome("P3", cls.group_a, cls.t20)
        outcome("P4 off campus", cls.group_b, cls.t20)
        outcome("P5 registered", cls.group_a, cls.spirit, state="registered")
        outcome("P6 last year", cls.group_a, cls.spirit, year=2040)
        outcome("A paper", cls.group_a, cls.spirit, kind="paper")

    @classmethod
    def book(cls, instrument, operator, group, start, hours):
        return (
            cls.env["facility.booking"]
            .sudo()
            .with_context(booking_skip_rules=True)
            .create(
                {
                    "instrument_id": instrument.id,
                    "operator_id": operator.id,
                    "research_group_id": group.id,
                    "purpose": "Platform table",
                    "date_start": start,
                    "date_stop": start + timedelta(hours=4),
                    "state": "confirmed",
                }
            )
        )

    @classmethod
    def done(cls, instrument, operator, group, start, hours):
        booking = cls.book(instrument, operator, group, start, hours)
        booking._finish(at=start + timedelta(hours=hours))
        return booking

    def refresh(self, user=None):
        Stat = self.env["facility.eval.platform.stat"].with_user(user or self.school_assessor)
        return Stat.refresh(self.campaign)

    def test_the_platform_table(self):
        rows = self.refresh()
        self.assertLessEqual(self.center | self.empty_platform, rows.unit_id)  # demo has more
        self.assertNotIn(self.research_unit, rows.unit_id)  # a department is not a platform
        center = rows.filtered(lambda r: r.unit_id == self.center)
        self.assertRecordValues(
            center,
            [
                {
                    "instrument_count": 4,
                    # the Spirit's manager and technician, the T20's (and Titan's) manager
                    "staff_count": 3,
                    "asset_value": 22_820_000.0,
                    "scope_count": 3,
                    "scope_value": 22_700_000.0,
                    "revenue": 600.0,
                    "revenue_external": 300.0,
                    "revenue_per_staff": 200.0,
                    "hours": 6.5,
                    "user_count": 3,
                    "user_external_count": 1,
                    "project_count": 4,
                    "project_external_count": 1,
                    "trainee_count": 2,
                    "trainee_external_count": 1,
                    "competition_hours": 0.0,
                }
            ],
        )
        empty = rows.filtered(lambda r: r.unit_id == self.empty_platform)
        self.assertEqual((empty.instrument_count, empty.hours, empty.revenue_per_staff), (0, 0, 0))

    def test_refresh_keeps_what_was_entered_and_is_idempotent(self):
        rows = self.refresh()
        rows.sudo().competition_hours = 120.0
        again = self.refresh(self.director)
        self.assertEqual(again, rows)
        center = again.filtered(lambda r: r.unit_id == self.center)
        self.assertEqual((center.competition_hours, center.hours), (120.0, 6.5))

    def test_figures_change_only_through_refresh(self):
        row = self.refresh()[:1]
        # refused by the ACL, or by the guard (an AccessError is a UserError)
        for user in (self.director, self.school_assessor):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                row.with_user(user).write({"hours": 9999.0})
        self.assertNotEqual(row.hours, 9999.0)

    def test_only_the_equipment_office_computes(self):
        for user in (self.unit_head, self.eval_reviewer, self.manager_spirit):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.refresh(user)

    def test_the_campaigns_action_opens_the_table(self):
        Stat = self.env["facility.eval.platform.stat"].with_user(self.school_assessor)
        action = Stat.action_refresh(self.campaign)
        self.assertEqual(action["domain"], [("campaign_id", "in", self.campaign.ids)])
        rows = Stat.search(action["domain"])
        self.assertEqual(rows, Stat.refresh(self.campaign))
