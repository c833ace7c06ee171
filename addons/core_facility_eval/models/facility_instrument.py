from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.core_facility.models.access import field_labels

from ..rules import nrii

# what decides an instrument's evaluation (scope, proration, exclusion, the benefit table's
# ratio): the equipment office's to change, not the instrument's own managers'
EVALUATION_FIELDS = (
    "scrap_applied_date",
    "account_date",
    "original_value",
    "rated_annual_hours",
    "purpose",
)


class FacilityInstrument(models.Model):
    """What the evaluation and the national platform need of an instrument."""

    _inherit = "facility.instrument"

    scrap_applied_date = fields.Date(
        string="Scrap Application Filed",
        tracking=True,
        groups="base.group_user",
        help="The date a scrap application (报废申请) was filed: the instrument is excluded "
        "from that year's evaluation (seed 002 附件3 note (2)).",
    )
    eval_sheet_ids = fields.One2many(
        "facility.eval.sheet",
        "instrument_id",
        string="Evaluation Forms",
        groups="core_facility_eval.group_eval_unit_head,core_facility_eval.group_eval_school_assessor",
        help="The instrument's forms of every campaign: whose unit the instrument was "
        "evaluated under (the unit heads read the records behind its figures).",
    )
    nrii_category_id = fields.Many2one(
        "facility.nrii.category",
        string="National Classification",
        groups="base.group_user",
        help="The national platform's 6-digit classification code (instrCategory).",
    )
    # the national platform's instrument record (type 4); shared/spec/nrii.md
    nrii_ename = fields.Char(
        string="English Name",
        groups="base.group_user",
        help="ename: the instrument's English name.",
    )
    nrii_source = fields.Selection(
        [
            ("purchased", "Purchased"),
            ("developed", "Developed In-House"),
            ("donated", "Donated"),
            ("other", "Other"),
        ],
        string="Source",
        default="purchased",
        groups="base.group_user",
        help="instrSource (购置 / 研制 / 赠送 / 其他).",
    )
    nrii_belongs_type = fields.Selection(
        [
            ("none", "Not Attached"),
            ("center", "Instrument Centre"),
            ("facility", "Major Research Facility"),
            ("key_lab", "State Key Laboratory"),
            ("engineering_center", "National Engineering Research Centre"),
            ("bio_bank", "Biological Germplasm Bank"),
        ],
        string="Attached To",
        default="center",
        groups="base.group_user",
        help="instrBelongsType: the body the instrument belongs to on the national platform.",
    )
    nrii_nation_code = fields.Char(
        string="Country of Origin Code",
        groups="base.group_user",
        help="nation: the country-of-origin code the platform lists (e.g. 156 China, "
        "840 United States, 276 Germany, 392 Japan).",
    )
    nrii_technical = fields.Text(
        string="Main Technical Specifications", groups="base.group_user", help="technical"
    )
    nrii_function = fields.Text(string="Main Functions", groups="base.group_user", help="function")
    nrii_subject = fields.Char(
        string="Subject Areas",
        groups="base.group_user",
        help="subject: the subject areas served, comma-separated.",
    )
    nrii_service_content = fields.Text(
        string="Services Offered", groups="base.group_user", help="serviceContent"
    )
    nrii_achievement = fields.Text(
        string="Typical Results", groups="base.group_user", help="achievement"
    )
    nrii_requirement = fields.Text(
        string="Sharing Rules",
        groups="base.group_user",
        help="requirement: the rules of opening the instrument to outside users.",
    )
    nrii_fee_text = fields.Text(
        string="Reference Fees", groups="base.group_user", help="fee: the reference fee standard."
    )
    nrii_share_mode = fields.Selection(
        [
            ("internal", "Shared Internally"),
            ("external", "Shared Externally"),
            ("none", "Not Shared"),
        ],
        string="Sharing Mode",
        default="external",
        groups="base.group_user",
        help="shareMode",
    )
    nrii_funds = fields.Selection(
        [
            ("central", "Central Government Funds"),
            ("local", "Local Government Funds"),
            ("own", "Own Funds"),
            ("other", "Other"),
        ],
        string="Source of Funds",
        groups="base.group_user",
        help="funds",
    )
    nrii_contact = fields.Char(
        string="Contact",
        compute="_compute_nrii_contact",
        store=True,
        readonly=False,
        groups="base.group_user",
        help="contact, phone, email: the first manager's unless entered.",
    )
    nrii_phone = fields.Char(
        string="Contact Phone",
        compute="_compute_nrii_contact",
        store=True,
        readonly=False,
        groups="base.group_user",
    )
    nrii_email = fields.Char(
        string="Contact Email",
        compute="_compute_nrii_contact",
        store=True,
        readonly=False,
        groups="base.group_user",
    )
    nrii_status = fields.Char(
        string="Platform Status",
        compute="_compute_nrii_status",
        groups="base.group_user",
        help="status: 正常 in service, 待修 under repair, 待报废 scrapped or a scrap application "
        "filed.",
    )

    @api.depends("manager_ids", "manager_ids.phone", "manager_ids.email")
    def _compute_nrii_contact(self):
        for instrument in self:
            manager = instrument.sudo().manager_ids[:1]
            if not instrument.nrii_contact:
                instrument.nrii_contact = manager.name or False
            if not instrument.nrii_phone:
                instrument.nrii_phone = manager.phone or manager.mobile or False
            if not instrument.nrii_email:
                instrument.nrii_email = manager.email or False

    @api.depends("state", "scrap_applied_date")
    def _compute_nrii_status(self):
        for instrument in self:
            instrument.nrii_status = nrii.instrument_status(
                instrument.state, bool(instrument.scrap_applied_date)
            )

    def write(self, vals):
        guarded = set(EVALUATION_FIELDS) & set(vals)
        if guarded and not (
            self.env.su or self.env.user.has_group("core_facility_eval.group_eval_school_assessor")
        ):
            raise AccessError(
                self.env._(
                    "Only the equipment office (school assessors, facility managers) changes "
                    "what decides an instrument's evaluation (%(fields)s).",
                    fields=field_labels(self, guarded),
                )
            )
        return super().write(vals)
