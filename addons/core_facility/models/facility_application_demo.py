from datetime import datetime, time, timedelta

from odoo import Command, api, models

from ..rules import booking as booking_rules
from .utils import to_utc

P = "core_facility."


class FacilityApplication(models.Model):
    _inherit = "facility.application"

    @api.model
    def _demo_committee(self):
        """Demo data only: a living committee around today, through the real actions — last
        week's batch decided (an approved Talos application and its allocation, a service, a
        collaboration, a refusal, a rush cleared by the director), this week's in review, one
        from two weeks ago overdue, next week's filling up, drafts and consultations."""
        env = self.env
        company = env.ref("base.main_company")
        today = self.with_company(company)._local_today()
        weekday = int(company.facility_review_meeting_weekday or 4)
        current = today - timedelta(days=(today.weekday() - weekday) % 7)
        next_month = booking_rules.next_month_start(today)
        tz = self._facility_tz()

        def user(login):
            return env.ref(f"{P}user_{login}_demo")

        def group(pi):
            return env.ref(f"{P}research_group_{pi}_demo")

        def instrument(name):
            return env.ref(f"{P}instrument_{name}_demo")

        def moment(day, hour=10):
            return to_utc(datetime.combine(day, time(hour)), tz)

        def new(login, pi, title, kind="instrument_time", lines=(), **values):
            applicant = user(login)
            vals = dict(
                kind=kind,
                title=title,
                applicant_id=applicant.id,
                research_group_id=group(pi).id,
                line_ids=[
                    Command.create(
                        {
                            "instrument_id": instrument(name).id,
                            "month": next_month,
                            "hours_requested": hours,
                        }
                    )
                    for name, hours in lines
                ],
                **values,
            )
            return self.sudo().create(vals).with_user(applicant).sudo()

        def submit(application, day):
            """Submitted on ``day`` (a Wednesday before its meeting) at 10:00."""
            application.action_submit()
            submitted = moment(day)
            vals = {"submit_date": submitted}
            if application.kind != "consultation":
                batch = env["facility.review.batch"]._for_submission(submitted, company)
                vals["batch_id"] = batch.id
            application.sudo()._write_guarded(vals)
            return application

        def vote(application, login, code, opinion=False):
            review = application.sudo().review_ids.filtered(lambda r: r.reviewer_id == user(login))
            review.with_user(user(login)).write({"vote": code, "opinion": opinion})

        def decide(application, login, approve, note, hours=None, day=None):
            decider = user(login)
            grants = [(line, hours) for line in application.line_ids] if hours else []
            application.sudo().with_user(decider)._decide(approve, note, grants)
            if day:
                application.sudo()._write_guarded({"decision_date": moment(day, 16)})

        older, previous = current - timedelta(days=14), current - timedelta(days=7)
        wednesday = timedelta(days=2)
        service_type = env["facility.service.type"].search([("flow", "=", "prep")], limit=1)
        if not service_type:
            service_type = env["facility.service.type"].create(
                {"name": "样品制备（高压冷冻-冷冻替代-超薄切片）", "flow": "prep"}
            )
        em_service = env["facility.service.type"].search([("flow", "=", "em")], limit=1)
        if not em_service:
            em_service = env["facility.service.type"].create(
                {"name": "透射电镜成像（委托）", "flow": "em"}
            )
        form = {
            "research_background": "<p>ABC 转运体介导多种药物的跨膜外排，是肿瘤多药耐药的重要原因。"
            "前期已获得均一、稳定的去垢剂纯化样品。</p>",
            "scientific_question": "底物结合与 ATP 水解如何偶联，驱动转运体构象变化？",
            "sample_description": "纯化的膜蛋白，3 mg/ml，"
            "已在 Tecnai 20 上完成负染色和冷冻样品初筛。",
            "sample_source": "HEK293 细胞表达，本课题组纯化",
            "techniques": "冷冻电镜单颗粒分析（cryo-EM single particle analysis）",
            "expected_outcome": "获得 3 Å 左右分辨率的结构，解析底物结合口袋。",
            "time_frame": "3 个月",
        }

        # -- two weeks ago: still in review, past its answer date (overdue) -----------------------
        overdue = submit(
            new(
                "liuqiang",
                "miaolong",
                "冷冻聚焦离子束减薄（cryo-FIB）制备细胞冷冻含水切片",
                lines=[("helios", 32)],
                **dict(
                    form,
                    techniques="Helios 双束电镜 cryo-FIB 减薄，随后 cryo-ET",
                    scientific_question="细胞内原位分子机器的三维结构",
                ),
            ),
            older - wednesday,
        )
        # -- last week: decided --------------------------------------------------------------------
        talos = submit(
            new(
                "lina",
                "xuwei",
                "ABC 转运体的冷冻电镜单颗粒结构解析（高端低温电镜用户申请书）",
                lines=[("talos", 48)],
                **form,
            ),
            previous - wednesday,
        )
        service = submit(
            new(
                "chenjing",
                "zhuping",
                "线虫神经系统高压冷冻-冷冻替代样品制备及超薄切片",
                kind="service",
                service_type_id=service_type.id,
                **dict(
                    form,
                    sample_description="L4 期线虫，每次约 50 条",
                    sample_source="本课题组培养",
                    techniques="高压冷冻、冷冻替代、树脂包埋、连续超薄切片",
                    expected_outcome="获得完整的神经环连续切片",
                ),
            ),
            previous - wednesday,
        )
        collaboration = submit(
            new(
                "wangfang",
                "miaolong",
                "基于连续超薄切片扫描电镜的小鼠脑组织大尺度三维重构",
                kind="collaboration",
                collaboration_mode="methodology",
                progress_stage="preliminary",
                research_background="<p>突触连接组的大尺度三维重构需要 1 mm 以上尺度的连续成像。"
                "</p>",
                scientific_question="小鼠海马 CA1 区突触连接的三维组织规律",
                expected_outcome="建立小鼠脑组织连续切片三维重构流程与数据集",
            ),
            previous - wednesday,
        )
        refused = submit(
            new(
                "hejing",
                "zhangxinzheng",
                "病毒样颗粒负染色观察（Titan Krios 机时申请）",
                lines=[("titan", 24)],
                **dict(form, techniques="负染色成像"),
            ),
            previous - wednesday,
        )
        rush = submit(
            new(
                "yangyang",
                "xupingyong",
                "论文修回补充实验：冷冻替代样品制备（加急）",
                kind="service",
                service_type_id=service_type.id,
                special_request="rush",
                experimental_risk="时间紧，冷冻替代周期压缩，膜结构保存可能不理想。",
                expected_result="两周内获得可用于补充图的超薄切片。",
                **dict(form, sample_description="小鼠肝组织，已固定"),
            ),
            previous - wednesday,
        )
        # -- this week: in review ------------------------------------------------------------------
        current_talos = submit(
            new(
                "zhangwei",
                "zhuping",
                "刺突蛋白与中和抗体复合物的高分辨结构",
                lines=[("talos", 36)],
                **dict(form, sample_description="复合物样品 1.5 mg/ml，已完成冷冻条件优化"),
            ),
            current - wednesday,
        )
        low_odds = submit(
            new(
                "machao",
                "zhangxinzheng",
                "重做此前被否定的膜蛋白冷冻样品",
                lines=[("talos", 24)],
                special_request="refused_sample",
                experimental_risk="样品聚集严重，前次筛选冰层不均，可能无法获得高分辨数据。",
                expected_result="预计仅能获得二维分类结果。",
                **form,
            ),
            current - wednesday,
        )
        external = submit(
            new(
                "zhoujie",
                "external",
                "委托透射电镜成像：纳米颗粒负染色",
                kind="service",
                service_type_id=em_service.id,
                **dict(
                    form,
                    sample_description="金纳米颗粒表面修饰蛋白，约 20 份样品",
                    sample_source="华北大学结构生物学中心",
                    techniques="负染色透射电镜成像",
                    expected_outcome="颗粒分布与形貌统计",
                    time_frame="2 周",
                ),
            ),
            current - wednesday,
        )
        # the meetings that have come: batches go in review, reviews and activities assigned
        env["facility.review.batch"].search(
            [("state", "=", "open"), ("meeting_date", "<=", today)]
        ).action_start_review()

        vote(talos, "zhuping", "approve")
        vote(
            talos,
            "miaolong",
            "approve_changes",
            "建议先在 Talos 上完成样品筛选，确认冰层厚度合适后再进行长时间数据收集。",
        )
        vote(talos, "zhanghong", "approve")
        vote(talos, "liguohong", "approve")
        decide(
            talos,
            "xupingyong",
            True,
            "<p>同意分配 Talos 机时 40 小时，请于当月 1 日前完成预约。</p>",
            hours=40,
            day=previous,
        )
        vote(service, "xuwei", "approve")
        vote(service, "zhanghong", "approve")
        decide(service, "xupingyong", True, "<p>同意委托制样，请按通知送样。</p>", day=previous)
        vote(collaboration, "xuwei", "approve")
        vote(collaboration, "zhuyan", "approve_changes", "合作协议需明确数据归属与论文署名。")
        decide(
            collaboration,
            "xupingyong",
            True,
            "<p>同意开展合作研究，请尽快洽谈并签订合作协议及保密协议。</p>",
            day=previous,
        )
        for login in ("xuwei", "zhanghong"):
            vote(
                refused,
                login,
                "reject",
                "负染色样品无需使用 Titan Krios，建议使用 Spirit 或 Tecnai 20 完成。",
            )
        decide(
            refused,
            "xupingyong",
            False,
            "<p>不同意：负染色观察请预约 Spirit 或 Tecnai 20。</p>",
            day=previous,
        )
        rush.sudo().with_user(user("sunfei")).action_clear_special()
        vote(rush, "zhanghong", "approve")
        vote(rush, "liguohong", "approve")
        # the chair's own group: the director decides
        decide(rush, "sunfei", True, "<p>主任批准加急，样品到达后优先安排。</p>", day=previous)
        rush.sudo().with_user(user("yangyang")).action_close()

        vote(current_talos, "xuwei", "approve")
        vote(current_talos, "miaolong", "approve")
        vote(low_odds, "xupingyong", "reject", "样品问题未解决，建议先优化纯化条件再申请。")
        vote(external, "zhanghong", "approve")
        vote(overdue, "zhanghong", "approve")

        # -- next week's batch, a draft, a withdrawal, consultations -------------------------------
        submit(
            new(
                "sunxiaodong",
                "xuwei",
                "线粒体嵴的冷冻电子断层成像（cryo-ET）",
                lines=[("titan", 48)],
                is_pilot_project=True,
                **dict(form, techniques="冷冻电子断层成像与子断层平均"),
            ),
            today,
        )
        new(
            "wuting",
            "xupingyong",
            "相位板系统用于低温电子断层成像的合作研究",
            kind="collaboration",
            collaboration_mode="methodology",
            progress_stage="planned",
        )
        withdrawn = new("liming", "xutao", "Helios 连续切片成像（已改用 UC6 手工切片）")
        withdrawn.action_withdraw()
        answered = submit(
            new(
                "zhaoxue",
                "xutao",
                "Talos 数据收集前样品需要做哪些准备？",
                kind="consultation",
                instrument_id=instrument("talos").id,
                question="第一次申请 Talos 数据收集，样品需要提前做哪些筛选？",
            ),
            previous,
        )
        answered.sudo().write(
            {
                "answer": "<p>请提前在 Tecnai 20 上完成冷冻样品筛选，确认冰层厚度和颗粒分布；"
                "数据收集准备（合轴、参数调整、地图拍摄）需要 2~4 小时，"
                "请在当天午后前确定样品。</p>"
            }
        )
        staff = instrument("talos").manager_ids[:1] or user("sunfei")
        answered.with_user(staff).action_answer()
        submit(
            new(
                "hejing",
                "zhangxinzheng",
                "FIB-SEM 能否用于制备冷冻含水切片？",
                kind="consultation",
                instrument_id=instrument("helios").id,
                question="我们的样品是酵母细胞，能否用 Helios 进行冷冻聚焦离子束减薄？",
            ),
            today,
        )
        # applications other demo files created already decided get their reference
        Sequence = env["ir.sequence"].sudo()
        for decided in self.sudo().search(
            [("name", "=", "/"), ("submit_date", "!=", False)], order="submit_date, id"
        ):
            decided._write_guarded({"name": Sequence.next_by_code("facility.application")})
        # reminders for the overdue application; empty open batches are not kept
        env["facility.review.batch"]._cron_committee()
        env["facility.review.batch"].search(
            [("state", "=", "open"), ("application_ids", "=", False)]
        ).unlink()
        return True
