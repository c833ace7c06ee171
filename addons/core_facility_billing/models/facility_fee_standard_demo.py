from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models

from ..rules.codes import CostKind, FeeUnit, PayerCategory

P = PayerCategory
HOUR = FeeUnit.HOUR
# instrument: internal, external and collaboration rates (元 per hour) and the hours a year the
# rate spreads its costs over; teaching use is free. Running costs only (seed 000 附件3).
INSTRUMENT_RATES = {
    "titan": (1200, 2200, 900, 4000),
    "talos": (600, 1100, 450, 3000),
    "t20": (300, 550, 220, 2500),
    # a 2-hour external session costs 300 元
    "spirit": (100, 150, 80, 1500),
    "helios": (400, 750, 300, 2500),
    "afm": (150, 280, 120, 2000),
    "omx": (250, 450, 200, 2500),
    "palm": (200, 380, 150, 2500),
    "tirf": (120, 220, 90, 2500),
    "fv1000": (100, 180, 80, 3000),
    "fv1200": (120, 220, 90, 3000),
    "andor_sdc": (120, 220, 90, 3000),
    "marianas": (150, 280, 120, 3000),
    "fv1000mpe": (180, 320, 140, 2500),
    "hpm100": (300, 550, 220, 1000),
    "pact2": (200, 380, 150, 1000),
    "afs2_a": (30, 60, 25, 4000),
    "afs2_b": (30, 60, 25, 4000),
    "afs2_c": (30, 60, 25, 4000),
    "uc6_1": (60, 110, 45, 2000),
    "uc6_2": (60, 110, 45, 2000),
    "fc7": (80, 150, 60, 1500),
    "trimming": (20, 40, 15, 1000),
    "knifemaker": (20, 40, 15, 1000),
}
# service type: {unit: (internal, external, collaboration, annual units)}
SERVICE_RATES = {
    "service_type_em": {FeeUnit.SAMPLE: (500, 900, 400, 400), FeeUnit.HOUR: (200, 350, 160, 1500)},
    "service_type_prep": {
        FeeUnit.SAMPLE: (300, 550, 240, 400),
        FeeUnit.HOUR: (150, 260, 120, 1500),
    },
}
VALID_FROM = date(date.today().year - 1, 1, 1)


class FacilityFeeStandard(models.Model):
    _inherit = "facility.fee.standard"

    @api.model
    def _demo_load_fee_standards(self):
        """The demo's fee standards, through their lifecycle: each instrument's manager (each
        service type's leader) submits them, the facility director (孙飞, of the committee)
        approves them from 2026-01-01; the Spirit's internal rate rises from the first day of
        next month; a new Titan rate awaits the committee; an external Helios rate was
        rejected."""
        ref = self.env.ref
        if self.search_count(
            [("instrument_id", "=", ref("core_facility.instrument_spirit_demo").id)]
        ):
            return  # loaded already (the demo data is loaded again on update)
        director = ref("core_facility.user_sunfei_demo")
        approved = self.browse()
        for code, rates in INSTRUMENT_RATES.items():
            instrument = ref(f"core_facility.instrument_{code}_demo")
            standards = self._demo_create(rates, FeeUnit.HOUR, instrument=instrument)
            self._demo_submitter(instrument.manager_ids, standards).action_submit()
            approved |= standards
        for xmlid, units in SERVICE_RATES.items():
            service_type = ref(f"core_facility.{xmlid}")
            for unit, rates in units.items():
                standards = self._demo_create(
                    rates, unit, service_type=service_type, teaching=False
                )
                self._demo_submitter(service_type.leader_id, standards).action_submit()
                approved |= standards
        approved.with_user(director)._approve(VALID_FROM)

        today = fields.Date.context_today(self)
        next_month = today + relativedelta(months=1, day=1)
        spirit = ref("core_facility.instrument_spirit_demo")
        rise = self._demo_create(
            (110, 0, 0, 1500), FeeUnit.HOUR, instrument=spirit, only="internal"
        )
        rise.note = "<p>液氮与维保合同涨价：校内机时费自下月起调整为 110 元/小时。</p>"
        self._demo_submitter(spirit.manager_ids, rise).action_submit()
        rise.with_user(director)._approve(next_month)

        titan = ref("core_facility.instrument_titan_demo")
        pending = self._demo_create(
            (1300, 0, 0, 4000), FeeUnit.HOUR, instrument=titan, only="internal"
        )
        pending.write(
            {
                "date_from": next_month + relativedelta(months=1),
                "note": "<p>新增 Falcon 4i 相机的维保合同，申请上调校内机时费。</p>",
            }
        )
        self._demo_submitter(titan.manager_ids, pending).action_submit()

        helios = ref("core_facility.instrument_helios_demo")
        rejected = self._demo_create(
            (0, 900, 0, 2500), FeeUnit.HOUR, instrument=helios, only="external"
        )
        self._demo_submitter(helios.manager_ids, rejected).action_submit()
        rejected.with_user(director)._reject(
            "校外收费与同类双束电镜差距过大（约 750 元/小时），请参考同类设备重新核算。"
        )

    def _demo_submitter(self, managers, standards):
        finance = self.env.ref("core_facility.user_liuyang_demo")
        return standards.with_user(managers[:1] or finance)

    def _demo_create(
        self, rates, unit, instrument=None, service_type=None, teaching=True, only=None
    ):
        """Standards of ``instrument`` or ``service_type`` in ``unit`` for each payer category
        (``only``: one of them), with a cost basis giving their rate."""
        internal, external, collaboration, annual_units = rates
        target = instrument or service_type
        depreciation = (instrument.original_value or 0) // 10 if instrument else 0
        prices = {P.INTERNAL: internal, P.EXTERNAL: external, P.COLLABORATION: collaboration}
        if teaching:
            prices[P.TEACHING] = 0
        if only:
            prices = {only: prices[only]}
        vals_list = []
        for category, price in prices.items():
            vals = {
                "instrument_id": instrument.id if instrument else False,
                "service_type_id": service_type.id if service_type else False,
                "company_id": target.company_id.id,
                "payer_category": category,
                "fee_unit": unit,
                "unit_price": price,
                "walk_in_price": round(price * 1.2) if instrument and unit == FeeUnit.HOUR else 0,
            }
            if price:
                vals["annual_units"] = annual_units
                vals["cost_ids"] = self._demo_costs(
                    category, price, internal, annual_units, depreciation
                )
            vals_list.append(vals)
        return self.create(vals_list)

    def _demo_costs(self, category, price, internal, units, depreciation):
        """A cost basis whose included items spread over ``units`` give ``price``: running
        costs (materials, utilities, maintenance), plus the staff time of serving external
        users; depreciation is listed, not included."""
        base = (internal if category == P.EXTERNAL else price) * units
        lines = [
            (CostKind.MATERIALS, "液氮、载网、试剂等耗材", base * 2 // 10),
            (CostKind.UTILITIES, "水电费", base * 3 // 10),
            (CostKind.RUNNING, "维保合同与运行维护", base - base * 2 // 10 - base * 3 // 10),
        ]
        if category == P.EXTERNAL:
            lines.append((CostKind.LABOUR, "对外测试服务人工", (price - internal) * units))
        if depreciation:
            lines.append((CostKind.DEPRECIATION, "设备折旧（按十年，不计入收费）", depreciation))
        return [
            Command.create({"sequence": index, "kind": kind, "name": name, "annual_amount": amount})
            for index, (kind, name, amount) in enumerate(lines, start=1)
        ]
