import json
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from ..models.facility_booking import GUARDED_FIELDS
from .test_booking import NOW, BookingCase, local

REFUSED = (AccessError, UserError, ValidationError)


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestBookingLifecycle(BookingCase):
    """State, measured time and charges change only through the transitions."""

    def test_guarded_fields_are_refused_to_every_role(self):
        booking = self.book(self.spirit, local(2025, 12, 4, 9), local(2025, 12, 4, 12))
        values = {
            "state": "cancelled",
            "chargeable_hours": 0,
            "actual_start": local(2025, 12, 4, 9),
            "actual_stop": local(2025, 12, 4, 9),
            "is_late_cancellation": False,
            "is_underuse": False,
            "released_hours": 3,
            "reject_reason": "x",
            "booked_by_id": self.pi_a.id,
        }
        self.assertEqual(set(values) | {"used_hours", "cancel_date"}, set(GUARDED_FIELDS))
        for user in (self.student_a1, self.pi_a, self.manager_spirit, self.director):
            for name, value in values.items():
                with (
                    self.subTest(user=user.login, field=name),
                    self.assertRaisesRegex(UserError, "change only through its actions"),
                ):
                    booking.with_user(user).write({name: value})
        self.assertEqual(booking.state, "confirmed")
        self.assertEqual(booking.chargeable_hours, 3)

    def test_guarded_fields_are_ignored_when_creating(self):
        booking = self.book(
            self.titan,
            local(2025, 12, 4, 8, 30),
            local(2025, 12, 4, 18),
            state="confirmed",
            booked_by_id=self.pi_a.id,
            chargeable_hours=0,
        )
        self.assertEqual(booking.state, "requested")  # Titan: the manager confirms
        self.assertEqual(booking.booked_by_id, self.student_a1)

    def test_late_cancellation_through_the_action(self):
        # FV1200, light microscope: cancel at least 2 h before; 30 min before is late
        booking = self.book(self.confocal, local(2025, 12, 3, 14), local(2025, 12, 3, 16))
        with freeze_time(local(2025, 12, 3, 13, 30)):
            booking.with_user(self.student_a1).action_cancel()
        self.assertEqual(booking.state, "cancelled")
        self.assertTrue(booking.is_late_cancellation)
        self.assertEqual(booking.chargeable_hours, 2)
        self.assertEqual(booking.cancel_date, local(2025, 12, 3, 13, 30))

    def test_transitions_check_the_moment(self):
        booking = self.book(self.spirit, local(2025, 12, 8, 9), local(2025, 12, 8, 12))
        # days ahead: neither started nor done
        with self.assertRaisesRegex(UserError, "can be started from 15 minutes before"):
            booking.with_user(self.student_a1).action_start()
        with self.assertRaisesRegex(UserError, "has not started yet"):
            booking.with_user(self.student_a1).action_done()
        with self.assertRaisesRegex(UserError, "whose start has passed"):
            booking.with_user(self.manager_spirit).action_no_show()
        # a box reports the real times later: they are recorded as they were
        booking._start(at=local(2025, 12, 8, 8, 50))
        self.assertEqual(
            (booking.state, booking.actual_start), ("in_use", local(2025, 12, 8, 8, 50))
        )
        with self.assertRaisesRegex(UserError, "cannot finish before"):
            booking._finish(at=local(2025, 12, 8, 8, 40))
        booking._finish(at=local(2025, 12, 8, 11, 50))
        self.assertEqual(booking.state, "done")
        self.assertEqual(booking.used_hours, 3)
        self.assertFalse(booking.is_underuse)
        with self.assertRaisesRegex(UserError, "Only confirmed bookings can start"):
            booking._start(at=local(2025, 12, 8, 9))

    def test_the_charge_becomes_final_once(self):
        Booking = type(self.env["facility.booking"])
        with patch.object(Booking, "_finalize_charge", autospec=True) as final:
            done = self.book(self.spirit, local(2025, 12, 3, 10), local(2025, 12, 3, 12))
            done._start(at=local(2025, 12, 3, 10))
            self.assertEqual(final.call_count, 0)
            done._finish(at=local(2025, 12, 3, 12))
            cancelled = self.book(self.spirit, local(2025, 12, 4, 10), local(2025, 12, 4, 12))
            cancelled.action_cancel()
            no_show = self.book(self.spirit, local(2025, 12, 5, 10), local(2025, 12, 5, 12))
            no_show._mark_no_show(at=local(2025, 12, 5, 11))
        finalized = self.env["facility.booking"].concat(*(c.args[0] for c in final.call_args_list))
        self.assertEqual(finalized, done | cancelled | no_show)

    def test_confirmation_rechecks_the_rules(self):
        request = self.book(self.titan, local(2025, 12, 4, 8, 30), local(2025, 12, 4, 18))
        allocation = self.allocation_of(self.titan, self.group_a, "2025-12-01")
        allocation.hours = 5  # the committee corrected the allocation meanwhile
        with self.assertRaisesRegex(ValidationError, "Allocation rule"):
            request.with_user(self.manager_t20).action_confirm()
        self.assertEqual(request.state, "requested")

    def test_a_request_made_before_the_deadline_is_confirmed_after_it(self):
        # January's hours lapse after the 1st unless booked; this request was made before
        with freeze_time(local(2025, 12, 28, 10)):
            request = self.book(self.titan, local(2026, 1, 5, 8, 30), local(2026, 1, 5, 18))
        with freeze_time(local(2026, 1, 3, 10)):
            request.with_user(self.manager_t20).action_confirm()
        self.assertEqual(request.state, "confirmed")

    def test_competing_requests_are_rejected_to_the_waitlist(self):
        first = self.book(self.titan, local(2025, 12, 4, 8, 30), local(2025, 12, 4, 18))
        second = self.book(
            self.titan, local(2025, 12, 4, 8, 30), local(2025, 12, 4, 18), user=self.student_a2
        )
        first.with_user(self.manager_t20).action_confirm()
        self.assertEqual(second.state, "rejected")
        self.assertRegex(second.reject_reason, f"given to {first.name} .*waitlist")
        entry = self.env["facility.booking.waitlist"].search([("user_id", "=", self.student_a2.id)])
        self.assertEqual((entry.state, entry.date_from), ("waiting", second.date_start))
        # the first request is cancelled: the freed time is offered to the rejected requester
        first.with_user(self.student_a1).action_cancel()
        self.assertEqual(entry.state, "offered")

    def test_who_may_book_for_whom(self):
        start, stop = local(2025, 12, 4, 9), local(2025, 12, 4, 12)
        with self.assertRaisesRegex(ValidationError, "Booker rule"):
            self.book(
                self.spirit, start, stop, user=self.student_a2, operator_id=self.student_a1.id
            )
        with self.assertRaisesRegex(ValidationError, "Operator rule: .* not a member of Group A"):
            self.book(self.spirit, start, stop, user=self.student_b1, group=self.group_a)
        on_behalf = self.book(
            self.spirit,
            start,
            stop,
            user=self.pi_a,
            group=self.group_a,
            operator_id=self.student_a1.id,
        )
        self.assertEqual(
            (on_behalf.booked_by_id, on_behalf.operator_id), (self.pi_a, self.student_a1)
        )

    def test_oversized_purpose_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "at most 200 characters"):
            self.book(
                self.spirit, local(2025, 12, 4, 9), local(2025, 12, 4, 12), purpose="x" * 200_000
            )

    def test_archived_people_and_instruments(self):
        start, stop = local(2025, 12, 4, 9), local(2025, 12, 4, 12)
        self.pi_a.active = False  # the group's PI left: members still book
        booking = self.book(self.spirit, start, stop)
        self.assertEqual(booking.state, "confirmed")
        self.student_a2.active = False
        with self.assertRaisesRegex(ValidationError, "Operator rule: .* archived"):
            self.book(
                self.spirit,
                start + timedelta(days=1),
                stop + timedelta(days=1),
                user=self.manager_spirit,
                group=self.group_a,
                operator_id=self.student_a2.id,
            )
        self.spirit.active = False
        with self.assertRaisesRegex(ValidationError, "archived and can no longer be booked"):
            self.book(self.spirit, start + timedelta(days=2), stop + timedelta(days=2))

    def test_finder_refuses_a_ten_year_window(self):
        with self.assertRaisesRegex(ValidationError, "at most 92 days"):
            self.env["facility.booking.finder"].with_user(self.student_a1).create(
                {"instrument_id": self.spirit.id, "duration_hours": 2, "days": 3650}
            )


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestInstrumentTimeApi(BookingCase):
    def test_busy_intervals_and_who_is_booked(self):
        booking = self.book(self.spirit, local(2025, 12, 4, 9), local(2025, 12, 4, 12))
        self.env["facility.booking.blackout"].create(
            {
                "name": "Tuning",
                "instrument_id": self.spirit.id,
                "date_start": local(2025, 12, 5, 8),
                "date_stop": local(2025, 12, 5, 18),
            }
        )
        busy = self.spirit.with_user(self.student_b1).get_busy_intervals(
            local(2025, 12, 4, 0), "2025-12-06 00:00:00"
        )
        self.assertEqual(
            [(b["kind"], b["start"]) for b in busy],
            [("booking", local(2025, 12, 4, 9)), ("reserved", local(2025, 12, 5, 8))],
        )
        self.assertEqual(self.spirit.get_booking_at(local(2025, 12, 4, 10)), booking)
        self.assertFalse(self.spirit.get_booking_at(local(2025, 12, 4, 12)))
        with self.assertRaisesRegex(UserError, "at most 400 days"):
            self.spirit.get_busy_intervals("2025-01-01 00:00:00", "2035-01-01 00:00:00")
        with self.assertRaisesRegex(UserError, "is not a date and time"):
            self.spirit.get_busy_intervals("soon", "later")

    def test_bookable_times_are_what_the_user_may_book(self):
        self.book(self.spirit, local(2025, 12, 4, 9), local(2025, 12, 4, 12))
        times = self.spirit.with_user(self.student_a2).get_bookable_times(
            self.student_a2.id,
            self.group_a.id,
            local(2025, 12, 4),
            local(2025, 12, 5),
            1,
            step_minutes=60,
        )
        # primary only: working hours (08:30-17:00) on the hour, around the booked morning
        self.assertEqual(
            [start for start, _stop in times], [local(2025, 12, 4, h) for h in range(12, 17)]
        )
        for bad in ("x", 0, -3):
            with self.assertRaises(UserError):
                self.spirit.get_bookable_times(
                    bad, self.group_a, local(2025, 12, 4), local(2025, 12, 5), 1
                )
        with self.assertRaises(UserError):
            self.spirit.get_bookable_times(
                self.student_a2, self.group_a, local(2025, 12, 4), local(2025, 12, 5), "long"
            )

    def test_group_hours(self):
        done = self.book(self.spirit, local(2025, 12, 3, 10), local(2025, 12, 3, 14))
        done._start(at=local(2025, 12, 3, 10))
        done._finish(at=local(2025, 12, 3, 13))
        self.book(self.spirit, local(2025, 12, 4, 10), local(2025, 12, 4, 12), user=self.student_b1)
        hours = self.spirit.with_user(self.finance).get_group_hours(
            local(2025, 12, 1), local(2026, 1, 1)
        )
        self.assertEqual(hours[self.group_a.id], {"booked": 4, "used": 3, "chargeable": 4})
        self.assertEqual(hours[self.group_b.id]["booked"], 2)
        with self.assertRaises(AccessError):
            self.spirit.with_user(self.student_a1).get_group_hours(
                local(2025, 12, 1), local(2026, 1, 1)
            )

    def test_time_zone_of_the_instrument(self):
        self.assertEqual(self.spirit.get_timezone(), "Asia/Shanghai")
        self.institution.tz = "Asia/Urumqi"
        self.assertEqual(self.spirit.get_timezone(), "Asia/Urumqi")  # from a parent unit
        self.center.tz = "Asia/Hong_Kong"
        self.assertEqual(self.spirit.get_timezone(), "Asia/Hong_Kong")
        self.spirit.tz = "Europe/Paris"
        self.assertEqual(self.spirit.get_timezone(), "Europe/Paris")


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestPresetsAreComplete(BookingCase):
    """Each preset of data/ attached to a new instrument with a certification scheme enforces
    the seed's rules for its family, with no level chosen by hand."""

    def new_instrument(self, preset, independent=True):
        instrument = self.env["facility.instrument"].create(
            {
                "name": f"New {preset}",
                "unit_id": self.center.id,
                "booking_policy_id": self.env.ref(f"core_facility.{preset}").id,
                "manager_ids": [Command.set(self.manager_spirit.ids)],
            }
        )
        scheme = self.env["facility.certification.scheme"].create(
            {"name": f"Scheme {preset}", "instrument_ids": [Command.set(instrument.ids)]}
        )
        Level = self.env["facility.certification.level"]
        basic = Level.create({"name": "Basic", "sequence": 1, "scheme_id": scheme.id})
        full = Level.create(
            {
                "name": "Independent",
                "sequence": 2,
                "scheme_id": scheme.id,
                "prerequisite_id": basic.id,
                "allows_independent_use": independent,
            }
        )
        return instrument, basic, full

    def test_helios_weekends_need_certification(self):
        helios, basic, _full = self.new_instrument("policy_helios")
        self.allocations.create(
            {
                "instrument_id": helios.id,
                "research_group_id": self.group_a.id,
                "month": "2025-12-01",
                "hours": 100,
                "forfeit_date": "2025-12-02",
                "forfeited_hours": 0,
            }
        )
        with self.assertRaisesRegex(ValidationError, "Weekend rule: .* holders of Basic"):
            self.book(helios, local(2025, 12, 6, 9), local(2025, 12, 6, 12))
        self.grant(self.student_a1, helios, basic)
        self.book(helios, local(2025, 12, 5, 9), local(2025, 12, 5, 17))
        self.book(helios, local(2025, 12, 6, 9), local(2025, 12, 6, 12))  # next to Friday

    def test_routine_tem_off_hours_need_the_independent_level(self):
        tem, basic, full = self.new_instrument("policy_tem_routine")
        self.grant(self.student_a1, tem, basic)
        with self.assertRaisesRegex(ValidationError, "Off-hours rule: .* needs Independent"):
            self.book(tem, local(2025, 12, 4, 18), local(2025, 12, 4, 20))
        self.grant(self.student_a1, tem, full, date_granted="2025-02-01")
        self.book(tem, local(2025, 12, 4, 18), local(2025, 12, 4, 20))

    def test_talos_whole_days_need_the_independent_level(self):
        talos, basic, full = self.new_instrument("policy_talos")
        self.allocations.create(
            {
                "instrument_id": talos.id,
                "research_group_id": self.group_a.id,
                "month": "2025-12-01",
                "hours": 100,
                "forfeit_date": "2025-12-02",
                "forfeited_hours": 0,
            }
        )
        whole_day = (local(2025, 12, 4, 8, 30), local(2025, 12, 5, 8))
        with self.assertRaisesRegex(ValidationError, "Slot rule: without Independent"):
            self.book(talos, *whole_day)
        self.grant(self.student_a1, talos, basic)
        self.grant(self.student_a1, talos, full, date_granted="2025-02-01")
        self.book(talos, *whole_day)


@tagged("post_install", "-at_install")
class TestBookingOverRpc(BookingCase, HttpCase):
    """The guard holds over JSON-RPC: an operator cannot write their booking's state or charge."""

    def call_kw(self, model, method, args):
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {"model": model, "method": method, "args": args, "kwargs": {}},
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def test_operator_cannot_write_state_over_rpc(self):
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=1)
        booking = (
            self.env["facility.booking"]
            .sudo()
            .with_context(booking_skip_rules=True)
            .create(
                {
                    "instrument_id": self.spirit.id,
                    "operator_id": self.student_a1.id,
                    "research_group_id": self.group_a.id,
                    "purpose": "RPC",
                    "date_start": start,
                    "date_stop": start + timedelta(hours=2),
                    "state": "confirmed",
                }
            )
        )
        self.authenticate(self.student_a1.login, self.student_a1.login)
        for values in ({"state": "cancelled"}, {"chargeable_hours": 0}, {"is_underuse": True}):
            answer = self.call_kw("facility.booking", "write", [booking.ids, values])
            self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.UserError")
            self.assertIn("change only through its actions", answer["error"]["data"]["message"])
        # the transition is the way, and it records the cancellation
        answer = self.call_kw("facility.booking", "action_cancel", [booking.ids])
        self.assertNotIn("error", answer)
        booking.invalidate_recordset()
        self.assertEqual(booking.state, "cancelled")


@tagged("post_install", "-at_install")
class TestBookingInputOverRpc(BookingCase, HttpCase):
    """What a client gets wrong is refused with a reason, never a server error."""

    def test_bad_values_over_rpc(self):
        self.authenticate(self.student_a1.login, self.student_a1.login)
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=1)
        good = {
            "instrument_id": self.spirit.id,
            "research_group_id": self.group_a.id,
            "purpose": "RPC",
            "date_start": fields.Datetime.to_string(start),
            "date_stop": fields.Datetime.to_string(start + timedelta(hours=1)),
        }
        cases = {
            "is out of range": {"date_start": "9999-12-31 10:00:00"},
            "out of range": {"date_start": "0001-01-01 10:00:00"},
            "is not a date and time": {"date_stop": "tomorrow"},
            "A booking needs: .*Purpose": {"purpose": False},
            "A booking needs: .*End": {"date_stop": False},
            "is not a record number": {"instrument_id": "abc"},
            "at most 200 characters": {"purpose": "x" * 200_000},
        }
        for message, change in cases.items():
            with self.subTest(message=message):
                answer = TestBookingOverRpc.call_kw(
                    self, "facility.booking", "create", [dict(good, **change)]
                )
                self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.ValidationError")
                self.assertRegex(answer["error"]["data"]["message"], message)
        answer = TestBookingOverRpc.call_kw(
            self,
            "facility.qualification",
            "is_qualified",
            [self.student_a1.id, self.spirit.id, self.primary.id],
        )
        self.assertNotIn("error", answer)
