"""Pure rule functions of Core Facility: plain values in, plain values out, no Odoo import."""
