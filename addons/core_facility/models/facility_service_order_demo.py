from odoo import models


class FacilityServiceOrder(models.Model):
    _inherit = "facility.service.order"

    def _demo_load_services(self):
        """Demo service orders (see demo/facility_service_demo.xml)."""
        return True
