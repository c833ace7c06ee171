"""The early warning on a table with gaps: the daily cron logs and skips the company (no
traceback), the manual refresh refuses with the table's problems in words."""

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import YEAR
from .test_eval_collector import CollectorCase, utc

NOW = "2041-06-30 04:00:00"


@tagged("post_install", "-at_install")
class TestEvalForecastReview(CollectorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.done(utc(YEAR, 3, 5, 8), hours=70)
        # the director deletes the "0 h" band of 附件3's hours line: 0 h falls in no band
        hours = cls.table_instrument.criterion_ids.filtered(lambda c: c.code == "hours")
        lowest = hours.band_ids.sorted(lambda band: (not band.no_low, band.low))[:1]
        lowest.unlink()
        cls.Forecast = cls.env["facility.eval.forecast"]

    def test_the_table_has_problems(self):
        self.assertTrue(self.table_instrument._problems())

    def test_the_cron_logs_and_skips(self):
        with (
            freeze_time(NOW),
            self.assertLogs(
                "odoo.addons.core_facility_eval.models.facility_eval_forecast", "WARNING"
            ) as logs,
        ):
            self.env.ref("core_facility_eval.ir_cron_eval_forecast_refresh").method_direct_trigger()
        self.assertIn("not refreshed", logs.output[0])
        self.assertFalse(self.Forecast.search([("instrument_id", "=", self.spirit.id)]))

    @mute_logger("odoo.addons.core_facility_eval.models.facility_eval_forecast")
    def test_the_manual_refresh_refuses_with_the_problems(self):
        problems = self.table_instrument._problems()
        with freeze_time(NOW), self.assertRaises(UserError) as refusal:
            self.Forecast.with_user(self.director).action_refresh()
        self.assertIn(problems[0], str(refusal.exception))
        self.assertIn("early warning cannot be computed", str(refusal.exception))
