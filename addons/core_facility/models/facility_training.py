from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..rules import certification as rules
from ..rules.booking import Violation
from ..rules.codes import Rule
from .rule_messages import RuleText


class FacilityTraining(models.Model):
    """A training session on an instrument for a certification level.

    Session hours feed the annual evaluation (training hours per instrument).
    """

    _name = "facility.training"
    _description = "Training Session"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    instrument_id = fields.Many2one(
        "facility.instrument", required=True, index=True, tracking=True, ondelete="restrict"
    )
    level_id = fields.Many2one(
        "facility.certification.level",
        required=True,
        tracking=True,
        ondelete="restrict",
        domain="[('scheme_id.instrument_ids', 'in', instrument_id)]",
    )
    trainer_id = fields.Many2one(
        "res.users",
        required=True,
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
    )
    trainee_ids = fields.Many2many(
        "res.users",
        "facility_training_trainee_rel",
        "training_id",
        "user_id",
        string="Trainees",
        required=True,
    )
    trainee_count = fields.Integer(compute="_compute_trainee_count", store=True)
    date_start = fields.Datetime(
        string="Date", required=True, default=fields.Datetime.now, tracking=True
    )
    hours = fields.Float(required=True, default=2.0, tracking=True)
    person_hours = fields.Float(
        compute="_compute_trainee_count",
        store=True,
        help="Hours multiplied by the number of trainees.",
    )
    state = fields.Selection(
        [("planned", "Planned"), ("done", "Done"), ("cancelled", "Cancelled")],
        required=True,
        default="planned",
        tracking=True,
        copy=False,
    )
    note = fields.Html()
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    _sql_constraints = [
        (
            "hours_positive",
            "CHECK(hours > 0 AND hours <= 24)",
            "A training session lasts more than 0 and at most 24 hours.",
        ),
    ]

    @api.depends("trainee_ids", "hours")
    def _compute_trainee_count(self):
        for training in self:
            training.trainee_count = len(training.trainee_ids)
            training.person_hours = training.hours * training.trainee_count

    @api.constrains("instrument_id", "level_id", "trainer_id", "trainee_ids", "date_start")
    def _check_rules(self):
        qualification_model = self.env["facility.qualification"]
        for training in self:
            instrument, level, trainer = (
                training.instrument_id,
                training.level_id,
                training.trainer_id,
            )
            trainees = training.with_context(active_test=False).trainee_ids  # archived included
            if instrument not in level._get_instruments():
                raise ValidationError(
                    self.env._(
                        "%(level)s is not trained on %(instrument)s.",
                        level=level.display_name,
                        instrument=instrument.name,
                    )
                )
            if not trainees:
                raise ValidationError(
                    self.env._(
                        "Training %(training)s needs at least one trainee.", training=training.name
                    )
                )
            if trainer in trainees:
                raise ValidationError(
                    self.env._("%(trainer)s cannot train themselves.", trainer=trainer.name)
                )
            day = fields.Date.context_today(training, training.date_start)
            trainer_levels = qualification_model._held_levels(trainer, instrument, day).get(
                instrument.id, set()
            )
            problems = []
            staff = instrument.sudo().with_context(active_test=False)  # archived staff included
            for trainee in trainees:
                refusal = rules.trainer_refusal(
                    level.trainer_policy,
                    trainer in staff.manager_ids,
                    trainer in staff.technician_ids,
                    level.peer_trainer_level_id.id or None,
                    trainer_levels,
                    bool(trainer.sudo().facility_group_ids & trainee.sudo().facility_group_ids),
                )
                if refusal:
                    problems.append(training._trainer_message(refusal, trainee))
                prerequisite = qualification_model._prerequisite_refusal(
                    trainee, instrument, level, on_date=day
                )
                if prerequisite:
                    problems.append(prerequisite)
            if problems:
                raise ValidationError("\n".join(dict.fromkeys(problems)))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].sudo().next_by_code("facility.training") or "/"
                )
        return super().create(vals_list)

    def write(self, vals):
        res = super().write(vals)
        if not self.env.su:
            # a trainer or an instrument's staff cannot move a session out of their own reach
            # (to another trainer, or an instrument they do not staff)
            self.check_access("write")
        return res

    def action_done(self):
        self.write({"state": "done"})

    def action_cancel(self):
        self.write({"state": "cancelled"})

    def action_reset(self):
        self.write({"state": "planned"})

    def _trainer_message(self, refusal, trainee):
        """The sentence of a trainer ``refusal`` code (rules/certification.py)."""
        instrument, level, trainer = self.instrument_id, self.level_id, self.trainer_id
        return RuleText(self.env).sentence(
            Violation(Rule(refusal), {}),
            level=level.name,
            instrument=instrument.name,
            managers=", ".join(instrument.sudo().manager_ids.mapped("name")) or "-",
            trainer=trainer.name,
            trainee=trainee.name,
            peer_level=level.peer_trainer_level_id.name,
        )
