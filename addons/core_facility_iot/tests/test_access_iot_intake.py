"""The access matrix of the intake: box events and the quarantine, as real non-admin users.

Box events are measured facts: instrument managers read those of their instruments' boxes,
facility managers read all, nobody creates, writes or deletes them (only the intake, as
superuser). The quarantine is the facility managers' desk: they read it, correct a new record's
body or box and replay or discard it through its actions; what was received (reason, original
body, counts) and the state never change by a write, and nothing is deleted.
"""

import json

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.core_facility.tests.test_access_matrix import (
    ALLOWED,
    FM,
    FOUND,
    HIDDEN,
    NOBODY,
    REFUSED,
    ROLES,
    STAFF,
    AccessMatrixCase,
    crud,
    crud_rows,
    locked,
    ref,
    search,
    write,
)

from ..rules import signing
from ..rules.codes import Channel, QuarantineState
from .common import NOW, SECRET, event

USER, PI, IM, FMGR, REVIEWER, FINANCE, PORTAL = ROLES
EVENT, QUARANTINE = "facility.box.event", "facility.box.quarantine"
OTHERS = (USER, PI, REVIEWER, FINANCE, PORTAL)

MODELS = {
    EVENT: (
        "event_spirit",
        lambda f: {
            "box_id": f.box_spirit.id,
            "instrument_id": f.spirit.id,
            "uid": "forged-1",
            "event_type": "pc_login",
            "ts": NOW,
        },
        lambda f: {"card": "FORGED"},
        crud(STAFF, NOBODY, NOBODY, NOBODY),
    ),
    QUARANTINE: (
        "quarantine_new",
        lambda f: {"channel": "http", "reason": "bad_signature", "body": "[]"},
        lambda f: {"body": '[{"id": "fixed"}]'},
        crud(FM, NOBODY, FM, NOBODY),
    ),
}

FIELD_ROWS = [
    # instrument managers find their instruments' events only
    *search(EVENT, "event_spirit", (IM, FMGR), [("uid", "!=", False)], FOUND),
    *search(EVENT, "event_t20", (IM,), [("uid", "!=", False)], HIDDEN),
    *search(EVENT, "event_t20", (FMGR,), [("uid", "!=", False)], FOUND),
    *search(EVENT, "event_spirit", OTHERS, [("uid", "!=", False)], HIDDEN),
    # the quarantine is the facility managers' alone
    *search(QUARANTINE, "quarantine_new", (FMGR,), [("reason", "!=", False)], FOUND),
    *search(QUARANTINE, "quarantine_new", (IM, *OTHERS), [("reason", "!=", False)], HIDDEN),
    # what was received and the outcome change only through the intake and the actions
    *locked(
        QUARANTINE,
        "quarantine_new",
        (FMGR,),
        {
            "state": QuarantineState.REPLAYED,
            "original_body": "[]",
            "reason": "malformed_json",
            "detail": "forged",
            "serial": "OTHER-BOX",
            "repeat_count": 0,
            "status_code": 200,
            "body_hash": "0" * 64,
            "replay_result": "{}",
            "replayed_by_id": ref("director"),
            "received_at": "2030-01-01 00:00:00",
        },
    ),
    # a new record's box may be picked; a replayed one is history
    *write(QUARANTINE, "quarantine_new", (FMGR,), {"box_id": ref("box_t20")}, ALLOWED),
    *write(QUARANTINE, "quarantine_replayed", (FMGR,), {"body": "[]"}, REFUSED),
    *write(QUARANTINE, "quarantine_replayed", (FMGR,), {"box_id": ref("box_t20")}, REFUSED),
]


@tagged("post_install", "-at_install")
class TestAccessIotIntake(AccessMatrixCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Box = cls.env["facility.box"]
        cls.box_spirit = Box.create({"serial": "ACL-SPIRIT", "instrument_id": cls.spirit.id})
        cls.box_t20 = Box.create({"serial": "ACL-T20", "instrument_id": cls.t20.id})
        key = signing.secret_hash(SECRET)
        for box in cls.box_spirit | cls.box_t20:
            box.sudo()._write_guarded({"secret_hash": key})
        Event = cls.env["facility.box.event"]
        for box in cls.box_spirit | cls.box_t20:
            status, _answer = Event._take_batch(
                box, [event(f"{box.serial}-1", "pc_login", NOW)], Channel.HTTP, NOW
            )
            assert status == 200
        cls.event_spirit = Event.search([("uid", "=", "ACL-SPIRIT-1")])
        cls.event_t20 = Event.search([("uid", "=", "ACL-T20-1")])
        Quarantine = cls.env["facility.box.quarantine"]
        cls.quarantine_new = Quarantine.browse(
            Quarantine._keep(
                cls.box_spirit, "ACL-SPIRIT", Channel.HTTP, 401, "bad_signature", b"[]", "1"
            )
        )
        replayed_id = Quarantine._keep(
            cls.box_spirit,
            "ACL-SPIRIT",
            Channel.HTTP,
            400,
            "malformed_json",
            json.dumps([event("ACL-SPIRIT-2", "pc_logout", NOW)]).encode(),
            "1",
            authenticated=True,
        )
        cls.quarantine_replayed = Quarantine.browse(replayed_id)
        cls.quarantine_replayed._replay(NOW)
        assert cls.quarantine_replayed.state == QuarantineState.REPLAYED

    def test_intake_matrix(self):
        self._run([*crud_rows(MODELS), *FIELD_ROWS])

    def test_actions_are_the_facility_managers(self):
        """Replay and Discard as anyone else: refused, nothing changes."""
        for role in (USER, PI, IM, REVIEWER, FINANCE, PORTAL):
            user = self.roles[role]
            for action in ("action_replay", "action_discard"):
                outcome, _error = self._attempt_action(user, action)
                self.assertEqual(outcome, REFUSED, f"{role} {action}")
        self.assertEqual(self.quarantine_new.state, QuarantineState.NEW)

    def _attempt_action(self, user, action):
        record = self.quarantine_new.with_user(user)
        with self.env.cr.savepoint() as savepoint:
            try:
                getattr(record, action)()
                outcome, error = ALLOWED, None
            except (AccessError, UserError) as exc:
                outcome, error = REFUSED, exc
            finally:
                savepoint.rollback()
                self.env.invalidate_all()
        return outcome, error
