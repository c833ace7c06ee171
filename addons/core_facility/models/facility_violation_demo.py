"""Demo data only: an integrity ledger drawn from seed 000 附件4.

The wasted time of the demo booking history (no-shows, late cancellations, unreported under-use)
is recorded as the system records it; staff record a few violations by hand; one is contested and
withdrawn, one is contested and waits for the facility manager. Groups without wasted time keep a
clean record. Sanctions are left to the sanction ladder.
"""

from datetime import timedelta

from odoo import api, fields, models


class FacilityViolation(models.Model):
    _inherit = "facility.violation"

    @api.model
    def _demo_load_violations(self):
        env = self.env
        ref = env.ref
        if self.sudo().search_count([("source", "=", "manual")]):
            return  # loaded once
        self.sudo()._cron_record_booking_violations()
        now = fields.Datetime.now().replace(second=0, microsecond=0)
        staff = ref("core_facility.user_huangxiaojun_demo")
        director = ref("core_facility.user_sunfei_demo")
        Violation = self.with_user(staff).with_context(tracking_disable=True)

        def record(group, user, type_xmlid, days_ago, description, measure=None):
            vals = {
                "research_group_id": ref(f"core_facility.{group}").id,
                "user_id": ref(f"core_facility.{user}").id,
                "type_id": ref(f"core_facility.{type_xmlid}").id,
                "date": now - timedelta(days=days_ago),
                "description": description,
            }
            if measure:
                vals["measure"] = measure
            return Violation.create(vals)

        record(
            "research_group_miaolong_demo",
            "user_liuqiang_demo",
            "violation_type_data_left",
            20,
            "实验结束后未清理本地硬盘数据（约 800 GB），下一位用户无法采集。",
        )
        record(
            "research_group_zhuping_demo",
            "user_zhangwei_demo",
            "violation_type_tool",
            12,
            "Vitrobot 工具未按时归还，一把冷冻镊子损坏。",
            "通知课题组PI，按价赔偿冷冻镊子。",
        )
        no_booking = record(
            "research_group_external_demo",
            "user_zhoujie_demo",
            "violation_type_no_booking",
            6,
            "未预约使用 Spirit 约 2 小时（门禁记录 18:10–20:05）。",
        )
        unqualified = record(
            "research_group_xupingyong_demo",
            "user_yangyang_demo",
            "violation_type_unqualified_use",
            9,
            "未经中级考核，于周六在非工作时间独立使用 T20，无陪同人员。",
        )
        # the PIs contest two; the director withdraws one, the other waits
        pi_xu = ref("core_facility.user_xupingyong_demo")
        unqualified.with_user(pi_xu)._contest(
            "当晚有经过中级考核的王老师全程陪同，门禁记录可证明。"
        )
        unqualified.with_user(director)._withdraw(
            "核实门禁记录，确有中级考核用户全程陪同，撤销此次违规。"
        )
        pi_ext = ref("core_facility.user_zhaolei_demo")
        no_booking.with_user(pi_ext)._contest(
            "预约系统当晚故障，已电话告知仪器管理员，有通话记录。"
        )
