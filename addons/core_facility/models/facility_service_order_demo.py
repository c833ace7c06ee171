from datetime import timedelta

from odoo import Command, api, fields, models

from ..rules.codes import ServiceStep

T = ServiceStep


class FacilityServiceOrder(models.Model):
    _inherit = "facility.service.order"

    @api.model
    def _demo_load_services(self):
        """Demo entrusted services drawn from seed 000 第三章, in several steps, their dates
        relative to today: each step is done through its action by the staff member, then its
        time moved into the past (as it happened)."""
        env = self.env
        ref = env.ref
        now = fields.Datetime.now().replace(second=0, microsecond=0)
        company = env.company
        if not company.facility_director_id:
            company.facility_director_id = ref("core_facility.user_sunfei_demo")
        if not company.facility_chief_expert_id:
            company.facility_chief_expert_id = ref("core_facility.user_xuwei_demo")
        em_leader = ref("core_facility.user_huangxiaojun_demo")
        prep_leader = ref("core_facility.user_wangli_demo")
        em_type = ref("core_facility.service_type_em")
        prep_type = ref("core_facility.service_type_prep")
        em_type.write(
            {
                "leader_id": em_leader.id,
                "instrument_ids": [
                    Command.set(
                        [
                            ref(f"core_facility.instrument_{code}_demo").id
                            for code in ("titan", "talos", "spirit")
                        ]
                    )
                ],
            }
        )
        prep_type.write(
            {
                "leader_id": prep_leader.id,
                "instrument_ids": [
                    Command.set(
                        [
                            ref(f"core_facility.instrument_{code}_demo").id
                            for code in ("hpm100", "afs2_a", "uc6_1", "fc7")
                        ]
                    )
                ],
            }
        )

        def days_ago(days, hour=10):
            # 10:00 in Shanghai is 02:00 UTC
            return (now - timedelta(days=days)).replace(hour=hour - 8, minute=0)

        # 1. cryo-EM imaging for the external group: from its approved application, sample
        #    qualified, Titan time booked; the EM experiment comes next.
        external = ref("core_facility.research_group_external_demo")
        application = (
            env["facility.application"]
            .sudo()
            .create(
                {
                    "kind": "service",
                    "title": "膜转运蛋白 Cryo-EM 单颗粒数据收集",
                    "applicant_id": ref("core_facility.user_zhoujie_demo").id,
                    "research_group_id": external.id,
                    "service_type_id": em_type.id,
                    "scientific_question": "转运蛋白在底物结合状态下的构象变化。",
                    "sample_description": "纯化蛋白 3 mg/mL，去垢剂 LMNG；已负染筛选。",
                    "techniques": "Vitrobot 制样，Titan Krios 数据收集（委托工作人员）",
                    "state": "approved",
                    "submit_date": days_ago(12),
                    "decision_date": days_ago(6, 15),
                    "decision_user_id": ref("core_facility.user_sunfei_demo").id,
                    "decision_note": "<p>专家组意见：同意。先在 Talos 上检查冰层厚度，"
                    "合格后安排 Titan 数据收集。</p>",
                }
            )
        )
        em_order = self._create_from_application(application)
        em_order.sudo().write(
            {
                "user_id": em_leader.id,
                "imaging_mode": "staff",
                "protocol": "<p>Vitrobot Mark IV，100% 湿度，4 °C，blot 3 s；Titan Krios "
                "300 kV，K3 探测器，105k×，总剂量 50 e⁻/Å²。</p>",
            }
        )
        staff_em = em_order.with_user(em_leader)
        staff_em.action_request_sample()
        sample = self._demo_sample(staff_em, "纯化蛋白 50 µL，冰上运输", days_ago(3))
        sample.with_user(em_leader).action_qualify()
        staff_em.action_receive_sample()
        start = (now + timedelta(days=2)).replace(hour=0, minute=30)
        booking = (
            env["facility.booking"]
            .sudo()
            .with_context(booking_skip_rules=True)
            .create(
                {
                    "instrument_id": ref("core_facility.instrument_titan_demo").id,
                    "operator_id": em_leader.id,
                    "research_group_id": external.id,
                    "purpose": f"{em_order.name} 委托数据收集",
                    "date_start": start,
                    "date_stop": start + timedelta(hours=24),
                }
            )
        )
        staff_em.write({"booking_ids": [Command.link(booking.id)], "staff_hours": 2.0})
        self._demo_dates(em_order, [days_ago(12), days_ago(6, 15), days_ago(5), days_ago(3)])

        # 2. HPF and freeze substitution for an internal group: the qualified sample arrived
        #    23 days ago and the preparation is not finished: late, escalated.
        late = self._demo_order(
            prep_type,
            "research_group_xuwei_demo",
            "user_sunxiaodong_demo",
            prep_leader,
            "线虫高压冷冻-冷冻替代及超薄切片",
            "<p>HPM100 高压冷冻；AFS2 冷冻替代（1% 锇酸 + 0.1% 醋酸铀丙酮，"
            "-90 °C 72 h 升温至 -20 °C）；Epon 812 包埋；UC6 超薄切片 70 nm。</p>",
        )
        staff = late.with_user(prep_leader)
        staff.action_review()
        staff.action_request_sample()
        self._demo_sample(staff, "秀丽线虫 L4 期，酵母糊包埋", days_ago(23)).with_user(
            prep_leader
        ).action_qualify()
        staff.action_receive_sample()
        staff.write(
            {
                "consumable_ids": [
                    Command.create({"name": "HPF 样品托（铝）", "quantity": 12, "unit": "个"}),
                    Command.create({"name": "锇酸 (OsO4) 1%", "quantity": 2, "unit": "mL"}),
                ],
                "staff_hours": 6.5,
            }
        )
        self._demo_dates(
            late, [days_ago(32), days_ago(28), days_ago(27), days_ago(23)], qualified=23
        )
        late.sudo()._cron_commitments()

        # 3. chemical fixation, done and closed with a complete archive, and a complaint.
        done = self._demo_order(
            prep_type,
            "research_group_miaolong_demo",
            "user_liuqiang_demo",
            prep_leader,
            "小鼠肾脏化学固定及树脂包埋切片",
            "<p>2.5% 戊二醛 + 2% 多聚甲醛固定，1% 锇酸后固定，梯度乙醇脱水，"
            "Epon 812 包埋，UC6 超薄切片 70 nm，醋酸铀-柠檬酸铅染色。</p>",
        )
        staff = done.with_user(prep_leader)
        staff.action_review()
        staff.action_request_sample()
        self._demo_sample(staff, "小鼠肾皮质组织块 1 mm³ × 6", days_ago(30)).with_user(
            prep_leader
        ).action_qualify()
        staff.action_receive_sample()
        staff.action_preparation_done()
        staff.write(
            {
                "results": "<p>切片 40 张（70 nm），载于 200 目铜网；足突与基底膜结构清晰。</p>",
                "next_step_advice": "建议在 Spirit 上成像后做连续切片三维重构。",
                "staff_hours": 9.0,
                "consumable_ids": [
                    Command.create({"name": "200 目铜网", "quantity": 20, "unit": "片"}),
                    Command.create({"name": "Epon 812 树脂", "quantity": 15, "unit": "mL"}),
                ],
            }
        )
        staff.action_approve_results()
        staff.action_deliver()
        pi = ref("core_facility.user_miaolong_demo")
        done.with_user(pi).write({"pi_opinion": "结果符合预期，同意归档。"})
        done.with_user(pi).action_pi_sign()
        staff.action_close()
        self._demo_dates(
            done,
            [
                days_ago(36),
                days_ago(33),
                days_ago(32),
                days_ago(30),
                days_ago(16),
                days_ago(14),
                days_ago(9),
            ],
            qualified=30,
        )
        done.sudo().write(
            {
                "leader_approved_date": days_ago(15),
                "pi_signed_date": days_ago(10),
            }
        )
        env["facility.complaint"].with_user(ref("core_facility.user_liuqiang_demo")).create(
            {
                "order_id": done.id,
                "description": "部分切片有刀痕，影响连续切片重构，希望重新切片。",
            }
        )

        # 4. Tokuyasu cryo-sections: the first sample was not qualified, a new one is requested.
        tokuyasu = self._demo_order(
            prep_type,
            "research_group_zhuping_demo",
            "user_chenjing_demo",
            prep_leader,
            "HeLa 细胞 Tokuyasu 冷冻切片免疫金标记",
            "<p>4% 多聚甲醛 + 0.1% 戊二醛固定，12% 明胶包埋，2.3 M 蔗糖渗透，"
            "FC7 冷冻超薄切片 -120 °C，免疫金标记。</p>",
        )
        staff = tokuyasu.with_user(prep_leader)
        staff.action_review()
        staff.action_request_sample()
        refused = self._demo_sample(staff, "HeLa 细胞沉淀，固定后 4 °C", days_ago(4))
        refused.with_user(prep_leader).write({"refuse_reason": "固定时间不足，样品已部分降解。"})
        refused.with_user(prep_leader).action_refuse()
        staff.action_receive_sample()
        self._demo_dates(tokuyasu, [days_ago(9), days_ago(7), days_ago(6), days_ago(4)])

        # 5. an EM negative-staining check with a negotiated deadline signed off by the director.
        negotiated = self._demo_order(
            em_type,
            "research_group_xupingyong_demo",
            "user_yangyang_demo",
            em_leader,
            "蛋白复合物负染筛选及低温样品检查",
            "<p>醋酸铀负染，Spirit 120 kV 检查；合格后 Talos 低温检查。</p>",
        )
        staff = negotiated.with_user(em_leader)
        staff.action_review()
        staff.write(
            {
                "negotiated_deadline": fields.Date.context_today(self) + timedelta(days=25),
                "negotiated_reason": "样品需先优化去垢剂条件，经协商延长时间。",
            }
        )
        negotiated.with_user(ref("core_facility.user_sunfei_demo")).action_approve_deadline()

        # 6. a newly registered sample preparation (external group, within its capacity).
        self._demo_order(
            prep_type,
            "research_group_external_demo",
            "user_qiankun_demo",
            prep_leader,
            "拟南芥根尖高压冷冻及冷冻替代",
            False,
        )
        return True

    @api.model
    def _demo_order(self, service_type, group_xmlid, applicant_xmlid, staff, title, protocol):
        return self.with_user(staff).create(
            {
                "title": title,
                "service_type_id": service_type.id,
                "research_group_id": self.env.ref(f"core_facility.{group_xmlid}").id,
                "applicant_id": self.env.ref(f"core_facility.{applicant_xmlid}").id,
                "protocol": protocol,
            }
        )

    @api.model
    def _demo_sample(self, order, description, received):
        """A sample that arrived at ``received``: the request it answers is moved before it (the
        dates are then set by _demo_dates)."""
        requested = order.sudo().step_ids.filtered(lambda s: s.step == T.SAMPLE_REQUESTED)
        requested.filtered(lambda s: s.date > received).write({"date": received})
        return (
            self.env["facility.service.sample"]
            .with_user(order.env.user)
            .create({"order_id": order.id, "description": description, "received_date": received})
        )

    @api.model
    def _demo_dates(self, order, moments, qualified=None):
        """Move the order's steps (in the order they were recorded) to ``moments``, and what
        depends on them."""
        order = order.sudo()
        steps = order.step_ids.sorted("id")
        for step, moment in zip(steps, moments, strict=False):
            step.date = moment
        values = {}
        reviewed = steps.filtered(lambda s: s.step == T.REVIEWED)[:1]
        if reviewed and reviewed.date:
            values["approval_date"] = reviewed.date
        received = steps.filtered(lambda s: s.step == T.SAMPLE_RECEIVED)[:1]
        if received:
            order.sample_ids.filtered("judged_date").write({"judged_date": received.date})
        if qualified is not None:
            values["sample_qualified_date"] = order.sample_ids.filtered(
                lambda s: s.state == "qualified"
            )[:1].received_date
        done = steps.filtered(lambda s: s.step in (T.PREPARATION, T.IMAGING))[:1]
        if done:
            values["commitment_done_date"] = order._local_date(done.date)
        order.write(values)
