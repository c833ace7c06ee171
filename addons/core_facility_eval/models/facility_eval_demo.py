import logging

from odoo import api, models
from odoo.exceptions import AccessError, UserError, ValidationError

_logger = logging.getLogger(__name__)

# what a demo step may meet when a part of the evaluation is not installed yet, or refuses
SKIPPED = (AccessError, UserError, ValidationError, NotImplementedError, AttributeError)


class FacilityEvalDemo(models.AbstractModel):
    """Brings the demo's campaigns to life (demo/facility_eval_demo.xml): computes them, has the
    unit heads and the school's assessor sign, closes last year's, walks the problems through
    their rectification, proposes last year's award candidates and computes the platform
    tables. Each step is skipped, with a line in the log, if what it needs is missing or
    refuses: demo data never stops an install."""

    _name = "facility.eval.demo"
    _description = "Evaluation Demo Loader"

    @api.model
    def load(self):
        """The demo data's ``<function>`` (run as superuser). It signs in the unit heads' and
        the assessor's names, so nobody else may call it (over RPC)."""
        if not self.env.is_superuser():
            raise AccessError(self.env._("Only the superuser loads the evaluation's demo."))
        env = self.env
        last = env.ref("core_facility_eval.eval_campaign_last_year_demo")
        benefit = env.ref("core_facility_eval.eval_campaign_benefit_demo")
        this = env.ref("core_facility_eval.eval_campaign_this_year_demo")
        assessor = env.ref("core_facility_eval.user_assessor_demo")
        self._set_language(assessor)
        for campaign in (last, benefit, this):
            self._step("compute", campaign, "action_compute")
            self._step("start self-assessment", campaign, "action_start_self_assessment")
        for campaign in (last, benefit):
            self._sign_units(campaign)
            self._step("start school assessment", campaign, "action_start_school_assessment")
            self._sign_school(campaign, assessor)
            self._step("close", campaign, "action_close")
        self._sign_units(this, share=2)
        self._problems(assessor)
        self._step("award candidates", env["facility.eval.award"], "propose", last)
        self._step("platform table", env["facility.eval.platform.stat"], "refresh", last | this)

    # -- steps --------------------------------------------------------------------------------

    def _step(self, label, records, method, *args):
        """``records.method(*args)`` in a savepoint; skipped (logged) if missing or refused."""
        function = getattr(records, method, None)
        if function is None:
            _logger.info("Evaluation demo: %s skipped (%s.%s missing)", label, records, method)
            return None
        try:
            with self.env.cr.savepoint():
                return function(*args)
        except SKIPPED as error:
            _logger.info("Evaluation demo: %s skipped (%s)", label, error)
            return None

    def _sign_units(self, campaign, share=1):
        """The unit heads sign their instruments' forms (every ``share``-th one) and their unit's
        form (when all are signed)."""
        for index, sheet in enumerate(campaign.sheet_ids.sorted("id")):
            head = sheet.unit_id.manager_id
            if head and index % share == 0:
                self._step("unit signature", sheet.with_user(head), "action_unit_sign")
        if share == 1:
            for form in campaign.unit_eval_ids:
                head = form.unit_id.manager_id
                if head:
                    self._step("unit signature", form.with_user(head), "action_unit_sign")

    def _sign_school(self, campaign, assessor):
        for record in (*campaign.sheet_ids, *campaign.unit_eval_ids):
            self._step("school signature", record.with_user(assessor), "action_school_sign")

    def _problems(self, assessor):
        env = self.env
        collector = env.ref("core_facility_eval.eval_problem_collector_demo")
        ledger = env.ref("core_facility_eval.eval_problem_ledger_demo")
        if collector.state == "open":
            head = collector.responsible_id
            self._step("rectification", collector.with_user(head), "action_start_rectification")
            self._step("rectified", collector.with_user(head), "action_mark_rectified")
            self._step("verification", collector.with_user(assessor), "action_verify")
        if ledger.state == "open":
            head = ledger.responsible_id
            self._step("rectification", ledger.with_user(head), "action_start_rectification")

    def _set_language(self, user):
        """The assessor reads Chinese when it is installed."""
        if self.env["res.lang"]._lang_get("zh_CN"):
            user.lang = "zh_CN"
