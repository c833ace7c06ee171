from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..rules.events import normalize_card

INSTRUMENT_MANAGER = "core_facility.group_facility_instrument_manager"
FACILITY_MANAGER = "core_facility.group_facility_manager"
USER_ADMIN = "base.group_erp_manager"


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
        users = super().create(vals_list)
        users.filtered(lambda u: u.sudo().facility_card)._log_card_change({})
        return users

    def write(self, vals):
        if "facility_card" not in vals:
            return super().write(vals)
        vals = dict(vals, facility_card=self._normalized_card(vals["facility_card"]))
        if len(self) > 1 and vals["facility_card"]:
            raise ValidationError(self.env._("A card belongs to one user."))
        self._check_card_free(vals["facility_card"])
        before = {user.id: user.sudo().facility_card for user in self}
        # facility and instrument managers register cards without the right to edit users:
        # the card alone, of the users they answer for
        if (
            set(vals) == {"facility_card"}
            and not self.env.su
            and self.env.user.has_group(INSTRUMENT_MANAGER)
        ):
            self.check_access("read")
            self._check_card_editor()
            result = super(ResUsers, self.sudo()).write(vals)
        else:
            result = super().write(vals)
        self._log_card_change(before)
        return result

    def _check_card_editor(self):
        """Facility managers register anyone's card; an instrument manager only the card of a
        user who is not staff (instrument or facility manager, user administrator) and holds a
        qualification or a booking on an instrument they manage — never their own, nor a
        colleague's (a card opens the instruments in its holder's name)."""
        editor = self.env.user
        if editor.has_group(FACILITY_MANAGER):
            return
        managed = self.env["facility.instrument"].sudo().search([("manager_ids", "in", editor.id)])
        for user in self:
            staff = user.has_group(INSTRUMENT_MANAGER) or user.has_group(USER_ADMIN)
            if staff or not (managed and user._uses_any(managed)):
                raise AccessError(
                    self.env._(
                        "You register the access cards of the users of your instruments (a "
                        "qualification or a booking on them) only; %(user)s's card is registered "
                        "by a facility manager.",
                        user=user.name,
                    )
                )

    def _uses_any(self, instruments):
        """Whether the user holds a qualification or a booking on one of ``instruments``."""
        self.ensure_one()
        domain = [("instrument_id", "in", instruments.ids)]
        qualified = (
            self.env["facility.qualification"]
            .sudo()
            .search_count([*domain, ("user_id", "=", self.id)], limit=1)
        )
        return bool(
            qualified
            or self.env["facility.booking"]
            .sudo()
            .search_count([*domain, ("operator_id", "=", self.id)], limit=1)
        )

    def _log_card_change(self, before):
        """A note in the user's chatter (their partner's: users have none) for each card
        registered, changed or removed, naming who did it and never the number."""
        for user in self:
            old, new = before.get(user.id) or False, user.sudo().facility_card or False
            if old == new:
                continue
            editor = self.env.user.name
            if not old:
                body = self.env._("Access card registered by %(editor)s.", editor=editor)
            elif not new:
                body = self.env._("Access card removed by %(editor)s.", editor=editor)
            else:
                body = self.env._("Access card changed by %(editor)s.", editor=editor)
            user.partner_id.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")

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
