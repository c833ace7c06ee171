from datetime import timedelta

from odoo import api, fields, models

P = "core_facility."


class FacilityPublication(models.Model):
    _inherit = "facility.publication"

    @api.model
    def _demo_blacklist(self):
        """Demo data only: 邓红雨课题组, already suspended once for a paper that did not thank the
        facility, omits the acknowledgement twice more on purpose; the staff record both as
        malicious (附件3 五, 附件4): the group is blacklisted and its unit marked of poor
        integrity, through the real decision."""
        env = self.env
        group = env.ref(f"{P}research_group_suspended_demo")
        author = env.ref(f"{P}user_gaoyuan_demo")
        staff = env.ref(f"{P}user_sunfei_demo")
        today = fields.Date.context_today(self)
        papers = [
            (
                "海马神经元突触的冷冻电子断层成像",
                "本研究得到国家自然科学基金资助。感谢课题组全体成员的讨论。",
                today - timedelta(days=60),
            ),
            (
                "Subtomogram averaging of synaptic vesicle tethers",
                "This work was supported by the National Natural Science Foundation of China. "
                "We thank the members of the lab for discussions.",
                today - timedelta(days=10),
            ),
        ]
        for title, acknowledgement, day in papers:
            paper = self.sudo().create(
                {
                    "kind": "paper",
                    "name": title,
                    "authors": "高原, 邓红雨",
                    "year": today.year,
                    "journal": "Journal of Structural Biology",
                    "indexing": "sci",
                    "impact_factor": 3.0,
                    "research_group_id": group.id,
                    "registrant_id": author.id,
                    "user_ids": [fields.Command.set(author.ids)],
                    "instrument_ids": [
                        fields.Command.set(env.ref(f"{P}instrument_titan_demo").ids)
                    ],
                    "acknowledgement_text": acknowledgement,
                }
            )
            paper.with_user(staff).record_missing_acknowledgement(
                malicious=True,
                use_refusal_months=12,
                service_refusal_months=12,
                date_from=day,
                reason="论文使用了中心的冷冻电镜数据，致谢中未提及生物成像中心。",
            )
        return True
