from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..rules.codes import AgreementState
from .access import INSTRUMENT_MANAGER, ensure_single
from .utils import selection_label, to_local

NEGOTIATING, AGREEMENT, ACTIVE, FINISHED, CANCELLED = (
    "negotiating",
    "agreement",
    "active",
    "finished",
    "cancelled",
)
# Collaborations that take one of their year's places (a cancelled one gives it back).
PLACE_STATES = (NEGOTIATING, AGREEMENT, ACTIVE, FINISHED)
# The stage, its dates and its application change only through the actions (a change of year
# takes a place of the new year, see write).
GUARDED_FIELDS = ("state", "date_start", "date_end", "application_id")


class FacilityCollaboration(models.Model):
    """A collaboration (合作研究, seed 000 附件5) agreed after its application was approved.

    The approval takes one of the year's places (``facility.collaboration.year``); the group and
    the facility then negotiate, sign the agreement and, where needed, an NDA
    (``facility.collaboration.agreement``); the collaboration starts once they are signed, and
    bookings and service orders for it are refused while a required agreement is not signed
    (:meth:`_check_agreements_signed`).
    """

    _name = "facility.collaboration"
    _description = "Collaboration"
    _inherit = ["facility.guarded.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _guarded_fields = GUARDED_FIELDS

    name = fields.Char(required=True, tracking=True)
    application_id = fields.Many2one(
        "facility.application", index=True, ondelete="restrict", readonly=True, copy=False
    )
    research_group_id = fields.Many2one(
        "facility.research.group", required=True, index=True, tracking=True, ondelete="restrict"
    )
    pi_id = fields.Many2one(related="research_group_id.pi_id", store=True, index=True)
    group_category = fields.Selection(related="research_group_id.category")
    contact_id = fields.Many2one(
        "res.users", string="Applicant", tracking=True, help="The group's contact person."
    )
    lead_id = fields.Many2one(
        "res.users",
        string="Facility Lead",
        tracking=True,
        domain=[("share", "=", False)],
        help="The facility's staff member who runs the collaboration.",
    )
    instrument_ids = fields.Many2many(
        "facility.instrument", string="Instruments", help="The instruments the work uses."
    )
    year = fields.Integer(
        required=True,
        default=lambda self: fields.Date.context_today(self).year,
        tracking=True,
        help="The year whose collaboration places this collaboration takes.",
    )
    state = fields.Selection(
        [
            (NEGOTIATING, "Negotiating"),
            (AGREEMENT, "Agreement"),
            (ACTIVE, "Active"),
            (FINISHED, "Finished"),
            (CANCELLED, "Cancelled"),
        ],
        string="Stage",
        required=True,
        default=NEGOTIATING,
        tracking=True,
        copy=False,
        index=True,
        group_expand="_read_group_expand_state",
    )
    # -- the application's form (附件5) ---------------------------------------------------------
    mode = fields.Selection(
        [
            ("methodology", "On a Facility Methodology Project"),
            ("innovative", "Innovative Collaboration"),
        ],
        string="Collaboration Mode",
        tracking=True,
    )
    progress_stage = fields.Selection(
        [
            ("planned", "Planned"),
            ("started", "Started"),
            ("preliminary", "Preliminary Results"),
            ("advanced", "Advanced"),
        ],
        tracking=True,
        help="How far the research project has come (进展阶段).",
    )
    research_background = fields.Html()
    scientific_question = fields.Text()
    expected_outcome = fields.Text()
    # -- agreements -----------------------------------------------------------------------------
    nda_required = fields.Boolean(
        string="NDA Required",
        tracking=True,
        help="A non-disclosure agreement must be signed as well as the agreement.",
    )
    agreement_ids = fields.One2many(
        "facility.collaboration.agreement", "collaboration_id", string="Agreements"
    )
    agreements_signed = fields.Boolean(
        compute="_compute_agreements_signed",
        help="Every required agreement is signed and in force.",
    )
    agreement_problems = fields.Text(
        string="Missing Agreements", compute="_compute_agreements_signed"
    )
    date_start = fields.Date(string="Started On", readonly=True, copy=False, tracking=True)
    date_end = fields.Date(string="Ended On", readonly=True, copy=False, tracking=True)
    booking_ids = fields.One2many("facility.booking", "collaboration_id", string="Bookings")
    booking_count = fields.Integer(compute="_compute_booking_count")
    note = fields.Html()
    color = fields.Integer()
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    # -- computes -------------------------------------------------------------------------------

    @api.model
    def _read_group_expand_state(self, states, domain):
        return [key for key, _label in self._fields["state"].selection]

    @api.depends_context("lang")
    @api.depends(
        "nda_required",
        "agreement_ids.kind",
        "agreement_ids.state",
        "agreement_ids.required",
        "agreement_ids.date_expiry",
    )
    def _compute_agreements_signed(self):
        for collaboration in self:
            problems = collaboration._agreement_problems()
            collaboration.agreements_signed = not problems
            collaboration.agreement_problems = "\n".join(problems)

    def _compute_booking_count(self):
        counts = dict(
            self.env["facility.booking"]._read_group(
                [("collaboration_id", "in", self.ids)], ["collaboration_id"], ["__count"]
            )
        )
        for collaboration in self:
            collaboration.booking_count = counts.get(collaboration, 0)

    # -- CRUD -----------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        """A collaboration takes a place of its year: refused when the year's places are
        taken (:meth:`facility.collaboration.year._take_places`)."""
        default_year = fields.Date.context_today(self).year
        company = self.env.company.id
        wanted = {}
        for vals in vals_list:
            key = (vals.get("year") or default_year, vals.get("company_id") or company)
            wanted[key] = wanted.get(key, 0) + 1
        Year = self.env["facility.collaboration.year"]
        for (year, company_id), count in sorted(wanted.items()):
            Year._take_places(year, company_id, count)
        collaborations = super().create(vals_list)
        Year.invalidate_model(["used", "remaining"])
        for collaboration in collaborations:
            collaboration.message_subscribe(collaboration.pi_id.partner_id.ids)
        return collaborations

    def write(self, vals):
        """Moving a collaboration to another year takes a place of that year."""
        if vals.get("year"):
            moving = self.filtered(lambda c: c.year != vals["year"] and c.state in PLACE_STATES)
            for company in moving.company_id:
                count = len(moving.filtered(lambda c, company=company: c.company_id == company))
                self.env["facility.collaboration.year"]._take_places(
                    vals["year"], company.id, count
                )
        res = super().write(vals)
        if "year" in vals:
            self.env["facility.collaboration.year"].invalidate_model(["used", "remaining"])
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_only_cancelled(self):
        if any(c.state != CANCELLED for c in self):
            raise UserError(
                self.env._("Collaborations are records: cancel them instead of deleting them.")
            )

    # -- actions (buttons) ----------------------------------------------------------------------

    def action_to_agreement(self):
        """Negotiation done: the agreement (and NDA) are being drafted and signed."""
        self._check_staff()
        self._transition((NEGOTIATING,), AGREEMENT)

    def action_activate(self):
        """Start the collaboration: its required agreements are signed."""
        self._check_staff()
        for collaboration in self:
            collaboration._check_state((AGREEMENT,))
        self._check_agreements_signed()
        today = fields.Date.context_today(self)
        for collaboration in self:
            collaboration._write_guarded({"state": ACTIVE, "date_start": today})

    def action_finish(self):
        self._check_staff()
        self._transition((ACTIVE,), FINISHED, date_end=fields.Date.context_today(self))

    def action_cancel(self):
        """Cancel: the collaboration gives its year's place back."""
        self._check_staff()
        self._transition(
            (NEGOTIATING, AGREEMENT, ACTIVE), CANCELLED, date_end=fields.Date.context_today(self)
        )

    def action_view_bookings(self):
        ensure_single(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "core_facility.action_facility_booking"
        )
        action["domain"] = [("collaboration_id", "=", self.id)]
        action["context"] = {
            "default_collaboration_id": self.id,
            "default_research_group_id": self.research_group_id.id,
        }
        return action

    # -- business methods -----------------------------------------------------------------------

    @api.model
    def _create_from_application(self, application):
        """The collaboration of an approved collaboration application (called by its decision),
        with the application's form; it takes a place of the decision's year in the facility's
        time zone (a decision on 1 January at 01:00 in Shanghai is one of the new year), refused
        with the figures when that year's places are taken."""
        decided = to_local(
            application.decision_date or fields.Datetime.now(), application._facility_tz()
        )
        return self.sudo().create(
            {
                "name": application.title,
                "application_id": application.id,
                "research_group_id": application.research_group_id.id,
                "contact_id": application.applicant_id.id,
                "year": decided.year,
                "mode": application.collaboration_mode,
                "progress_stage": application.progress_stage,
                "research_background": application.research_background,
                "scientific_question": application.scientific_question,
                "expected_outcome": application.expected_outcome,
                "company_id": application.company_id.id or self.env.company.id,
            }
        )

    def _check_agreements_signed(self):
        """Refuse (UserError) booking or service for a collaboration that is over, or whose
        required agreement (or NDA) is missing, unsigned or expired, naming each."""
        problems = [
            self.env._(
                "Collaboration rule: %(collaboration)s: %(problems)s",
                collaboration=collaboration.name,
                problems="; ".join(messages),
            )
            for collaboration in self.sudo()
            if (messages := collaboration._agreement_problems(for_use=True))
        ]
        if problems:
            raise UserError("\n".join(problems))
        return True

    def _agreement_problems(self, for_use=False):
        """What keeps the collaboration from being used, as translated phrases: a required
        kind of agreement missing, a required agreement not signed or expired (judged today,
        even before the scheduled job marks it expired); ``for_use``: also a collaboration
        that is finished or cancelled."""
        self.ensure_one()
        _ = self.env._
        today = fields.Date.context_today(self)
        problems = []
        if for_use and self.state in (FINISHED, CANCELLED):
            problems.append(_("it is over (%(state)s)", state=selection_label(self, "state")))
        Agreement = self.env["facility.collaboration.agreement"]
        kinds = dict(Agreement._fields["kind"]._description_selection(self.env))
        required_kinds = ["agreement", "nda"] if self.nda_required else ["agreement"]
        for kind in required_kinds:
            if not self.agreement_ids.filtered(lambda a, kind=kind: a.kind == kind):
                problems.append(_("no %(kind)s is attached", kind=kinds[kind]))
        for agreement in self.agreement_ids.sorted("id"):
            if not (agreement.required or agreement.kind in required_kinds):
                continue
            if agreement.state == AgreementState.DRAFTED:
                problems.append(
                    _("%(agreement)s is not signed yet", agreement=agreement.display_name)
                )
            elif agreement.state == AgreementState.EXPIRED or agreement._expired(today):
                problems.append(
                    _(
                        "%(agreement)s expired on %(date)s",
                        agreement=agreement.display_name,
                        date=format_date(self.env, agreement.date_expiry),
                    )
                )
        return problems

    def _check_staff(self):
        """Collaborations are run by the facility's staff: instrument managers and the facility
        manager."""
        if not (self.env.su or self.env.user.has_group(INSTRUMENT_MANAGER)):
            raise UserError(
                self.env._("Collaborations are run by the facility's managers and staff.")
            )

    def _check_state(self, states):
        self.ensure_one()
        if self.state not in states:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(collaboration)s is at the stage %(state)s; this action applies at the "
                    "stage %(states)s.",
                    collaboration=self.name,
                    state=labels[self.state],
                    states=" / ".join(labels[s] for s in states),
                )
            )

    def _transition(self, states, state, **values):
        for collaboration in self:
            collaboration._check_state(states)
            collaboration._write_guarded(dict(values, state=state))
        self.env["facility.collaboration.year"].invalidate_model(["used", "remaining"])
