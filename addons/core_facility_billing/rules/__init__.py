"""Pure rules of billing: no Odoo import here, plain values in and out (tested with pytest)."""
