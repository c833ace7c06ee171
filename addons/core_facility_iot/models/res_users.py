from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..rules.events import normalize_card

INSTRUMENT_MANAGER = "core_facility.group_facility_instrument_manager"


class ResUsers(models.Model):
    _inherit = "res.users"

    facility_card = fields.Char(
        string="Access Card",
        copy=False,
        groups="core_facility.group_facility_instrument_manager",
        help="The number of the user's campus card as the instrument boxes read it (unique).",
    )
    facility_card_own = fields.Char(
        string="My Access Card",
        compute="_compute_facility_card_own",
        help="The card the instrument boxes know you by; the instrument managers register it.",
    )

    _sql_constraints = [
        (
            "facility_card_unique",
            "UNIQUE(facility_card)",
            "This access card is already registered to another user.",
        ),
    ]

    @property
    def SELF_READABLE_FIELDS(self):
        return [*super().SELF_READABLE_FIELDS, "facility_card_own"]

    @api.depends_context("uid")
    def _compute_facility_card_own(self):
        """One's own card (read-only in the preferences); the staff see everyone's."""
        staff = self.env.su or self.env.user.has_group(INSTRUMENT_MANAGER)
        for user in self:
            if staff or user._origin.id == self.env.uid:
                user.facility_card_own = user.sudo().facility_card
            else:
                user.facility_card_own = False

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "facility_card" in vals:
                vals["facility_card"] = self._normalized_card(vals["facility_card"])
                self._check_card_free(vals["facility_card"])
        return super().create(vals_list)

    def write(self, vals):
        if "facility_card" in vals:
            vals = dict(vals, facility_card=self._normalized_card(vals["facility_card"]))
            if len(self) > 1 and vals["facility_card"]:
                raise ValidationError(self.env._("A card belongs to one user."))
            self._check_card_free(vals["facility_card"])
            # instrument managers register cards without the right to edit users: the card alone
            if set(vals) == {"facility_card"} and self.env.user.has_group(INSTRUMENT_MANAGER):
                self.check_access("read")
                return super(ResUsers, self.sudo()).write(vals)
        return super().write(vals)

    def _check_card_free(self, card):
        """A clear message before the unique index refuses a card of another user (the index
        holds under concurrency): read without flushing, so the index never speaks first."""
        if not card:
            return
        self.env.cr.execute(
            "SELECT id FROM res_users WHERE facility_card = %s AND NOT id = ANY(%s) LIMIT 1",
            [card, [i for i in self.ids if isinstance(i, int)]],
        )
        row = self.env.cr.fetchone()
        if row:
            raise ValidationError(
                self.env._(
                    "Access card %(card)s is already registered to %(holder)s; a card belongs "
                    "to one user.",
                    card=card,
                    holder=self.sudo().browse(row[0]).name,
                )
            )

    def _normalized_card(self, value):
        """The card as the boxes send it (``rules.events.normalize_card``), False when empty,
        or a clear error."""
        if not value or (isinstance(value, str) and not value.strip()):
            return False
        card = normalize_card(value)
        if card is None:
            raise ValidationError(
                self.env._(
                    "%(card)s is not a card number: at most 64 printable characters.",
                    card=str(value)[:40],
                )
            )
        return card
