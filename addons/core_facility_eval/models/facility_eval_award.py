from odoo import api, fields, models
from odoo.exceptions import UserError

from ..rules import stats
from ..rules.codes import UNIT_FAIL_BELOW, SheetStatus

KINDS = [
    ("unit", "Advanced Unit"),
    ("instrument", "Excellent Instrument Team"),
    ("person", "Advanced Individual"),
    ("reduced_funding", "Reduced Funding"),
]
# how many candidates to propose: system parameters, defaults in rules/stats.py
COUNT_PARAMETERS = {
    "unit": ("core_facility_eval.award_unit_count", stats.DEFAULT_UNITS),
    "instrument": ("core_facility_eval.award_instrument_count", stats.DEFAULT_INSTRUMENTS),
    "person": ("core_facility_eval.award_person_count", stats.DEFAULT_PERSONS),
}


class FacilityEvalAward(models.Model):
    """A candidate for the awards of seed 002 第五条 (先进单位, 优秀机组, 先进个人), or a unit
    facing reduced funding, listed from a campaign's results."""

    _name = "facility.eval.award"
    _description = "Evaluation Award Candidate"
    _order = "campaign_id desc, kind, rank, score desc, id"

    campaign_id = fields.Many2one(
        "facility.eval.campaign", required=True, ondelete="cascade", index=True
    )
    year = fields.Integer(related="campaign_id.year", store=True)
    company_id = fields.Many2one(related="campaign_id.company_id", store=True, index=True)
    kind = fields.Selection(KINDS, required=True)
    unit_id = fields.Many2one("facility.unit", string="Unit (二级单位)", index=True)
    instrument_id = fields.Many2one("facility.instrument")
    user_id = fields.Many2one("res.users", string="Person")
    score = fields.Float(digits=(16, 1))
    hours = fields.Float(string="Annual Hours", digits=(16, 1))
    rank = fields.Integer()
    basis = fields.Text(help="Why the candidate is proposed: the figures of the results.")
    note = fields.Text(help="The decision of the school, if any.")
    display_target = fields.Char(string="Candidate", compute="_compute_display_target")

    @api.depends("kind", "unit_id", "instrument_id", "user_id")
    def _compute_display_target(self):
        for award in self:
            target = {
                "person": award.user_id,
                "instrument": award.instrument_id,
            }.get(award.kind, award.unit_id)
            award.display_target = target.display_name or ""

    @api.model
    def propose(self, campaign, unit_count=None, instrument_count=None, person_count=None):
        """List ``campaign``'s candidates anew (the earlier proposals of the campaign are
        replaced): the best units not failing, the best instruments passing both rules, their
        managers, and the failing units (reduced funding). The counts default to the system
        parameters ``core_facility_eval.award_unit_count`` (3), ``…award_instrument_count``
        (5) and ``…award_person_count`` (5). Returns the new candidates."""
        counts = {
            "unit": unit_count,
            "instrument": instrument_count,
            "person": person_count,
        }
        counts = {kind: self._count(kind, given) for kind, given in counts.items()}
        self.check_access("create")
        created = self.browse()
        for one in campaign:
            created |= self._propose_one(one, counts)
        return created

    @api.model
    def action_propose(self, campaigns):
        """Propose the candidates of ``campaigns`` (:meth:`propose`) and open them: the
        campaign's Action menu."""
        self.propose(campaigns)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility_eval.action_facility_eval_award"
        )
        action["domain"] = [("campaign_id", "in", campaigns.ids)]
        return action

    def _propose_one(self, campaign, counts):
        sheets = campaign.sheet_ids.filtered(lambda s: s.status == SheetStatus.ASSESSED)
        units = [
            stats.UnitResult(form.unit_id.id, form.total, bool(form.failed))
            for form in campaign.unit_eval_ids
        ]
        instruments = [
            stats.InstrumentResult(
                sheet.instrument_id.id,
                sheet.total,
                sheet.hours,
                unit_id=sheet.unit_id.id,
                failed=bool(sheet.failed),
                managers=tuple(sheet.instrument_id.manager_ids.ids),
            )
            for sheet in sheets
        ]
        candidates = stats.award_candidates(
            units,
            instruments,
            unit_count=counts["unit"],
            instrument_count=counts["instrument"],
            person_count=counts["person"],
        )
        self.search([("campaign_id", "=", campaign.id)]).unlink()
        hours = {sheet.instrument_id.id: sheet.hours for sheet in sheets}
        passing = sum(1 for unit in units if not stats.unit_fails(unit))
        vals_list = [
            self._candidate_vals(campaign, candidate, hours, passing) for candidate in candidates
        ]
        return self.create(vals_list)

    def _candidate_vals(self, campaign, candidate, hours, passing):
        """Values of one candidate (a hook), with the basis of its proposal in words."""
        _ = self.env._
        score = round(candidate.score, 1)
        hour = round(hours.get(candidate.instrument_id, 0.0), 1)
        instrument = self.env["facility.instrument"].browse(candidate.instrument_id)
        limit = f"{campaign.unit_scheme_id.fail_below or UNIT_FAIL_BELOW:g}"
        bases = {
            "unit": lambda: _(
                "Unit total %(score)s points: rank %(rank)s of the %(count)s units that did not "
                "fail.",
                score=score,
                rank=candidate.rank,
                count=passing,
            ),
            "instrument": lambda: _(
                "%(score)s points and %(hours)s hours (passes both rules): rank %(rank)s.",
                score=score,
                hours=hour,
                rank=candidate.rank,
            ),
            "person": lambda: _(
                "Manager of %(instrument)s: %(score)s points, %(hours)s hours.",
                instrument=instrument.display_name,
                score=score,
                hours=hour,
            ),
            "reduced_funding": lambda: _(
                "Unit total %(score)s points: under %(limit)s points, the unit fails.",
                score=score,
                limit=limit,
            ),
        }
        unit = candidate.unit_id or instrument.unit_id.id
        return {
            "campaign_id": campaign.id,
            "kind": candidate.kind,
            "unit_id": unit or False,
            "instrument_id": candidate.instrument_id or False,
            "user_id": candidate.ref if candidate.kind == "person" else False,
            "score": candidate.score,
            "hours": hours.get(candidate.instrument_id, 0.0),
            "rank": candidate.rank,
            "basis": bases[candidate.kind](),
        }

    @api.model
    def _count(self, kind, given):
        parameter, default = COUNT_PARAMETERS[kind]
        if given is None:
            given = self.env["ir.config_parameter"].sudo().get_param(parameter, default)
        try:
            count = int(given)
        except (TypeError, ValueError):
            count = -1
        if count < 0:
            raise UserError(
                self.env._(
                    "The number of candidates %(parameter)s must be a whole number ≥ 0, not "
                    "%(value)s.",
                    parameter=parameter,
                    value=given,
                )
            )
        return count
