"""Fixtures of the machine-time tests (no tests here): cards on the users of group A, the
Spirit requiring the primary level (student A1 holds it, A2 does not), confirmed bookings made
by server code, and helpers to post the box's events and read its sessions."""

from datetime import timedelta

from odoo import fields

from .common import NOW, IotCase, event


class UsageCase(IotCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.spirit.required_level_id = cls.primary
        cls.grant(cls.student_a1, cls.spirit, cls.primary)
        cls.student_a1.facility_card = "04a1b2c3"
        cls.student_a2.facility_card = "04A2"
        cls.student_b1.facility_card = "04B1"
        cls.Session = cls.env["facility.usage.session"]
        cls.Decision = cls.env["facility.access.decision"]

    @classmethod
    def book(cls, start, hours=2.0, operator=None, group=None, instrument=None, state="confirmed"):
        """A booking made by server code (no rules: far-future times), confirmed unless told."""
        return (
            cls.env["facility.booking"]
            .sudo()
            .with_context(booking_skip_rules=True)
            .create(
                {
                    "instrument_id": (instrument or cls.spirit).id,
                    "operator_id": (operator or cls.student_a1).id,
                    "research_group_id": (group or cls.group_a).id,
                    "purpose": "Machine time test",
                    "date_start": start,
                    "date_stop": start + timedelta(hours=hours),
                    "state": state,
                }
            )
            .with_env(cls.env)
        )

    def post(self, *events, now=None, box=None):
        """Post ``events`` (dicts, see ``common.event``) through the intake at ``now``."""
        status, answer = self.receive(list(events), now or NOW, box=box)
        self.assertEqual(status, 200, answer)
        return answer

    def sessions(self, box=None, **domain):
        terms = [("box_id", "=", (box or self.box).id)]
        terms += [(name, "=", value) for name, value in domain.items()]
        return self.Session.search(terms, order="date_start, kind")

    @staticmethod
    def at(minutes):
        """``NOW`` plus ``minutes``."""
        return NOW + timedelta(minutes=minutes)

    @staticmethod
    def login(uid, minutes, **extra):
        return event(uid, "pc_login", NOW + timedelta(minutes=minutes), **extra)

    @staticmethod
    def logout(uid, minutes, **extra):
        return event(uid, "pc_logout", NOW + timedelta(minutes=minutes), **extra)

    @staticmethod
    def beat(uid, minutes):
        return event(uid, "heartbeat", NOW + timedelta(minutes=minutes))

    @classmethod
    def beats(cls, start, stop, every=5):
        """Heartbeats every ``every`` minutes from ``start`` to ``stop`` (minutes from NOW),
        as a live box sends them (ids unique per minute)."""
        return [cls.beat(f"H{m}", m) for m in range(start, stop + 1, every)]

    @staticmethod
    def swipe(uid, minutes, card):
        return event(uid, "card_swipe", NOW + timedelta(minutes=minutes), card=card)

    @staticmethod
    def utc(moment):
        return fields.Datetime.to_datetime(moment)
