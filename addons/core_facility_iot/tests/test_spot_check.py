"""The monthly spot check (抽查): booked, box-measured and logged hours of an instrument-month,
the discrepancies and their details, idempotent per instrument-month (two sessions too), run by
the staff for their instruments, printed on the facility's letterhead."""

from datetime import date, timedelta

from freezegun import freeze_time
from lxml import html

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.core_facility.tests.test_booking_concurrency import CommittedCase, _env

from .common import NOW
from .test_session_common import UsageCase

MONTH = date(2041, 3, 1)
REPORT = "core_facility_iot.action_report_facility_spot_check"


@tagged("post_install", "-at_install")
class TestSpotCheck(UsageCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.booking = cls.book(NOW - timedelta(hours=5), hours=2)
        cls.Check = cls.env["facility.spot.check"]

    def measure(self):
        """The booking used as booked, then an hour of unbooked use by student A1."""
        self.post(
            self.login("L1", -300, user=self.student_a1.login),
            *self.beats(-295, -185),
            self.logout("O1", -180),
            self.login("L2", -120, user=self.student_a1.login),
            *self.beats(-115, -65),
            self.logout("O2", -60),
        )

    def ours(self, checks):
        """Only the checks of this test's instruments (the database may hold demo boxes)."""
        return checks.filtered(lambda c: c.instrument_id in self.spirit | self.t20 | self.titan)

    def generate(self, month):
        return self.ours(self.Check.generate(month))

    def log(self, hours):
        self.env["facility.usage.log"].create(
            {
                "instrument_id": self.spirit.id,
                "user_id": self.student_a1.id,
                "date_start": NOW - timedelta(hours=5),
                "date_stop": NOW - timedelta(hours=5) + timedelta(hours=hours),
            }
        )

    def test_figures_findings_and_details(self):
        self.measure()
        self.log(2)
        check = self.generate("2041-03-17")
        self.assertEqual(check.month, MONTH)
        self.assertEqual(check.instrument_id, self.spirit)
        self.assertEqual(
            (check.booked_hours, check.measured_hours, check.manual_hours), (2.0, 3.0, 2.0)
        )
        self.assertEqual(check.findings, "unbooked,manual_mismatch")
        self.assertTrue(check.has_discrepancy)
        self.assertIn("use without booking", check.findings_text)
        self.assertEqual(
            [(line.kind, line.hours, line.user_id) for line in check.line_ids],
            [("unbooked_session", 1.0, self.student_a1)],
        )

    def test_discrepancies_that_cancel_out(self):
        """Review finding 12: ten hours booked and never used (confirmed bookings nobody
        started) and twelve hours used without a booking add up to the booked total; both are
        findings, and the unused bookings are listed."""
        unused = self.book(NOW - timedelta(hours=30), hours=10)
        login = self.student_a1.login
        self.post(
            self.login("L1", -20 * 60, user=login),
            *self.beats(-20 * 60 + 5, -8 * 60 - 5),
            self.logout("O1", -8 * 60),
        )
        with freeze_time(NOW):
            check = self.generate(MONTH)
        self.assertEqual((check.booked_hours, check.measured_hours), (12.0, 12.0))
        self.assertEqual(check.findings, "under_use,unbooked,no_manual_log")
        self.assertTrue(check.has_discrepancy)
        self.assertEqual(
            [(line.kind, line.hours, line.booking_id) for line in check.line_ids],
            [
                ("unbooked_session", 12.0, self.env["facility.booking"]),
                ("unmeasured_booking", 10.0, unused),
                ("unmeasured_booking", 2.0, self.booking),
            ],
        )

    def test_a_listed_detail_is_a_discrepancy(self):
        self.post(self.login("L1", -300), *self.beats(-295, -185), self.logout("O1", -180))
        self.post(
            self.login("L2", -120, user=self.student_a1.login),
            *self.beats(-115, -105),
            self.logout("O2", -100),
        )
        self.log(2.25)
        check = self.generate(MONTH)
        self.assertFalse(check.findings)  # 20 minutes: within the tolerance
        self.assertTrue(check.has_discrepancy)
        self.assertEqual(check.line_ids.mapped("kind"), ["unbooked_session"])

    def test_agreeing_month(self):
        self.post(self.login("L1", -300), *self.beats(-295, -185), self.logout("O1", -180))
        self.log(2)
        check = self.generate(MONTH)
        self.assertEqual(check.findings, False)
        self.assertFalse(check.has_discrepancy)
        self.assertFalse(check.line_ids)

    def test_no_box_is_no_measurement(self):
        self.book(NOW - timedelta(hours=5), hours=3, instrument=self.t20)
        ours = self.spirit | self.t20 | self.titan
        checks = self.Check.generate(MONTH).filtered(lambda c: c.instrument_id in ours)
        self.assertEqual(checks.instrument_id, self.spirit | self.t20)  # not the Titan
        t20 = checks.filtered(lambda c: c.instrument_id == self.t20)
        self.assertFalse(t20.has_measurement)
        self.assertEqual(t20.findings, "no_measurement,no_manual_log")

    def test_idempotent_per_instrument_month(self):
        first = self.generate(MONTH)
        self.assertEqual(first.measured_hours, 0.0)
        self.assertEqual(first.findings, "no_measurement,no_manual_log")  # box silent
        self.measure()
        again = self.generate(MONTH + timedelta(days=20))
        self.assertEqual(again, first)
        self.assertEqual(again.measured_hours, 3.0)

    def test_figures_change_only_by_checking(self):
        check = self.generate(MONTH)
        with self.assertRaises(UserError):
            check.with_user(self.manager_spirit).write({"measured_hours": 99})
        with self.assertRaises(UserError):
            check.with_user(self.manager_spirit).write({"month": "2041-04-01"})
        check.with_user(self.manager_spirit).write({"note": "Box cable replaced"})
        check.with_user(self.manager_spirit).action_refresh()

    def test_instrument_managers_check_theirs(self):
        self.book(NOW - timedelta(hours=5), hours=3, instrument=self.t20)
        mine = self.Check.with_user(self.manager_spirit).generate(MONTH)
        self.assertEqual(mine.instrument_id, self.spirit)
        with self.assertRaises(AccessError):
            self.Check.with_user(self.manager_spirit).generate(MONTH, self.t20)
        with self.assertRaises(AccessError):
            self.Check.with_user(self.student_a1).search([]).read(["booked_hours"])
        self.assertFalse(self.Check.with_user(self.student_a1).check_access_rights("read", False))

    def test_the_wizard_defaults_to_last_month(self):
        wizard = self.env["facility.spot.check.wizard"].with_user(self.manager_spirit).create({})
        today = fields.Date.context_today(wizard)
        self.assertEqual(wizard.month, (today.replace(day=1) - timedelta(days=1)).replace(day=1))
        wizard.month = MONTH
        action = wizard.action_run()
        checks = self.ours(self.Check.search(action["domain"]))
        self.assertEqual(checks.instrument_id, self.spirit)

    def test_the_monthly_cron(self):
        self.Check._cron_generate()  # last month of the real calendar: nothing to check here

    def test_the_printed_report(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.measure()
        check = self.generate(MONTH)
        report = self.env["ir.actions.report"].with_user(self.manager_spirit)
        content, _kind = report._render_qweb_html(REPORT, check.ids)
        page = html.fromstring(content)
        (article,) = page.xpath("//div[hasclass('article')]")
        self.assertIn("Imaging Center", article.text_content())
        figures = {
            cell.get("data-cf-figure"): cell.text_content().strip()
            for cell in page.xpath("//td[@data-cf-figure]")
        }
        self.assertEqual(figures, {"booked": "2.00", "measured": "3.00", "manual": "—"})
        self.assertEqual(len(page.xpath("//tr[@data-cf-line]")), 1)
        self.assertEqual(self.env.ref(REPORT).paperformat_id.format, "A4")


@tagged("post_install", "-at_install")
class TestSpotCheckConcurrency(CommittedCase):
    """Two sessions checking the same instrument-month at once: one spot check."""

    def test_two_sessions_check_the_same_month(self):
        instrument_id = self.ids["instrument"]
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = _env(cr_a), _env(cr_b)
            self.assertFalse(
                env_b["facility.spot.check"]
                .search([])
                .filtered(lambda c: c.instrument_id.id == instrument_id)
            )
            created = env_a["facility.spot.check"].generate(MONTH, [instrument_id])
            self.assertEqual(len(created), 1)
            cr_a.commit()
            # B did not see A's check: its insert meets the unique key, B goes on
            with mute_logger("odoo.sql_db"):
                self.assertFalse(env_b["facility.spot.check"].generate(MONTH, [instrument_id]))
            cr_b.commit()
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM facility_spot_check WHERE instrument_id = %s",
                [instrument_id],
            )
            self.assertEqual(cr.fetchone()[0], 1)
            cr.execute("DELETE FROM facility_spot_check WHERE instrument_id = %s", [instrument_id])
