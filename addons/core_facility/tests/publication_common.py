"""Fixtures of the publication tests: outcomes registered by group A's member, PDFs made on the
spot (English with reportlab, Chinese through wkhtmltopdf, both shipped with Odoo)."""

import base64
import io

from reportlab.pdfgen import canvas

from odoo import Command

from .common import FacilityCase


class PublicationCase(FacilityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Publication = cls.env["facility.publication"]
        cls.group_a.unit_id = cls.research_unit
        cls.cn_template = cls.env.ref("core_facility.acknowledgement_template_cn")
        cls.en_template = cls.env.ref("core_facility.acknowledgement_template_en")

    @classmethod
    def paper(cls, user=None, **values):
        """A paper of group A registered by ``user`` (student A1), on the Spirit."""
        user = user or cls.student_a1
        return (
            cls.env["facility.publication"]
            .with_user(user)
            .create(
                dict(
                    {
                        "kind": "paper",
                        "name": "Cryo-EM of a transporter",
                        "year": 2025,
                        "journal": "Nature",
                        "research_group_id": cls.group_a.id,
                        "user_ids": [Command.set(user.ids)],
                        "instrument_ids": [Command.set(cls.spirit.ids)],
                        "staff_ids": [Command.set(cls.manager_spirit.ids)],
                    },
                    **values,
                )
            )
        )

    @staticmethod
    def pdf_en(*lines):
        """A one-page PDF holding ``lines`` (ASCII), as base64."""
        buffer = io.BytesIO()
        page = canvas.Canvas(buffer)
        page.setFont("Helvetica", 10)
        for index, line in enumerate(lines):
            page.drawString(50, 800 - 15 * index, line)
        page.save()
        return base64.b64encode(buffer.getvalue())

    def pdf_html(self, html):
        """A PDF of ``html`` made by wkhtmltopdf (CJK fonts embedded), as base64; the test is
        skipped where wkhtmltopdf is missing."""
        report = self.env["ir.actions.report"]
        if report.get_wkhtmltopdf_state() not in ("ok", "upgrade"):
            self.skipTest("wkhtmltopdf is not installed")
        body = f'<html><head><meta charset="utf-8"/></head><body><p>{html}</p></body></html>'
        return base64.b64encode(report._run_wkhtmltopdf([body]))
