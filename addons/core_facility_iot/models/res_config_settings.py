from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..rules import boxes as box_rules
from ..rules.signing import DEFAULT_WINDOW_S


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    iot_replay_window_s = fields.Integer(
        string="Replay Window (s)",
        config_parameter="core_facility_iot.replay_window_s",
        default=DEFAULT_WINDOW_S,
        help="A box's signed request is taken only this many seconds either side of the server's "
        "clock (30 to 3600): a captured request cannot be replayed later. Boxes keep their clock "
        "by NTP; widen it only for boxes whose clock drifts.",
    )

    @api.constrains("iot_replay_window_s")
    def _check_iot_replay_window_s(self):
        for settings in self:
            if not box_rules.replay_window_ok(settings.iot_replay_window_s):
                raise ValidationError(
                    self.env._(
                        "The replay window must be between %(low)s and %(high)s seconds "
                        "(%(given)s given).",
                        low=box_rules.REPLAY_WINDOW_MIN_S,
                        high=box_rules.REPLAY_WINDOW_MAX_S,
                        given=settings.iot_replay_window_s,
                    )
                )
