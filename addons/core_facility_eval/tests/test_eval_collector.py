"""The figures of a campaign computed from the records (facility.eval.collector): used hours of
done bookings (the measured time), external-service hours of groups outside the university,
fees from billing's charges, training sessions, outcomes, departments and researchers; the
exclusions and the proration of 附件3 on their dates; the records behind each figure."""

from datetime import date, datetime, timedelta

import pytz

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import YEAR, EvalCase

SHANGHAI = pytz.timezone("Asia/Shanghai")


def utc(year, month, day, hour=0, minute=0):
    """A Shanghai wall-clock time as the naive UTC datetime Odoo stores."""
    local = SHANGHAI.localize(datetime(year, month, day, hour, minute))
    return local.astimezone(pytz.utc).replace(tzinfo=None)


class CollectorCase(EvalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.Collector = env["facility.eval.collector"]
        cls.off_unit = env["facility.unit"].create(
            {"name": "Other University", "unit_type": "department"}
        )
        cls.student_c = new_test_user(
            env, login="t_student_c", groups="core_facility.group_facility_user"
        )
        cls.group_off = env["facility.research.group"].create(
            {
                "name": "Off-campus Group",
                "pi_id": cls.student_c.id,
                "category": "external",
                "is_off_campus": True,
                "unit_id": cls.off_unit.id,
                "member_ids": [Command.set(cls.student_c.ids)],
            }
        )
        cls.campaign = cls.new_campaign()

    @classmethod
    def booking(cls, start, hours=2.0, instrument=None, group=None, operator=None):
        """A confirmed booking made by server code (no rules)."""
        group = group or cls.group_a
        operator = operator or group.member_ids.sorted("id")[:1]
        return (
            cls.env["facility.booking"]
            .sudo()
            .with_context(booking_skip_rules=True)
            .create(
                {
                    "instrument_id": (instrument or cls.spirit).id,
                    "operator_id": operator.id,
                    "research_group_id": group.id,
                    "purpose": "Evaluation test",
                    "date_start": start,
                    "date_stop": start + timedelta(hours=hours),
                    "state": "confirmed",
                }
            )
            .with_env(cls.env)
        )

    @classmethod
    def done(cls, start, hours=2.0, used=None, **kw):
        """A booking used for ``used`` hours (default: all its time), as a box measures it."""
        booking = cls.booking(start, hours, **kw)
        booking._start(at=start)
        booking._finish(at=start + timedelta(hours=hours if used is None else used))
        return booking

    @classmethod
    def instrument(cls, name, account_date, **values):
        return cls.env["facility.instrument"].create(
            {
                "name": name,
                "unit_id": cls.center.id,
                "manager_ids": [Command.set(cls.manager_spirit.ids)],
                "original_value": 800_000,
                "account_date": account_date,
                **values,
            }
        )

    def collect(self, *instruments):
        records = self.env["facility.instrument"].browse([i.id for i in instruments])
        return self.Collector.collect(self.campaign, records)


@tagged("post_install", "-at_install")
class TestEvalCollector(CollectorCase):
    def test_hours_are_the_measured_time_of_done_bookings_of_the_year(self):
        self.done(utc(YEAR, 3, 2, 9), hours=3, used=2.5)  # the box measured 2.5 h of 3
        self.done(utc(YEAR, 1, 1, 0, 30), hours=1)  # the first local half hour of the year
        self.done(utc(YEAR - 1, 12, 31, 22), hours=1)  # the year before, in Shanghai
        self.done(utc(YEAR + 1, 1, 1, 1), hours=1)  # the year after
        self.booking(utc(YEAR, 5, 6, 9), hours=4)  # confirmed, not used
        figures = self.collect(self.spirit)[self.spirit.id]
        self.assertAlmostEqual(figures["hours_logged"], 3.5)
        self.assertAlmostEqual(figures["hours"], 3.5)  # opened in 2030: × 1
        self.assertEqual(figures["full_months"], 12)
        self.assertEqual(figures["booking_count"], 2)
        self.assertEqual(figures["status"], "assessed")

    def test_external_hours_only_from_groups_outside_the_university(self):
        self.done(utc(YEAR, 3, 2, 9), hours=3)  # group A, internal
        self.done(utc(YEAR, 3, 3, 9), hours=2, group=self.group_b)  # external to the facility
        self.done(utc(YEAR, 3, 4, 9), hours=1.5, group=self.group_off)  # 校外
        figures = self.collect(self.spirit)[self.spirit.id]
        self.assertAlmostEqual(figures["hours_logged"], 6.5)
        self.assertAlmostEqual(figures["external_hours_logged"], 1.5)
        self.assertAlmostEqual(figures["external_hours"], 1.5)

    def test_departments_and_researchers_are_distinct(self):
        self.done(utc(YEAR, 3, 2, 9), operator=self.student_a1)
        self.done(utc(YEAR, 3, 3, 9), operator=self.student_a2)
        self.done(utc(YEAR, 3, 4, 9), operator=self.student_a1)
        self.done(utc(YEAR, 3, 5, 9), group=self.group_off)
        self.done(utc(YEAR, 3, 6, 9), group=self.group_b)  # a group of no unit
        figures = self.collect(self.spirit)[self.spirit.id]
        self.assertEqual(figures["researchers"], 4)
        self.assertEqual(figures["departments"], 2)  # the research unit, the other university

    def test_a_new_instrument_prorates_its_external_hours_too(self):
        new = self.instrument("New Cryo-EM", date(YEAR, 3, 15))
        for k in range(9):
            self.done(utc(YEAR, 4, 1 + 3 * k, 8), hours=60, instrument=new)
        self.done(utc(YEAR, 8, 1, 8), hours=40, instrument=new, group=self.group_off)
        figures = self.collect(new)[new.id]
        self.assertEqual(figures["status"], "assessed")
        self.assertAlmostEqual(figures["hours_logged"], 580)
        self.assertEqual(figures["full_months"], 9)
        self.assertAlmostEqual(figures["hours"], 580 * 12 / 9)
        self.assertAlmostEqual(figures["external_hours"], 40 * 12 / 9)

    def test_900_hours_prorate_to_1200(self):
        new = self.instrument("New NMR", date(YEAR, 3, 15))
        for k in range(9):
            self.done(utc(YEAR, 4, 1 + 3 * k, 8), hours=60, instrument=new)
            self.done(utc(YEAR, 6, 1 + 3 * k, 8), hours=40, instrument=new)
        figures = self.collect(new)[new.id]
        self.assertAlmostEqual(figures["hours_logged"], 900)
        self.assertAlmostEqual(figures["hours"], 1200)

    def test_opened_on_30_september_is_assessed_1_and_8_october_are_not(self):
        sep30 = self.instrument("Opened 30 Sep", date(YEAR, 9, 30))
        oct1 = self.instrument("Opened 1 Oct", date(YEAR, 10, 1))
        oct8 = self.instrument("Opened 8 Oct", date(YEAR, 10, 8))
        figures = self.collect(sep30, oct1, oct8)
        self.assertEqual(figures[sep30.id]["status"], "assessed")
        self.assertEqual(figures[sep30.id]["full_months"], 3)
        self.assertFalse(figures[sep30.id]["status_reason"])
        self.assertEqual(figures[oct1.id]["status"], "not_assessed")
        self.assertEqual(figures[oct8.id]["status"], "not_assessed")
        self.assertEqual(
            figures[oct8.id]["status_reason"], "Account opened on 8 Oct 2041, after 30 Sep"
        )

    def test_the_benefit_evaluation_has_no_30_september_rule(self):
        """Seed 001 assesses an instrument opened on 8 Oct on the hours it logged."""
        oct8 = self.instrument("Opened 8 Oct (benefit)", date(YEAR, 10, 8))
        self.done(datetime(YEAR, 11, 3, 1, 0), hours=6, instrument=oct8)
        benefit = self.new_campaign(self.table_benefit, name="Benefit")
        figures = self.Collector.collect(benefit, oct8)[oct8.id]
        self.assertEqual(figures["status"], "assessed")
        self.assertEqual(figures["hours_logged"], 6)
        self.assertEqual(self.collect(oct8)[oct8.id]["status"], "not_assessed")

    def test_a_scrap_application_of_the_year_excludes(self):
        self.spirit.scrap_applied_date = date(YEAR, 6, 1)
        self.t20.write({"state": "scrapped"})
        self.done(utc(YEAR, 3, 2, 9))
        figures = self.collect(self.spirit, self.t20, self.titan)
        self.assertEqual(figures[self.spirit.id]["status"], "excluded")
        self.assertIn("1 Jun 2041", figures[self.spirit.id]["status_reason"])
        self.assertAlmostEqual(figures[self.spirit.id]["hours_logged"], 2)
        self.assertEqual(figures[self.t20.id]["status"], "excluded")
        self.assertEqual(figures[self.titan.id]["status"], "assessed")

    def test_scope(self):
        later = self.instrument("Opened Next Year", date(YEAR + 1, 1, 5))
        oct8 = self.instrument("Opened 8 Oct", date(YEAR, 10, 8))
        gone = self.instrument("Scrapped Before", date(2030, 1, 1))
        gone.scrap_applied_date = date(YEAR - 1, 12, 1)
        going = self.instrument("Scrapped This Year", date(2030, 1, 1))
        going.scrap_applied_date = date(YEAR, 1, 1)
        scope = self.Collector.in_scope(self.campaign)
        self.assertTrue({self.spirit, self.t20, self.titan, oct8, going} <= set(scope))
        self.assertFalse({self.cheap, later, gone} & set(scope))
        # the same year on the benefit table (one campaign per company, year and table)
        low = self.new_campaign(
            self.table_benefit, year=YEAR, name="Scope 5m", scope_min_value=5_000_000
        )
        self.assertEqual(
            self.Collector.in_scope(low) & (self.spirit | self.t20 | self.titan), self.titan
        )

    def test_fees_are_billing_charges_of_the_year(self):
        Charge = self.env["facility.charge"].sudo()

        def charge(day, amount, category="internal", group=None, confirm=True):
            line = Charge.create(
                {
                    "name": "Evaluation test",
                    "date": day,
                    "instrument_id": self.spirit.id,
                    "research_group_id": (group or self.group_a).id,
                    "payer_category": category,
                    "quantity": 1,
                    "unit_price": amount,
                    "amount": amount,
                }
            )
            if confirm:
                line.action_confirm()
            return line

        charge(date(YEAR, 2, 1), 1000)
        charge(date(YEAR, 12, 31), 200.5)
        external = charge(date(YEAR, 3, 1), 500, "external", self.group_off)  # 校外
        charge(date(YEAR, 3, 2), 300, confirm=False)  # draft: not charged yet
        charge(date(YEAR - 1, 12, 31), 700)  # last year
        figures = self.collect(self.spirit)[self.spirit.id]
        self.assertAlmostEqual(figures["fees"], 1700.5)
        self.assertAlmostEqual(figures["fees_internal"], 1200.5)
        self.assertAlmostEqual(figures["fees_external"], 500)
        self.assertFalse(figures["fee_standard"])
        sheet = self.sheet()
        action = self.Collector.figure_action(sheet, "fees_external")
        self.assertEqual(action["res_model"], "facility.charge")
        self.assertEqual(self.env["facility.charge"].search(action["domain"]), external)

    def test_trainings_of_the_year(self):
        Training = self.env["facility.training"]

        def training(start, hours, trainees, done=True):
            session = Training.create(
                {
                    "instrument_id": self.spirit.id,
                    "level_id": self.primary.id,
                    "trainer_id": self.manager_spirit.id,
                    "trainee_ids": [Command.set(trainees.ids)],
                    "date_start": start,
                    "hours": hours,
                }
            )
            if done:
                session.action_done()
            return session

        first = training(utc(YEAR, 4, 1, 9), 3, self.student_a1 | self.student_a2)
        second = training(utc(YEAR, 5, 1, 9), 2, self.student_b1)
        training(utc(YEAR, 6, 1, 9), 4, self.student_a1, done=False)  # planned
        training(utc(YEAR - 1, 12, 31, 20), 5, self.student_a1)  # last year in Shanghai
        figures = self.collect(self.spirit)[self.spirit.id]
        self.assertAlmostEqual(figures["training_hours"], 5)
        self.assertEqual(figures["trainee_count"], 3)
        self.assertEqual(figures["training_count"], 2)
        action = self.Collector.figure_action(self.sheet(), "training_hours")
        self.assertEqual(self.env["facility.training"].search(action["domain"]), first | second)

    def test_outcomes_of_the_year(self):
        Publication = self.env["facility.publication"].sudo()

        def outcome(kind, state="accepted", year=YEAR, **values):
            record = Publication.create(
                {
                    "name": f"{kind} {values}",
                    "kind": kind,
                    "year": year,
                    "research_group_id": self.group_a.id,
                    "instrument_ids": [Command.set((self.spirit | self.t20).ids)],
                    **values,
                }
            )
            record._write_guarded({"state": state})
            return record

        outcome("project", project_level="key")
        outcome("project", project_level="normal")
        sci = outcome("paper", indexing="sci")
        outcome("paper", indexing="core")
        outcome("paper", indexing="sci", state="registered")  # not decided yet
        outcome("paper", indexing="sci", year=YEAR - 1)
        outcome("award", award_level="national")
        outcome("award", award_level="provincial")
        outcome("award", award_level="other")  # below provincial: not an award of the table
        outcome("patent")
        figures = self.collect(self.spirit)[self.spirit.id]
        self.assertEqual(
            {name: figures[name] for name in ("projects", "key_projects", "papers", "patents")},
            {"projects": 2, "key_projects": 1, "papers": 2, "patents": 1},
        )
        counts = self.spirit.get_outcome_counts(YEAR)  # core_facility's rule, one at a time
        self.assertEqual(
            (figures["projects"], figures["papers"], figures["patents"]),
            (counts["project"], counts["paper"], counts["patent"]),
        )
        self.assertEqual((figures["sci_papers"], figures["core_papers"]), (1, 1))
        self.assertEqual(
            (figures["awards"], figures["national_awards"], figures["provincial_awards"]),
            (2, 1, 1),
        )
        action = self.Collector.figure_action(self.sheet(), "sci_papers")
        self.assertEqual(self.env["facility.publication"].search(action["domain"]), sci)
        action = self.Collector.figure_action(self.sheet(), "outcomes")
        self.assertEqual(self.env["facility.publication"].search_count(action["domain"]), 7)

    def test_figure_actions_open_the_bookings_behind_the_hours(self):
        internal = self.done(utc(YEAR, 3, 2, 9))
        off = self.done(utc(YEAR, 3, 3, 9), group=self.group_off)
        self.done(utc(YEAR - 1, 12, 31, 22))
        self.booking(utc(YEAR, 5, 6, 9))
        self.done(utc(YEAR, 3, 4, 9), instrument=self.t20)
        Booking = self.env["facility.booking"]
        sheet = self.sheet()
        action = self.Collector.figure_action(sheet, "hours")
        self.assertEqual(action["res_model"], "facility.booking")
        self.assertEqual(Booking.search(action["domain"]), internal | off)
        action = self.Collector.figure_action(sheet, "external_hours")
        self.assertEqual(Booking.search(action["domain"]), off)
        with self.assertRaises(UserError):
            self.Collector.figure_action(sheet, "status_reason")
        # an instrument manager opens them with their own rights
        action = self.Collector.with_user(self.manager_spirit).figure_action(sheet, "booking_count")
        self.assertEqual(
            Booking.with_user(self.manager_spirit).search(action["domain"]), internal | off
        )

    def sheet(self):
        Sheet = self.env["facility.eval.sheet"]
        domain = [("campaign_id", "=", self.campaign.id), ("instrument_id", "=", self.spirit.id)]
        return Sheet.search(domain) or Sheet.create(
            {
                "campaign_id": self.campaign.id,
                "instrument_id": self.spirit.id,
                "unit_id": self.research_unit.id,
            }
        )
