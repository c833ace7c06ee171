import base64
import binascii
import io
from datetime import datetime, time

import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.pdf import PdfReader, PdfReadError

from ..rules import acknowledgement as ack_rules
from ..rules import publication as pub_rules
from ..rules.codes import SanctionKind
from ..rules.publication import (
    ACKNOWLEDGED_KINDS,
    AcknowledgementState,
    AwardLevel,
    Indexing,
    OutcomeKind,
    ProjectLevel,
    PublicationState,
    RefusalScope,
)
from .access import FACILITY_MANAGER, INSTRUMENT_MANAGER, ensure_single, permit
from .utils import selection_label, to_utc

GUARDED_FIELDS = (
    "state",
    "ack_state",
    "ack_sentence",
    "ack_template_id",
    "ack_checked_date",
    "malicious",
    "decided_by_id",
    "decided_date",
    "violation_id",
    "sanction_ids",
    "quality_rule_id",
    "bonus_until",
)
# What the acknowledgement check reads: changing it checks again.
CHECKED_FIELDS = {"acknowledgement_text", "pdf_file", "kind"}
MAIL_PREFIXES = ("message_", "activity_")
DEFAULT_TZ = "Asia/Shanghai"


# Selections shared with the high-quality rules.
KIND_SELECTION = [
    (OutcomeKind.PAPER, "Paper"),
    (OutcomeKind.PATENT, "Patent"),
    (OutcomeKind.AWARD, "Award"),
    (OutcomeKind.PROJECT, "Project"),
    (OutcomeKind.THESIS, "Thesis"),
]
AWARD_LEVEL_SELECTION = [
    (AwardLevel.INTERNATIONAL, "International"),
    (AwardLevel.NATIONAL, "National"),
    (AwardLevel.PROVINCIAL, "Provincial / Ministerial"),
    (AwardLevel.OTHER, "Other"),
]


class FacilityPublication(models.Model):
    """An outcome of work done at the facility (seed 000, 第九条 and 附件3): a paper, a patent, an
    award, a project or a thesis, with the instruments used and the staff who helped.

    The group registers it; papers and theses must thank the facility in one of the
    acknowledgement templates' wordings, which is checked in the text pasted or in the paper's
    PDF. Staff then accept it (a high-quality outcome earns the group a booking-priority bonus) or
    record the missing acknowledgement: a violation, the refusal of instrument use and of
    technical-service applications for a period they choose and, from the second malicious case,
    the group's blacklisting and its unit's poor integrity.
    """

    _name = "facility.publication"
    _description = "Publication"
    _inherit = ["facility.guarded.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "year desc, id desc"
    _guarded_fields = GUARDED_FIELDS

    name = fields.Char(string="Title", required=True, tracking=True)
    kind = fields.Selection(
        KIND_SELECTION,
        required=True,
        default=OutcomeKind.PAPER,
        tracking=True,
    )
    authors = fields.Char(help="Authors, inventors, laureates or the project's leaders.")
    year = fields.Integer(
        required=True,
        default=lambda self: fields.Date.context_today(self).year,
        index=True,
        tracking=True,
    )
    # papers
    journal = fields.Char()
    doi = fields.Char(string="DOI")
    indexing = fields.Selection(
        [(Indexing.SCI, "SCI"), (Indexing.CORE, "Core Journal"), (Indexing.OTHER, "Other")],
        string="Indexed In",
    )
    impact_factor = fields.Float(digits=(6, 3))
    journal_tier = fields.Integer(help="The journal's tier (分区): 1 is the best; 0 unknown.")
    # patents, awards, projects, theses
    patent_number = fields.Char()
    award_level = fields.Selection(AWARD_LEVEL_SELECTION)
    project_level = fields.Selection([(ProjectLevel.KEY, "Key"), (ProjectLevel.NORMAL, "Normal")])
    degree = fields.Selection(
        [("bachelor", "Bachelor"), ("master", "Master"), ("doctorate", "Doctorate")]
    )
    # who and what
    research_group_id = fields.Many2one(
        "facility.research.group",
        required=True,
        index=True,
        tracking=True,
        ondelete="restrict",
        default=lambda self: self.env.user.facility_group_ids[:1],
    )
    unit_id = fields.Many2one(related="research_group_id.unit_id", string="Unit")
    registrant_id = fields.Many2one(
        "res.users",
        string="Registered By",
        default=lambda self: self.env.user,
        readonly=True,
        index=True,
    )
    user_ids = fields.Many2many(
        "res.users",
        "facility_publication_user_rel",
        "publication_id",
        "user_id",
        string="Facility Users",
        default=lambda self: self.env.user,
        help="The group's members who did the work at the facility.",
    )
    instrument_ids = fields.Many2many("facility.instrument", string="Instruments Used")
    staff_ids = fields.Many2many(
        "res.users",
        "facility_publication_staff_rel",
        "publication_id",
        "user_id",
        string="Staff Who Helped",
    )
    # the acknowledgement
    acknowledges = fields.Boolean(
        string="Needs an Acknowledgement",
        compute="_compute_acknowledges",
        help="Papers and theses thank the facility (附件3).",
    )
    acknowledgement_text = fields.Text(
        help="Paste the acknowledgement section of the paper (or upload its PDF)."
    )
    pdf_file = fields.Binary(string="PDF", attachment=True)
    pdf_filename = fields.Char(string="PDF File Name")
    ack_state = fields.Selection(
        [
            (AcknowledgementState.NOT_CHECKED, "Not Checked"),
            (AcknowledgementState.FOUND, "Found"),
            (AcknowledgementState.MISSING, "Missing"),
        ],
        string="Acknowledgement",
        default=AcknowledgementState.NOT_CHECKED,
        required=True,
        tracking=True,
        copy=False,
    )
    ack_sentence = fields.Text(string="Acknowledgement Found", readonly=True, copy=False)
    ack_template_id = fields.Many2one(
        "facility.acknowledgement.template", string="Matching Wording", readonly=True, copy=False
    )
    ack_checked_date = fields.Datetime(string="Checked On", readonly=True, copy=False)
    # the staff's decision
    state = fields.Selection(
        [
            (PublicationState.REGISTERED, "Registered"),
            (PublicationState.ACCEPTED, "Accepted"),
            (PublicationState.MISSING_RECORDED, "Missing Acknowledgement Recorded"),
        ],
        default=PublicationState.REGISTERED,
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    malicious = fields.Boolean(
        string="Malicious Omission",
        readonly=True,
        copy=False,
        tracking=True,
        help="Staff judged the acknowledgement maliciously omitted (恶意忽略); two such cases "
        "blacklist the research group.",
    )
    decided_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    decided_date = fields.Datetime(string="Decided On", readonly=True, copy=False)
    violation_id = fields.Many2one("facility.violation", readonly=True, copy=False)
    sanction_ids = fields.Many2many(
        "facility.sanction", string="Sanctions", readonly=True, copy=False
    )
    high_quality = fields.Boolean(
        compute="_compute_high_quality",
        help="The outcome meets one of the high-quality rules (Configuration).",
    )
    quality_rule_id = fields.Many2one(
        "facility.publication.quality.rule",
        string="High-Quality Rule",
        readonly=True,
        copy=False,
    )
    bonus_until = fields.Date(
        string="Priority Bonus Until",
        readonly=True,
        copy=False,
        help="Last day of the booking-priority bonus the outcome earned its group.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    color = fields.Integer(compute="_compute_color")

    _sql_constraints = [
        ("year_positive", "CHECK(year > 1900)", "The year of an outcome is a year (e.g. 2025)."),
    ]

    @api.depends("kind")
    def _compute_acknowledges(self):
        for publication in self:
            publication.acknowledges = publication.kind in ACKNOWLEDGED_KINDS

    @api.depends(
        "kind", "indexing", "impact_factor", "journal_tier", "award_level", "project_level"
    )
    def _compute_high_quality(self):
        for publication in self:
            publication.high_quality = bool(publication._quality_rule())

    @api.depends("state", "ack_state", "malicious")
    def _compute_color(self):
        for publication in self:
            if publication.state == PublicationState.MISSING_RECORDED:
                publication.color = 1  # red
            elif publication.state == PublicationState.ACCEPTED:
                publication.color = 10  # green
            elif publication.ack_state == AcknowledgementState.MISSING:
                publication.color = 2  # orange
            else:
                publication.color = 0

    # -- CRUD ----------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        publications = super().create(vals_list)
        publications.filtered(
            lambda p: p.acknowledges and (p.acknowledgement_text or p.pdf_file)
        )._check_acknowledgement()
        return publications

    def write(self, vals):
        if not self._guard_open():
            self._check_write(vals)
        res = super().write(vals)
        if CHECKED_FIELDS & set(vals) and not self._guard_open():
            self._check_acknowledgement()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_only_undecided(self):
        for publication in self:
            if publication.state != PublicationState.REGISTERED or publication.violation_id:
                raise UserError(
                    self.env._(
                        "Outcome rule: %(title)s was decided by the staff (%(state)s); it stays "
                        "on record.",
                        title=publication.name,
                        state=selection_label(publication, "state"),
                    )
                )

    def _check_write(self, vals):
        """An outcome is the group's to edit until the staff decide; then only a facility manager
        corrects it."""
        names = {n for n in vals if not n.startswith(MAIL_PREFIXES)}
        if not names or self.env.user.has_group(FACILITY_MANAGER):
            return
        for publication in self:
            if publication.state != PublicationState.REGISTERED:
                raise UserError(
                    self.env._(
                        "Outcome rule: %(title)s was decided by the staff (%(state)s); only a "
                        "facility manager can still correct it.",
                        title=publication.name,
                        state=selection_label(publication, "state"),
                    )
                )

    # -- actions -------------------------------------------------------------------------------

    def action_check_acknowledgement(self):
        """Look for the acknowledgement again in the text pasted and the PDF."""
        for publication in self:
            publication._check_registered()
            if not publication.acknowledges:
                raise UserError(
                    self.env._(
                        "Outcome rule: a %(kind)s carries no acknowledgement to check; only "
                        "papers and theses do.",
                        kind=selection_label(publication, "kind"),
                    )
                )
            if not (publication.acknowledgement_text or publication.pdf_file):
                raise UserError(
                    self.env._(
                        "%(title)s: paste its acknowledgement or upload its PDF first.",
                        title=publication.name,
                    )
                )
        self._check_acknowledgement()

    def action_accept(self):
        """Staff accept the outcome: its acknowledgement was found (papers and theses). A
        high-quality outcome earns its group the booking-priority bonus of its rule."""
        self._check_staff()
        now = fields.Datetime.now()
        for publication in self:
            publication._check_registered()
            if publication.acknowledges and publication.ack_state != AcknowledgementState.FOUND:
                raise UserError(
                    self.env._(
                        "Acknowledgement rule: %(title)s cannot be accepted, its acknowledgement "
                        "is %(ack)s. Check it again with the corrected text, or record the "
                        "missing acknowledgement.",
                        title=publication.name,
                        ack=selection_label(publication, "ack_state"),
                    )
                )
            values = {
                "state": PublicationState.ACCEPTED,
                "decided_by_id": self.env.user.id,
                "decided_date": now,
            }
            rule = publication._quality_rule()
            if rule:
                day = publication._local_day(now)
                values.update(
                    quality_rule_id=rule.key,
                    bonus_until=pub_rules.bonus_until(day, rule.bonus_months),
                )
            publication._write_guarded(values)
            body = self.env._("Accepted by %(user)s.", user=self.env.user.name)
            if rule:
                body = self.env._(
                    "Accepted by %(user)s: a high-quality outcome; %(group)s has a booking-"
                    "priority bonus until %(date)s.",
                    user=self.env.user.name,
                    group=publication.research_group_id.sudo().name,
                    date=publication.bonus_until,
                )
            publication.message_post(body=body)

    def action_record_missing(self):
        """Open the staff's decision on a missing acknowledgement."""
        ensure_single(self)
        self._check_staff()
        self._check_missing()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record Missing Acknowledgement"),
            "res_model": "facility.publication.missing.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_publication_id": self.id},
        }

    # -- business logic ------------------------------------------------------------------------

    def record_missing_acknowledgement(
        self,
        malicious,
        use_refusal_months,
        service_refusal_months,
        scope=RefusalScope.GROUP,
        date_from=None,
        reason=None,
    ):
        """Record the missing acknowledgement of this paper or thesis (staff only, 附件3 五, 附件4):
        a violation of the group, instrument use refused to the group (or its whole unit) for
        ``use_refusal_months`` (6 to 24) and its technical-service applications for
        ``service_refusal_months`` (12 to 24), from ``date_from`` (a date, default today). From
        the group's second malicious case, the group is blacklisted and its unit marked of poor
        integrity. Returns the violation."""
        ensure_single(self)
        self._check_staff()
        self._check_missing()
        self._check_sanction_months(use_refusal_months, service_refusal_months)
        group = self.research_group_id.sudo()
        unit = group.unit_id if scope == RefusalScope.UNIT else self.env["facility.unit"]
        if scope == RefusalScope.UNIT and not unit:
            raise UserError(
                self.env._(
                    "Research group %(group)s belongs to no unit: refuse the group itself.",
                    group=group.name,
                )
            )
        # one decision per group at a time: the malicious cases are counted under this lock (a
        # concurrent decision waits, then fails to serialise and is retried, seeing this one)
        self.env.cr.execute(
            SQL(
                "UPDATE facility_research_group SET write_date = write_date WHERE id = %s",
                group.id,
            )
        )
        now = fields.Datetime.now()
        tz = self._tz()
        day = date_from or self._local_day(now)
        start = to_utc(datetime.combine(day, time.min), tz)
        use_end = to_utc(
            datetime.combine(day + relativedelta(months=use_refusal_months), time.min), tz
        )
        service_end = to_utc(
            datetime.combine(day + relativedelta(months=service_refusal_months), time.min), tz
        )
        person = self.user_ids[:1] or self.registrant_id
        description = self.env._(
            '%(kind)s "%(title)s" (%(year)s) does not acknowledge the facility%(malicious)s.'
            "%(reason)s",
            kind=selection_label(self, "kind"),
            title=self.name,
            year=self.year,
            malicious=self.env._(" (malicious omission)") if malicious else "",
            reason=f"\n{reason}" if reason else "",
        )
        violation = self.env["facility.violation"].record_violation(
            group,
            person,
            "acknowledgement",
            when=now,
            description=description,
            source_key=f"publication:{self.id}",
        )
        Sanction = self.env["facility.sanction"]
        sanctions = Sanction._impose(
            SanctionKind.USE_REFUSAL,
            group,
            start,
            date_to=use_end,
            unit=unit or None,
            reason=description,
            violations=violation,
        ) | Sanction._impose(
            SanctionKind.SERVICE_REFUSAL,
            group,
            start,
            date_to=service_end,
            unit=unit or None,
            reason=description,
            violations=violation,
        )
        self._write_guarded(
            {
                "state": PublicationState.MISSING_RECORDED,
                "malicious": bool(malicious),
                "decided_by_id": self.env.user.id,
                "decided_date": now,
                "violation_id": violation.id,
                "sanction_ids": [fields.Command.set(sanctions.ids)],
            }
        )
        self.message_post(
            body=self.env._(
                "Missing acknowledgement recorded by %(user)s%(malicious)s: instrument use "
                "refused to %(whom)s for %(use)s months, technical-service applications for "
                "%(service)s months, from %(date)s.",
                user=self.env.user.name,
                malicious=self.env._(" (malicious omission)") if malicious else "",
                whom=unit.complete_name if unit else group.name,
                use=use_refusal_months,
                service=service_refusal_months,
                date=day,
            ),
            partner_ids=(group.pi_id | person).partner_id.ids,
            subtype_xmlid="mail.mt_comment",
        )
        if malicious:
            self._blacklist_if_repeated(group, day, violation)
        return violation

    @api.model
    def _priority_bonus_groups(self, moment):
        """The research groups that have a booking-priority bonus at ``moment`` (a UTC
        datetime): those with an accepted high-quality outcome whose bonus runs that day."""
        day = self._local_day(moment)
        publications = self.sudo().search(
            [
                ("state", "=", PublicationState.ACCEPTED),
                ("bonus_until", ">=", day),
                ("decided_date", "<=", moment),
            ]
        )
        return publications.research_group_id.with_env(self.env)

    def _check_acknowledgement(self):
        """Look for the acknowledgement in the pasted text and the PDF's text; record what was
        found (the sentence and its template) or that it is missing."""
        now = fields.Datetime.now()
        for publication in self:
            if publication.state != PublicationState.REGISTERED:
                continue
            if not publication.acknowledges or not (
                publication.acknowledgement_text or publication.pdf_file
            ):
                publication._write_guarded(
                    {
                        "ack_state": AcknowledgementState.NOT_CHECKED,
                        "ack_sentence": False,
                        "ack_template_id": False,
                        "ack_checked_date": False,
                    }
                )
                continue
            texts = [publication.acknowledgement_text or ""]
            if publication.pdf_file:
                texts.append(publication._pdf_text())
            templates = self.env["facility.acknowledgement.template"]._rule_templates(
                publication.company_id
            )
            match = ack_rules.find_acknowledgement("\n".join(texts), templates)
            publication._write_guarded(
                {
                    "ack_state": AcknowledgementState.FOUND
                    if match
                    else AcknowledgementState.MISSING,
                    "ack_sentence": match.sentence if match else False,
                    "ack_template_id": match.template_key if match else False,
                    "ack_checked_date": now,
                }
            )

    def _pdf_text(self):
        """The text of the uploaded PDF (Odoo's own PDF library)."""
        self.ensure_one()
        try:
            data = base64.b64decode(self.with_context(bin_size=False).pdf_file)
            reader = PdfReader(io.BytesIO(data), strict=False)
            return "\n".join(page.extract_text() or "" for page in reader.pages)
        except (
            PdfReadError,
            binascii.Error,
            ValueError,
            TypeError,
            KeyError,
            AttributeError,
            OSError,
        ) as exc:
            raise UserError(
                self.env._(
                    "%(title)s: the file %(file)s could not be read as a PDF (%(error)s); paste "
                    "the acknowledgement instead.",
                    title=self.name,
                    file=self.pdf_filename or "PDF",
                    error=exc,
                )
            ) from exc

    def _quality_rule(self):
        """The first high-quality rule the outcome meets (a pure rule), or ``None``."""
        self.ensure_one()
        outcome = pub_rules.Outcome(
            kind=self.kind,
            indexing=self.indexing or None,
            impact_factor=self.impact_factor,
            tier=self.journal_tier,
            award_level=self.award_level or None,
            project_level=self.project_level or None,
        )
        rules = self.env["facility.publication.quality.rule"]._rule_rules(self.company_id)
        return pub_rules.quality_rule(outcome, rules)

    def _blacklist_if_repeated(self, group, day, violation):
        """From the group's second malicious case: blacklist the group (through its guarded
        status), mark its unit of poor integrity and record the blacklisting sanction."""
        malicious = self.sudo().search(
            [
                ("research_group_id", "=", group.id),
                ("state", "=", PublicationState.MISSING_RECORDED),
                ("malicious", "=", True),
            ]
        )
        if not pub_rules.blacklists(len(malicious)) or group.state == "blacklisted":
            return
        reason = self.env._(
            "%(count)s publications maliciously omitted the facility's acknowledgement "
            "(%(titles)s).",
            count=len(malicious),
            titles=", ".join(malicious.mapped("name")),
        )
        permit(group).sudo().write(
            {
                "state": "blacklisted",
                "state_reason": reason,
                "state_date_from": day,
                "state_date_to": False,
            }
        )
        group.message_post(body=reason)
        sanction = self.env["facility.sanction"]._impose(
            SanctionKind.BLACKLIST,
            group,
            to_utc(datetime.combine(day, time.min), self._tz()),
            # the group is blacklisted (附件3 五); its unit is marked of poor integrity below,
            # which lowers its other groups' priority without refusing them
            reason=reason,
            violations=malicious.violation_id | violation,
        )
        self._write_guarded({"sanction_ids": [fields.Command.link(sanction.id)]})
        if group.unit_id:
            group.unit_id._mark_poor_integrity(reason)

    def _check_staff(self):
        if not self.env.su and not self.env.user.has_group(INSTRUMENT_MANAGER):
            raise UserError(
                self.env._(
                    "Outcome rule: the facility's staff (instrument managers, facility managers) "
                    "decide on outcomes and acknowledgements."
                )
            )

    def _check_registered(self):
        if self.state != PublicationState.REGISTERED:
            raise UserError(
                self.env._(
                    "Outcome rule: %(title)s was already decided (%(state)s).",
                    title=self.name,
                    state=selection_label(self, "state"),
                )
            )

    def _check_missing(self):
        self._check_registered()
        if not self.acknowledges or self.ack_state != AcknowledgementState.MISSING:
            raise UserError(
                self.env._(
                    "Acknowledgement rule: the acknowledgement of %(title)s is %(ack)s; a "
                    "missing acknowledgement is recorded on a paper or thesis whose text or PDF "
                    "was checked without finding it.",
                    title=self.name,
                    ack=selection_label(self, "ack_state"),
                )
            )

    def _check_sanction_months(self, use_months, service_months):
        problems = []
        if not pub_rules.months_within(use_months, pub_rules.USE_REFUSAL_MONTHS):
            low, high = pub_rules.USE_REFUSAL_MONTHS
            problems.append(
                self.env._(
                    "Sanction rule: instrument use is refused for %(low)s to %(high)s months; "
                    "%(months)s months given.",
                    low=low,
                    high=high,
                    months=use_months,
                )
            )
        if not pub_rules.months_within(service_months, pub_rules.SERVICE_REFUSAL_MONTHS):
            low, high = pub_rules.SERVICE_REFUSAL_MONTHS
            problems.append(
                self.env._(
                    "Sanction rule: technical-service applications are refused for %(low)s to "
                    "%(high)s months; %(months)s months given.",
                    low=low,
                    high=high,
                    months=service_months,
                )
            )
        if problems:
            raise UserError("\n".join(problems))

    def _tz(self):
        return pytz.timezone(self.env.company.sudo().partner_id.tz or DEFAULT_TZ)

    def _local_day(self, moment):
        """The day (in the facility's time zone) of ``moment``, a naive UTC datetime."""
        return pytz.utc.localize(moment).astimezone(self._tz()).date()
