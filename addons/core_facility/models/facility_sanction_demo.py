from datetime import datetime, timedelta

from odoo import api, fields, models

from ..rules.codes import SanctionKind, ViolationSource, ViolationTrack

P = "core_facility."
# (member's login, days ago, what happened) — 附件4's violations without consequence
LATE_AND_ABSENT = (
    ("liuqiang", 40, "预约机时未到场，也未提前在网上撤销"),
    ("wangfang", 21, "使用机时远少于预约机时且未告知仪器管理员"),
    ("liuqiang", 6, "实验结束后未清理本地硬盘上的数据"),
)


class FacilitySanction(models.Model):
    _inherit = "facility.sanction"

    @api.model
    def _demo_ladder(self):
        """Demo data only: 苗龙课题组 at the interview step (3 violations without consequence
        this year), 徐平勇课题组 restricted now (its 10th violation this year)."""
        env = self.env
        miaolong = env.ref(f"{P}research_group_miaolong_demo")
        xupingyong = env.ref(f"{P}research_group_xupingyong_demo")

        def has(group, kind):
            # the ledger's demo may have climbed the ladder already (its violations count too)
            return self.sudo().search_count(
                [("research_group_id", "=", group.id), ("kind", "=", kind)]
            )

        violation_class, violation_type = self._demo_violation_kind()
        now = fields.Datetime.now()
        year_start = datetime(now.year, 1, 1, 1, 0)

        def record(group, login, days_ago, description):
            when = max(now - timedelta(days=days_ago), year_start)
            return (
                env["facility.violation"]
                .sudo()
                .create(
                    {
                        "type_id": violation_type.id,
                        "class_id": violation_class.id,
                        "points": violation_class.points,
                        "date": when,
                        "year": when.year,
                        "research_group_id": group.id,
                        "user_id": env.ref(f"{P}user_{login}_demo").id,
                        "description": description,
                        "measure": "通知劝告",
                    }
                )
            )

        if not has(miaolong, SanctionKind.INTERVIEW):
            violations = env["facility.violation"]
            for login, days_ago, description in LATE_AND_ABSENT:
                violations |= record(miaolong, login, days_ago, description)
            self._apply_ladder(violations)

        if has(xupingyong, SanctionKind.GROUP_RESTRICTION):
            return
        violations = env["facility.violation"]
        for index in range(10):
            login = ("yangyang", "wuting")[index % 2]
            violations |= record(
                xupingyong, login, 60 - 6 * index, "预约机时未到场，也未提前在网上撤销"
            )
        self._apply_ladder(violations)

    @api.model
    def _demo_violation_kind(self):
        """A class of violations without consequence and a type of it: the ledger's data when
        installed, else demo ones."""
        env = self.env
        Class = env["facility.violation.class"].sudo()
        violation_class = Class.search([("track", "=", ViolationTrack.NO_CONSEQUENCE)], limit=1)
        if not violation_class:
            violation_class = Class.create(
                {
                    "name": "未造成不良后果",
                    "code": "demo_none",
                    "points": 1,
                    "track": ViolationTrack.NO_CONSEQUENCE,
                }
            )
        Type = env["facility.violation.type"].sudo()
        violation_type = Type.search(
            [("class_id", "=", violation_class.id), ("source", "=", ViolationSource.MANUAL)],
            limit=1,
        )
        if not violation_type:
            violation_type = Type.create(
                {
                    "name": "违反中心管理规定",
                    "code": "demo_manual",
                    "class_id": violation_class.id,
                    "source": ViolationSource.MANUAL,
                }
            )
        return violation_class, violation_type
