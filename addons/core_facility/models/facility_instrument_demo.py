from odoo import models


class FacilityInstrument(models.Model):
    _inherit = "facility.instrument"

    def _demo_update_translations(self, field_name, lang, value):
        """Demo data only: give ``field_name`` its ``value`` in ``lang`` when that language is
        installed (the demo also loads without it). An HTML field is translated term by term:
        ``value`` has the terms of the English text in the same order (a paragraph of plain text
        is one term)."""
        if lang not in dict(self.env["res.lang"].get_installed()):
            return
        field = self._fields[field_name]
        for record in self:
            if not callable(field.translate):
                record.update_field_translations(field_name, {lang: value})
                continue
            source = record.with_context(lang="en_US")[field_name] or ""
            terms = field.get_trans_terms(source)
            translated = field.get_trans_terms(value)
            if len(terms) != len(translated):
                raise ValueError(f"{record.display_name}: {field_name} terms do not match")
            record.update_field_translations(
                field_name, {lang: dict(zip(terms, translated, strict=True))}
            )
