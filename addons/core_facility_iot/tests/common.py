"""Fixtures shared by the IoT tests: the core_facility test facility plus a box on the Spirit
whose secret the tests know, and helpers to sign and post batches as that box would."""

import calendar
import json
from datetime import UTC, datetime, timedelta

from odoo.addons.core_facility.tests.common import FacilityCase

from ..rules import signing
from ..rules.codes import Channel

SECRET = "test-secret-of-the-spirit-box"


def iso(moment):
    """ISO 8601 with an offset, as a box sends times (``moment`` naive UTC)."""
    return moment.replace(tzinfo=UTC).isoformat()


def epoch(moment):
    """Integer epoch seconds of a naive UTC datetime."""
    return calendar.timegm(moment.timetuple())


def event(uid, kind, ts, **extra):
    """One event as a box sends it (``ts`` naive UTC)."""
    return {"id": uid, "type": kind, "ts": iso(ts), **extra}


class IotCase(FacilityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.box = cls.env["facility.box"].create(
            {
                "serial": "SPIRIT-BOX-1",
                "instrument_id": cls.spirit.id,
                "gateway": "GW-B1",
                "control_pc": True,
                "control_power": True,
            }
        )
        cls._give_secret(cls.box, SECRET)
        cls.key = signing.secret_hash(SECRET)

    @classmethod
    def _give_secret(cls, box, secret):
        """Set a known secret (tests only: boxes get random ones)."""
        box.sudo()._write_guarded({"secret_hash": signing.secret_hash(secret)})

    def sign(self, body, now, key=None, timestamp=None):
        """``(timestamp, signature)`` of ``body`` (bytes) made at ``now`` (naive UTC)."""
        timestamp = str(epoch(now)) if timestamp is None else timestamp
        return timestamp, signing.signature(key or self.key, timestamp, body)

    def receive(self, events, now, box=None, key=None, body=None, channel=Channel.HTTP):
        """Post ``events`` (a list, or ``body`` bytes as given) signed at ``now`` through the
        intake, as ``box``: ``(status, answer)``."""
        box = box or self.box
        body = json.dumps(events).encode() if body is None else body
        timestamp, signature = self.sign(body, now, key)
        return self.env["facility.box.event"]._receive(
            box.serial, timestamp, signature, body, channel, now=now
        )

    @staticmethod
    def minutes(moment, n):
        return moment + timedelta(minutes=n)


NOW = datetime(2041, 3, 6, 2, 0, 0)  # a Wednesday, 10:00 in Shanghai
