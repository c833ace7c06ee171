from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .facility_collaboration import PLACE_STATES


class FacilityCollaborationYear(models.Model):
    """The number of collaborations the facility takes on in a year (附件5: 每年合作研究服务的
    名额有限). Each collaboration of the year that is not cancelled takes a place; a year without
    a record has no limit (nothing is seeded: the facility manager sets the places)."""

    _name = "facility.collaboration.year"
    _description = "Collaboration Places per Year"
    _order = "year desc"
    _rec_name = "year"

    year = fields.Integer(required=True, default=lambda self: fields.Date.context_today(self).year)
    places = fields.Integer(required=True, help="Collaborations the facility takes on this year.")
    used = fields.Integer(
        string="Taken",
        compute="_compute_used",
        help="Collaborations of the year that are not cancelled.",
    )
    remaining = fields.Integer(compute="_compute_used")
    note = fields.Text()
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    _sql_constraints = [
        (
            "year_company_unique",
            "UNIQUE(year, company_id)",
            "A year has one number of collaboration places.",
        ),
        ("places_positive", "CHECK(places >= 0)", "The number of places cannot be negative."),
        ("year_range", "CHECK(year BETWEEN 2000 AND 2999)", "Give the year in full, e.g. 2026."),
    ]

    @api.depends("year", "places", "company_id")
    def _compute_used(self):
        counts = self._used_counts()
        for record in self:
            record.used = counts.get((record.year, record.company_id.id), 0)
            record.remaining = record.places - record.used

    @api.constrains("places")
    def _check_places(self):
        for record in self:
            if record.places < record.used:
                raise ValidationError(
                    self.env._(
                        "Collaboration places: %(year)s already has %(used)s collaborations; it "
                        "cannot have fewer places (%(places)s).",
                        year=record.year,
                        used=record.used,
                        places=record.places,
                    )
                )

    def _used_counts(self):
        """Collaborations taking a place, per ``(year, company_id)`` of these records."""
        if not self:
            return {}
        groups = (
            self.env["facility.collaboration"]
            .sudo()
            ._read_group(
                [
                    ("year", "in", self.mapped("year")),
                    ("company_id", "in", self.company_id.ids),
                    ("state", "in", PLACE_STATES),
                ],
                ["year", "company_id"],
                ["__count"],
            )
        )
        return {(year, company.id): count for year, company, count in groups}

    @api.model
    def _take_places(self, year, company_id, count=1):
        """Refuse (ValidationError, with the figures) ``count`` more collaborations in ``year``
        when its places are taken. Serialised per year: the year's row is updated first, so two
        approvals at once cannot both take the last place (the later one fails to serialise and
        is retried, then sees the first). A year without a record has no limit."""
        record = self.sudo().search([("year", "=", year), ("company_id", "=", company_id)], limit=1)
        if not record:
            return True
        self.env.cr.execute(
            SQL(
                "UPDATE facility_collaboration_year SET places = places WHERE id = %s",
                record.id,
            )
        )
        self.env["facility.collaboration"].flush_model(["year", "company_id", "state"])
        record.invalidate_recordset(["used", "remaining"])
        if record.used + count <= record.places:
            return True
        if record.used >= record.places:
            message = self.env._(
                "Collaboration places: the %(places)s collaboration places of %(year)s are "
                "taken (%(used)s collaborations).",
                places=record.places,
                year=year,
                used=record.used,
            )
        else:
            message = self.env._(
                "Collaboration places: %(year)s has %(places)s collaboration places, "
                "%(used)s are taken; %(count)s more asked.",
                places=record.places,
                year=year,
                used=record.used,
                count=count,
            )
        raise ValidationError(message)
