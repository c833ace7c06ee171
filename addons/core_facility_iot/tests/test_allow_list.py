"""The offline allow-list: signed, canonical, the next 24 hours of bookings whose operators pass
the same facts as online; with the network cut, the box decides from it exactly as the server
would have (same decision, same until), and fails per the instrument's mode once it expired."""

import json
from datetime import datetime, timedelta

from odoo.tests import tagged

from ..rules import allowlist, decision, usage
from ..rules.codes import AllowReason, Decision, DenyReason, FailMode
from .common import NOW
from .test_session_common import UsageCase


def _until(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ") if text else None


@tagged("post_install", "-at_install")
class TestAllowList(UsageCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grant(cls.student_b1, cls.spirit, cls.primary)
        # bookings of one instrument never overlap: one case after the other
        cls.booked_a1 = cls.book(NOW - timedelta(hours=1), hours=3)  # now
        cls.booked_b1 = cls.book(
            NOW + timedelta(hours=3), hours=1, operator=cls.student_b1, group=cls.group_b
        )
        cls.booked_a2 = cls.book(NOW + timedelta(hours=5), hours=1, operator=cls.student_a2)
        cls.group_b.write({"state": "suspended", "state_reason": "Unpaid fees"})
        # a booking without a card, and one past the 24 hours: never listed
        cls.book(NOW + timedelta(hours=8), hours=1, operator=cls.pi_a)
        cls.book(NOW + timedelta(hours=30), hours=1)

    def download(self, now=NOW):
        return self.Decision._allow_list(self.box, now=now)

    def offline(self, payload, signature, card, moment):
        """What the box decides with the network cut, from what it downloaded."""
        held = allowlist.parse_allow_list(self.key, payload, signature)
        return decision.offline_decide(held, card, moment, usage.fail_mode_of(payload))

    def test_the_document(self):
        payload, signature = self.download()
        document = json.loads(payload)
        self.assertEqual(
            document["entries"],
            [{"card": "04A1B2C3", "start": "2041-03-06T01:00:00Z", "stop": "2041-03-06T04:15:00Z"}],
        )
        self.assertEqual(document["issued_at"], "2041-03-06T02:00:00Z")
        self.assertEqual(document["valid_until"], "2041-03-07T02:00:00Z")
        self.assertEqual(document["fail_mode"], FailMode.CLOSED)
        self.assertEqual(signature, allowlist.sign_allow_list(self.key, payload))
        # canonical: the same facts, the same bytes
        self.assertEqual(self.download(), (payload, signature))

    def test_offline_decides_as_online(self):
        payload, signature = self.download()
        cases = [
            ("booked now", "04A1B2C3", NOW, (Decision.ALLOW, AllowReason.BOOKING)),
            (
                "suspended group",
                "04B1",
                NOW + timedelta(hours=3, minutes=10),
                (Decision.DENY, DenyReason.GROUP_SUSPENDED),
            ),
            (
                "not qualified",
                "04A2",
                NOW + timedelta(hours=5, minutes=10),
                (Decision.DENY, DenyReason.NOT_QUALIFIED),
            ),
            (
                "no booking",
                "04A1B2C3",
                NOW + timedelta(hours=6),
                (Decision.DENY, DenyReason.NO_BOOKING),
            ),
            (
                "in the grace",
                "04A1B2C3",
                NOW + timedelta(hours=2, minutes=10),
                (Decision.ALLOW, AllowReason.BOOKING),
            ),
        ]
        for name, card, moment, expected in cases:
            with self.subTest(case=name):
                status, online = self.Decision._answer(self.box, {"card": card}, now=moment)
                self.assertEqual(status, 200)
                self.assertEqual((online["decision"], online["reason"]), expected)
                verdict, _reason, until = self.offline(payload, signature, card, moment)
                self.assertEqual(verdict, online["decision"])
                self.assertEqual(until, _until(online["until"]))

    def assertSameOnlineOffline(self, payload, signature, card, moment, expected):
        status, online = self.Decision._answer(self.box, {"card": card}, now=moment)
        self.assertEqual(status, 200)
        self.assertEqual(online["decision"], expected[0], online)
        if len(expected) > 1:
            self.assertEqual(_until(online["until"]), expected[1])
        verdict, _reason, until = self.offline(payload, signature, card, moment)
        self.assertEqual((verdict, until), (online["decision"], _until(online["until"])))

    def test_the_grace_decides_as_the_list_does(self):
        """Review finding 9 (b): after a booking's end, online allows during the grace what
        the list allows — a booking shorter than the grace, one the job already finished, and
        back-to-back bookings chained into one span."""
        hour = timedelta(hours=1)
        short = self.book(NOW + 10 * hour, hours=10 / 60)
        first = self.book(NOW + 12 * hour, hours=1)
        second = self.book(NOW + 13 * hour + timedelta(minutes=5), hours=1)
        finished = self.book(NOW + 15 * hour, hours=1)
        payload, signature = self.download()
        finished.state = "done"  # the job finishes it at its stop
        grace = timedelta(minutes=15)
        card = "04A1B2C3"
        cases = [
            ("shorter than the grace", short.date_stop + timedelta(minutes=2), short.date_stop),
            ("back to back", first.date_start + timedelta(minutes=30), second.date_stop),
            ("in the gap", first.date_stop + timedelta(minutes=2), second.date_stop),
            (
                "finished, in its grace",
                finished.date_stop + timedelta(minutes=5),
                finished.date_stop,
            ),
        ]
        for name, moment, stop in cases:
            with self.subTest(case=name):
                self.assertSameOnlineOffline(
                    payload, signature, card, moment, (Decision.ALLOW, stop + grace)
                )
        after = finished.date_stop + grace
        self.assertSameOnlineOffline(payload, signature, card, after, (Decision.DENY,))

    def test_walk_in_is_listed(self):
        """Review finding 9 (a): on a log-only instrument allowing walk-in use, the list holds
        the cards that may walk in, so that the box lets them in offline as online (and a
        walk-in instrument failing closed is usable offline); the others stay out."""
        self.spirit.write({"booking_mode": "log", "iot_walk_in": True, "iot_walk_in_minutes": 30})
        payload, signature = self.download()
        self.assertEqual(json.loads(payload)["walk_in"], {"cards": ["04A1B2C3"], "minutes": 30})
        later = NOW + timedelta(hours=6, minutes=30)  # nobody's booking
        walk = (Decision.ALLOW, later + timedelta(minutes=30))
        self.assertSameOnlineOffline(payload, signature, "04A1B2C3", later, walk)
        for card in ("04A2", "04B1", "DEADBEEF"):  # not qualified, group suspended, unknown
            with self.subTest(card=card):
                self.assertSameOnlineOffline(payload, signature, card, later, (Decision.DENY,))
        # a booking still wins: until its end plus the grace
        self.assertSameOnlineOffline(
            payload,
            signature,
            "04A1B2C3",
            NOW,
            (Decision.ALLOW, self.booked_a1.date_stop + timedelta(minutes=15)),
        )
        # no booking in the next 24 hours: the walk-in cards alone make the list usable
        self.env.cr.execute(
            "DELETE FROM facility_booking WHERE instrument_id = %s", [self.spirit.id]
        )
        self.env.invalidate_all()
        payload, signature = self.download()
        self.assertEqual(json.loads(payload)["entries"], [])
        self.assertEqual(
            self.offline(payload, signature, "04A1B2C3", later)[:2],
            (Decision.ALLOW, AllowReason.OFFLINE_LIST),
        )
        self.assertEqual(
            self.offline(payload, signature, "04A2", later)[:2],
            (Decision.DENY, DenyReason.OFFLINE_NOT_LISTED),
        )

    def test_tampering_breaks_the_signature(self):
        payload, signature = self.download()
        forged = payload.replace(b"04:15:00Z", b"09:15:00Z")
        self.assertIsNone(allowlist.parse_allow_list(self.key, forged, signature))
        self.assertEqual(
            self.offline(forged, signature, "04A1B2C3", NOW + timedelta(hours=3)),
            (Decision.DENY, DenyReason.OFFLINE_FAIL_CLOSED, None),
        )
        other_box_key = "0" * 64
        self.assertIsNone(allowlist.parse_allow_list(other_box_key, payload, signature))

    def test_expired_list_fails_per_the_instrument(self):
        payload, signature = self.download()
        later = NOW + timedelta(hours=24)
        self.assertEqual(
            self.offline(payload, signature, "04A1B2C3", later),
            (Decision.DENY, DenyReason.OFFLINE_FAIL_CLOSED, None),
        )
        self.spirit.iot_fail_mode = FailMode.OPEN
        payload, signature = self.download()
        self.assertEqual(
            self.offline(payload, signature, "04A1B2C3", later),
            (Decision.ALLOW, AllowReason.OFFLINE_FAIL_OPEN, None),
        )
        # still valid: the list decides, not the fail mode
        self.assertEqual(
            self.offline(payload, signature, "04A2", NOW)[:2],
            (Decision.DENY, DenyReason.OFFLINE_NOT_LISTED),
        )

    def test_a_sanctioned_or_repaired_instrument_lists_nobody(self):
        self.spirit.state = "repair"
        payload, _signature = self.download()
        self.assertEqual(json.loads(payload)["entries"], [])
