from lxml import etree

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDisplay(TransactionCase):
    def test_no_seconds_on_screen(self):
        """Every date and time in a list, card or form is shown without seconds, whatever the
        language's own time format (en_US has seconds)."""
        views = self.env["ir.ui.view"].search(
            [("model", "=like", "facility.%"), ("type", "in", ("list", "form", "kanban"))]
        )
        self.assertTrue(views)
        for view in views:
            arch = etree.fromstring(view.arch)
            for node in arch.iter("field"):
                model = self.env[view.model]
                # fields of an embedded x2many list belong to the related model
                # (in an extension, a field node with a position locates where to add)
                parents = [
                    p.get("name") for p in node.iterancestors("field") if not p.get("position")
                ]
                for name in reversed(parents):
                    model = self.env[model._fields[name].comodel_name]
                field = model._fields.get(node.get("name"))
                if field is None or field.type != "datetime":
                    continue
                with self.subTest(view=view.xml_id, field=field.name):
                    self.assertIn("'show_seconds': false", node.get("options") or "")
