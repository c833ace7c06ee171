from odoo import fields, models


class FacilityEvalBand(models.Model):
    """A band of a criterion: ``low``..``high`` scores ``points``; each edge closed or open."""

    _name = "facility.eval.band"
    _description = "Evaluation Scoring Band"
    _order = "criterion_id, sequence, low, id"

    criterion_id = fields.Many2one(
        "facility.eval.criterion", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    low = fields.Float()
    high = fields.Float()
    no_low = fields.Boolean(string="No Lower Edge")
    no_high = fields.Boolean(string="No Upper Edge")
    low_closed = fields.Boolean(string="Includes Lower Edge", default=True)
    high_closed = fields.Boolean(string="Includes Upper Edge")
    points = fields.Float(required=True)
    seed_text = fields.Char(string="As the Seed Writes It", translate=True)
    edge_by_default = fields.Boolean(
        string="Edge Resolved by Default",
        help="The seed leaves an edge of this band unassigned; the shipped default closes it.",
    )
