from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..rules import certification as rules


class FacilityCertificationLevel(models.Model):
    """One level of a certification scheme, with its prerequisite, trainers and checklist."""

    _name = "facility.certification.level"
    _description = "Certification Level"
    _order = "scheme_id, sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char()
    sequence = fields.Integer(default=10, help="Order of the level within its scheme.")
    scheme_id = fields.Many2one(
        "facility.certification.scheme", required=True, ondelete="cascade", index=True
    )
    instrument_ids = fields.Many2many(
        "facility.instrument",
        "facility_certification_level_instrument_rel",
        "level_id",
        "instrument_id",
        string="Assessed On",
        help="Instruments on which this level is assessed; empty means every instrument of the "
        "scheme.",
    )
    prerequisite_id = fields.Many2one(
        "facility.certification.level",
        ondelete="restrict",
        domain="[('scheme_id', '=', scheme_id), ('id', '!=', id)]",
        help="Level the user must hold before being trained for or granted this one.",
    )
    prerequisite_scope = fields.Selection(
        [
            (rules.SCOPE_INSTRUMENT, "On the same instrument"),
            (rules.SCOPE_SCHEME, "On any instrument of the scheme"),
        ],
        default=rules.SCOPE_INSTRUMENT,
        required=True,
        help="Where the prerequisite must be held. Each microscope is assessed on its own, but "
        "the cryo level only asks for intermediate on some TEM.",
    )
    trainer_policy = fields.Selection(
        [
            (rules.POLICY_MANAGER, "Instrument managers only"),
            (rules.POLICY_STAFF, "Instrument managers and technicians"),
        ],
        default=rules.POLICY_MANAGER,
        required=True,
        help="Facility staff who may give the training of this level.",
    )
    peer_trainer_level_id = fields.Many2one(
        "facility.certification.level",
        string="Peer Trainers Must Hold",
        ondelete="restrict",
        domain="[('scheme_id', '=', scheme_id)]",
        help="When set, a member of the trainee's own research group who holds this level on the "
        "instrument may also give the training (e.g. primary training by a colleague certified "
        "intermediate).",
    )
    allows_independent_use = fields.Boolean(
        help="Holders may use the instrument on their own, including off-hours."
    )
    validity_months = fields.Integer(
        string="Validity (months)",
        help="Months a qualification at this level stays valid; 0 means it does not expire.",
    )
    item_ids = fields.One2many(
        "facility.certification.item", "level_id", string="Checklist", copy=True
    )
    description = fields.Html(translate=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "validity_positive",
            "CHECK(validity_months >= 0)",
            "The validity of a level cannot be negative.",
        ),
    ]

    @api.depends("name", "scheme_id.name")
    def _compute_display_name(self):
        for level in self:
            level.display_name = (
                f"{level.scheme_id.name} – {level.name}" if level.scheme_id else level.name
            )

    @api.constrains("prerequisite_id", "scheme_id", "peer_trainer_level_id")
    def _check_prerequisite(self):
        for level in self:
            if level.prerequisite_id and level.prerequisite_id.scheme_id != level.scheme_id:
                raise ValidationError(
                    self.env._(
                        "Level %(level)s: its prerequisite must belong to the same scheme.",
                        level=level.display_name,
                    )
                )
            if (
                level.peer_trainer_level_id
                and level.peer_trainer_level_id.scheme_id != level.scheme_id
            ):
                raise ValidationError(
                    self.env._(
                        "Level %(level)s: peer trainers must hold a level of the same scheme.",
                        level=level.display_name,
                    )
                )
            chain = level._prerequisite_map()
            if rules.prerequisite_cycle(level.id, chain):
                raise ValidationError(
                    self.env._(
                        "Level %(level)s: prerequisites cannot form a loop.",
                        level=level.display_name,
                    )
                )

    def _get_instruments(self):
        """Instruments this level is assessed on."""
        self.ensure_one()
        level = self.with_context(active_test=False)  # an archived instrument keeps its levels
        return level.instrument_ids or level.scheme_id.instrument_ids

    @api.model
    def _level_structure(self):
        """``{level_id: (prerequisite_id or None, scope or None)}`` of every level, in one query:
        every booking and qualification check reads it."""
        self.flush_model(["prerequisite_id", "prerequisite_scope"])
        self.env.cr.execute(
            "SELECT id, prerequisite_id, prerequisite_scope FROM facility_certification_level"
        )
        return {
            level_id: (prereq, scope if prereq else None)
            for level_id, prereq, scope in self.env.cr.fetchall()
        }

    def _prerequisite_map(self):
        """Prerequisite of every level: ``{level_id: prereq_id or None}``."""
        return {k: v[0] for k, v in self._level_structure().items()}

    def _scope_map(self):
        """Scope of the prerequisite of every level (None without prerequisite)."""
        return {k: v[1] for k, v in self._level_structure().items()}
