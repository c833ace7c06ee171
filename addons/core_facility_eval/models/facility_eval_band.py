from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..rules.bands import Band


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
    seed_text = fields.Char(
        string="As the Seed Writes It"
    )  # the seed's own Chinese words, never translated
    edge_by_default = fields.Boolean(
        string="Edge Resolved by Default",
        help="The seed writes the lower edge of this band open ('1400 < 机时 < 1600'), leaving "
        "the edge value in no band; the shipped default closes it: the edge value scores this "
        "band (1,400 h → 28).",
    )
    assumed = fields.Boolean(
        string="Not in the Seed",
        help="The seed has no such band (附件3 8.2 skips 20,000–30,000 CNY): the shipped "
        "default assumes it.",
    )

    # -- constraints -------------------------------------------------------------------------------

    @api.constrains("low", "high", "no_low", "no_high")
    def _check_edges(self):
        for band in self:
            if not band.no_low and not band.no_high and band.low > band.high:
                raise ValidationError(
                    self.env._(
                        "%(criterion)s: a band cannot start at %(low)s above its end %(high)s.",
                        criterion=band.criterion_id.name,
                        low=band.low,
                        high=band.high,
                    )
                )

    # -- business logic ----------------------------------------------------------------------------

    def _to_band(self, as_written=False):
        """This band as a :class:`bands.Band` (None for an unbounded side). ``as_written``: a
        lower edge closed by default is open again, as the seed writes it."""
        self.ensure_one()
        return Band(
            low=None if self.no_low else self.low,
            high=None if self.no_high else self.high,
            points=self.points,
            low_closed=self.low_closed and not (as_written and self.edge_by_default),
            high_closed=self.high_closed,
        )
