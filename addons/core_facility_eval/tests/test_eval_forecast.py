"""The early warning (facility.eval.forecast): the year projected from the year to date, the
confirmed bookings and the last 90 days' pace; an alert for the instrument's managers and its
unit's head once, closed when the projection recovers."""

from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.core_facility_eval.rules import scoring

from .common import YEAR
from .test_eval_collector import CollectorCase, utc

NOW = "2041-06-30 04:00:00"  # noon in Shanghai
TABLE = scoring.Table(level="instrument", criteria=(), fail_below=60.0, hours_fail_below=800.0)


def fake_score(points):
    """A stand-in for the per-instrument table: ``points`` whatever the figures (the table's
    own scoring is tested with the tables)."""

    def score(table, figures):
        result = scoring.Result(total=points(figures))
        return result

    return score


@tagged("post_install", "-at_install")
class TestEvalForecast(CollectorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Forecast = cls.env["facility.eval.forecast"]
        cls.activity_type = cls.env.ref("core_facility_eval.mail_activity_type_eval_warning")
        # the Spirit (opened in 2030): 210 h in the first quarter, 90 h in the last 90 days
        for month in (1, 2, 3):
            cls.done(utc(YEAR, month, 5, 8), hours=70)
        for month in (4, 5, 6):
            cls.done(utc(YEAR, month, 10, 8), hours=30)
        # 20 h confirmed for 8 July (ends 9 July, local)
        cls.booking(utc(YEAR, 7, 8, 8), hours=20)

    def refresh(self, points=70.0):
        Forecast = type(self.env["facility.eval.forecast"])
        with (
            freeze_time(NOW),
            patch.object(Forecast, "_instrument_table", lambda self: TABLE),
            patch.object(scoring, "score_instrument", fake_score(lambda figures: points)),
        ):
            self.Forecast._refresh_company(self.env.company)
        return self.Forecast.search([("instrument_id", "=", self.spirit.id), ("year", "=", YEAR)])

    def warnings(self, forecast):
        return forecast.activity_ids.filtered(lambda a: a.activity_type_id == self.activity_type)

    def test_projection_of_the_year(self):
        forecast = self.refresh()
        self.assertEqual(len(forecast), 1)
        self.assertAlmostEqual(forecast.hours_to_date, 300)
        self.assertAlmostEqual(forecast.hours_booked, 20)
        # 300 + 20 booked + 1 h a day over the 175 days after 9 July
        self.assertAlmostEqual(forecast.projected_hours, 495)
        self.assertAlmostEqual(forecast.projected_points, 70)
        self.assertEqual(forecast.unit_id, self.research_unit)
        self.assertEqual(forecast.status, "assessed")

    def test_scope_of_the_warning(self):
        self.refresh()
        forecasts = self.Forecast.search([("year", "=", YEAR)])
        self.assertIn(self.titan, forecasts.instrument_id)
        self.assertNotIn(self.cheap, forecasts.instrument_id)

    def test_alert_once_to_the_managers_and_the_unit_head_then_closed(self):
        forecast = self.refresh()
        self.assertTrue(forecast.alert)
        self.assertEqual(forecast.alert_reason, "Projected annual hours 495 h, below 800 h")
        self.assertEqual(forecast.alert_since, date(YEAR, 6, 30))
        warnings = self.warnings(forecast)
        self.assertEqual(warnings.user_id, self.manager_spirit | self.unit_head)
        self.assertIn("495", warnings[0].note)
        # the next day's refresh: still heading below, no second activity
        forecast = self.refresh()
        self.assertEqual(len(self.warnings(forecast)), 2)
        # 400 h more booked for the autumn: the projection recovers, the activities are done
        self.booking(utc(YEAR, 9, 1, 8), hours=400)
        forecast = self.refresh()
        self.assertFalse(forecast.alert)
        self.assertFalse(forecast.alert_since)
        self.assertFalse(self.warnings(forecast))
        self.assertIn(
            self.activity_type,
            forecast.message_ids.mail_activity_type_id,
            "the activities are marked done (a message), not deleted",
        )

    def test_alert_on_points(self):
        self.booking(utc(YEAR, 9, 1, 8), hours=400)
        forecast = self.refresh(points=59.5)
        self.assertTrue(forecast.alert)
        self.assertEqual(forecast.alert_reason, "Projected score 59.5 points, below 60 points")
        forecast = self.refresh(points=60.0)  # exactly 60 passes
        self.assertFalse(forecast.alert)

    def test_an_instrument_not_assessed_this_year_is_not_alerted(self):
        late = self.instrument("Opened 8 Oct", date(YEAR, 10, 8))
        self.refresh()
        forecast = self.Forecast.search([("instrument_id", "=", late.id)])
        self.assertEqual(forecast.status, "not_assessed")
        self.assertFalse(forecast.alert)
        self.assertFalse(self.warnings(forecast))

    def test_a_new_instrument_is_projected_as_it_will_be_prorated(self):
        new = self.instrument("New Cryo-EM", date(YEAR, 3, 15))
        self.done(utc(YEAR, 6, 1, 8), hours=30, instrument=new)
        self.refresh()
        forecast = self.Forecast.search([("instrument_id", "=", new.id)])
        # 30 h so far, all in the last 90 days (opened 108 days ago): 30 ÷ 90 h a day over the
        # 184 days left, no booking; then × 12 ÷ 9 full months
        self.assertAlmostEqual(forecast.projected_hours, (30 + 30 / 90 * 184) * 12 / 9)
        self.assertEqual(forecast.full_months, 9)

    def test_cron_refreshes_every_company(self):
        Forecast = type(self.env["facility.eval.forecast"])
        with (
            freeze_time(NOW),
            patch.object(Forecast, "_instrument_table", lambda self: TABLE),
            patch.object(scoring, "score_instrument", fake_score(lambda figures: 70.0)),
        ):
            self.env.ref("core_facility_eval.ir_cron_eval_forecast_refresh").method_direct_trigger()
        self.assertTrue(self.Forecast.search([("instrument_id", "=", self.spirit.id)]))

    def test_the_early_warning_is_read_as_the_roles_read_it(self):
        self.refresh()
        spirit = self.Forecast.with_user(self.manager_spirit).search([("year", "=", YEAR)])
        self.assertEqual(spirit.instrument_id, self.spirit)
        heads = self.Forecast.with_user(self.unit_head).search([("year", "=", YEAR)])
        self.assertIn(self.spirit, heads.instrument_id)
        self.assertEqual(heads.unit_id, self.research_unit)
