"""Unbooked use reported over real HTTP: no one is logged in on a box's request, and recording the
violation (with its chatter notice) and the walk-in charge must still work — the demo's simulator
once found it failing on the empty user of an ``auth="none"`` route."""

import json

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from .common import NOW, event
from .test_session_common import UsageCase


@tagged("post_install", "-at_install")
class TestHttpUnbookedUse(HttpCase, UsageCase):
    def test_unbooked_use_over_http_is_recorded(self):
        events = [
            event("HL1", "pc_login", self.minutes(NOW, -150), user=self.student_a1.login),
            *(event(f"HB{k}", "heartbeat", self.minutes(NOW, -145 + 5 * k)) for k in range(17)),
            event("HO1", "pc_logout", self.minutes(NOW, -60)),
        ]
        body = json.dumps(events).encode()
        timestamp, signature = self.sign(body, NOW)
        with freeze_time(NOW):
            response = self.url_open(
                "/facility/iot/v1/events",
                data=body,
                headers={
                    "X-Facility-Box": self.box.serial,
                    "X-Facility-Timestamp": timestamp,
                    "X-Facility-Signature": signature,
                    "Content-Type": "application/json",
                },
            )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["accepted"], len(events))
        session = self.sessions(start_event_uid="HL1")
        self.assertTrue(session.is_unbooked)
        self.assertTrue(session.unbooked_recorded, session.match_note)
        violation = (
            self.env["facility.violation"]
            .sudo()
            .search([("source_key", "=", f"iot:{self.box.serial}:pc:HL1")])
        )
        self.assertEqual(violation.user_id, self.student_a1)
        self.assertTrue(violation.message_ids, "the group was told of the violation")
