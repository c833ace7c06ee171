"""Access rows of the boxes area, as real non-admin users (core_facility's matrix loop).

Facility managers register, change and remove boxes; the instruments' managers read their own
instruments' boxes and nothing else; no one else sees a box. The state, the secret's hash, the
last sign of life and the moment the secret was set change only through the box's actions
(refused even to facility managers); the hash is never read by anyone but a system
administrator. The dialog that shows a new secret is the facility managers'.
"""

from odoo.tests import tagged

from odoo.addons.core_facility.tests.test_access_matrix import (
    ALLOWED,
    FINANCE,
    FM,
    FMGR,
    FOUND,
    HIDDEN,
    IM,
    PI,
    PORTAL,
    REFUSED,
    REVIEWER,
    USER,
    AccessMatrixCase,
    crud,
    crud_rows,
    locked,
    rows,
    search,
    write,
)

from ..rules import signing

BOX, WIZARD = "facility.box", "facility.box.secret.wizard"
INSTRUMENT = "facility.instrument"
BOX_READERS = frozenset({IM, FMGR})
OTHERS = (USER, PI, REVIEWER, FINANCE, PORTAL)

MODELS = {
    BOX: (
        "box_spirit",
        lambda f: {"serial": "MATRIX-BOX-1", "instrument_id": f.spirit.id, "gateway": "GW-M"},
        lambda f: {"firmware": "cfbox 2.4.0"},
        crud(BOX_READERS, FM, FM, FM),
    ),
    WIZARD: (
        "secret_wizard",
        lambda f: {"box_id": f.box_spirit.id},
        lambda f: {"box_id": f.box_t20.id},
        crud(FM, FM, FM, FM),
    ),
}
FIELD_ROWS = [
    # state, secret, last sign of life: through the actions only, whoever asks
    *locked(
        BOX,
        "box_spirit",
        (IM, FMGR),
        {
            "state": "retired",
            "last_seen": "2041-03-06 02:00:00",
            "secret_rotated_at": "2041-03-06 02:00:00",
            "secret_hash": signing.secret_hash("chosen by hand"),
        },
    ),
    # the secret's hash is the HMAC key: read by no facility role
    *rows("read", BOX, "box_spirit", (IM, FMGR), ["secret_hash"], REFUSED),
    *rows("read", BOX, "box_spirit", (IM, FMGR), ["has_secret", "last_seen"], ALLOWED),
    *search(BOX, "box_spirit", (FMGR,), [("secret_hash", "!=", False)], HIDDEN),
    # an instrument manager sees his instruments' boxes only
    *search(BOX, "box_spirit", (IM, FMGR), [], FOUND),
    *search(BOX, "box_t20", (IM,), [], HIDDEN),
    *search(BOX, "box_t20", (FMGR,), [], FOUND),
    *search(BOX, "box_spirit", OTHERS, [], HIDDEN),
    *rows("read", BOX, "box_t20", (IM,), ["serial"], REFUSED),
    *write(BOX, "box_spirit", (IM,), {"gateway": "Mine"}, REFUSED),
    # the instrument's camera and boxes: its managers (and facility managers)
    *rows("read", INSTRUMENT, "spirit", (IM, FMGR), ["camera_url", "box_ids"], ALLOWED),
    *rows("read", INSTRUMENT, "spirit", OTHERS, ["camera_url"], REFUSED),
    *rows("read", INSTRUMENT, "spirit", OTHERS, ["box_ids"], REFUSED),
    *rows("read", INSTRUMENT, "spirit", (USER, PI, PORTAL), ["iot_fail_mode"], ALLOWED),
    *write(INSTRUMENT, "spirit", (IM, FMGR), {"camera_url": "https://cam.example/1"}, ALLOWED),
    *write(INSTRUMENT, "spirit", (IM, FMGR), {"iot_fail_mode": "open"}, ALLOWED),
    *write(INSTRUMENT, "t20", (IM,), {"camera_url": "https://cam.example/2"}, REFUSED),
    *write(INSTRUMENT, "t20", (IM,), {"iot_grace_minutes": 30}, REFUSED),
    *write(INSTRUMENT, "spirit", (USER, PI), {"iot_walk_in_minutes": 5}, REFUSED),
    *write(INSTRUMENT, "spirit", (IM,), {"iot_grace_minutes": -5}, REFUSED),
    *write(INSTRUMENT, "spirit", (FMGR,), {"iot_walk_in": True}, REFUSED),  # books, no walk-in
    # the secret dialog refers to a box of the facility manager's choice
    *rows("create", WIZARD, None, (IM,), lambda f: {"box_id": f.box_spirit.id}, REFUSED),
]


@tagged("post_install", "-at_install")
class TestAccessIotBoxes(AccessMatrixCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Box = cls.env["facility.box"]
        cls.box_spirit = Box.create({"serial": "MATRIX-SPIRIT-1", "instrument_id": cls.spirit.id})
        cls.box_spirit._set_new_secret()
        cls.box_t20 = Box.create({"serial": "MATRIX-T20-1", "instrument_id": cls.t20.id})
        cls.box_t20._set_new_secret()
        cls.secret_wizard = (
            cls.env[WIZARD]
            .with_user(cls.director)
            .with_context(box_secret="never stored")
            .create({"box_id": cls.box_spirit.id})
        )

    def test_boxes_matrix(self):
        self._run(crud_rows(MODELS))

    def test_boxes_field_rows(self):
        self._run(FIELD_ROWS)
