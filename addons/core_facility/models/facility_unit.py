from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.base.models.res_partner import _tz_get

from .access import ensure_single


class FacilityUnit(models.Model):
    """An organisational unit: institution, department (二级单位), platform or center, lab.

    Units form the "three-level management" tree of the seeds; every instrument belongs to one.
    """

    _name = "facility.unit"
    _description = "Facility Organisational Unit"
    _inherit = ["mail.thread"]
    _parent_store = True
    _rec_name = "complete_name"
    _order = "complete_name"

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(help="Short code of the unit, e.g. its code in the asset register.")
    unit_type = fields.Selection(
        [
            ("institution", "Institution"),
            ("department", "Department"),
            ("platform", "Platform / Center"),
            ("lab", "Laboratory / Group"),
        ],
        string="Type",
        required=True,
        default="lab",
        tracking=True,
    )
    parent_id = fields.Many2one(
        "facility.unit", string="Parent Unit", index=True, ondelete="restrict", tracking=True
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("facility.unit", "parent_id", string="Sub-units")
    complete_name = fields.Char(compute="_compute_complete_name", store=True, recursive=True)
    manager_id = fields.Many2one(
        "res.users",
        string="Head",
        tracking=True,
        help="Head of the unit (研究单元负责人); signs assessments of the unit's users.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    instrument_ids = fields.One2many("facility.instrument", "unit_id", string="Instruments")
    instrument_count = fields.Integer(compute="_compute_instrument_count")
    tz = fields.Selection(
        _tz_get,
        string="Time Zone",
        help="Time zone of the unit's instruments (their rules reason in it); empty: the parent "
        "unit's, else the company's.",
    )
    active = fields.Boolean(default=True)
    note = fields.Text()
    poor_integrity = fields.Boolean(
        tracking=True,
        help="Set when one of the unit's research groups is blacklisted for maliciously omitting "
        "the facility's acknowledgement (附件4): the unit's other groups feel it in their "
        "booking priority and technical services.",
    )
    poor_integrity_date = fields.Date(string="Poor Integrity Since", tracking=True)

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(code, company_id)",
            "A unit code must be unique within a company.",
        ),
    ]

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for unit in self:
            if unit.parent_id:
                unit.complete_name = f"{unit.parent_id.complete_name} / {unit.name}"
            else:
                unit.complete_name = unit.name

    def _compute_instrument_count(self):
        instruments = self.env["facility.instrument"]
        for unit in self:
            unit.instrument_count = (
                instruments.search_count([("unit_id", "child_of", unit.id)]) if unit.id else 0
            )

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(
                self.env._("A unit cannot be its own ancestor (units form a tree).")
            )

    def action_view_instruments(self):
        ensure_single(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility.action_facility_instrument"
        )
        action["domain"] = [("unit_id", "child_of", self.id)]
        action["context"] = {"default_unit_id": self.id}
        return action

    def _mark_poor_integrity(self, reason):
        """Mark these units of poor integrity (诚信度差) from today, with ``reason`` in their
        chatter: a staff decision's consequence, so it is written as the superuser."""
        for unit in self.sudo().filtered(lambda u: not u.poor_integrity):
            unit.write(
                {"poor_integrity": True, "poor_integrity_date": fields.Date.context_today(unit)}
            )
            unit.message_post(body=reason)

    def _get_heads(self):
        """Heads of this unit and of every unit above it, nearest first."""
        self.ensure_one()
        heads = self.env["res.users"]
        unit = self
        while unit:
            heads |= unit.manager_id
            unit = unit.parent_id
        return heads
