from datetime import datetime, timedelta

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.core_facility.models.access import permit
from odoo.addons.core_facility.tests.test_booking_concurrency import CommittedCase, _env


@tagged("post_install", "-at_install")
class TestChargeGenerationConcurrency(CommittedCase):
    """Two sessions generating the line of the same booking at once (its finalisation and the
    catch-up cron): one line, and the later session fails nothing."""

    def _prepare(self, env, instrument, groups):
        standard = permit(env["facility.fee.standard"]).create(
            {
                "name": "Concurrency rate",
                "instrument_id": instrument.id,
                "payer_category": "internal",
                "fee_unit": "hour",
                "unit_price": 100.0,
                "date_from": "2040-01-01",
                "state": "approved",
            }
        )
        start = datetime(2040, 9, 3, 2)
        booking = (
            env["facility.booking"]
            .with_context(booking_skip_rules=True)
            .create(
                {
                    "instrument_id": instrument.id,
                    "operator_id": env.ref("base.user_admin").id,
                    "research_group_id": groups[0].id,
                    "purpose": "Race",
                    "date_start": start,
                    "date_stop": start + timedelta(hours=2),
                    "state": "no_show",
                }
            )
        )
        self.ids.update(standard=standard.id, booking=booking.id)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM facility_charge WHERE booking_id = %s", [self.ids["booking"]])
            cr.execute("DELETE FROM facility_fee_standard WHERE id = %s", [self.ids["standard"]])
        return super()._cleanup()

    def test_two_sessions_generate_the_same_line(self):
        booking_id = self.ids["booking"]
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a, env_b = _env(cr_a), _env(cr_b)
            booking_b = env_b["facility.booking"].browse(booking_id)
            self.assertFalse(booking_b.charge_ids)  # B's snapshot: no line yet
            created_a = env_a["facility.booking"].browse(booking_id)._facility_generate_charges()
            self.assertEqual(len(created_a), 1)
            cr_a.commit()
            # B does not see A's line, inserts its own: the unique index refuses it, B goes on
            with mute_logger("odoo.sql_db"):
                created_b = booking_b._facility_generate_charges()
            self.assertFalse(created_b)
            cr_b.commit()
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT origin_key, amount::text FROM facility_charge WHERE booking_id = %s",
                [booking_id],
            )
            self.assertEqual(cr.fetchall(), [(f"booking:{booking_id}", "200.00")])
