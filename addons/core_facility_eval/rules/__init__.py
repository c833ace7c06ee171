"""Pure rules of core_facility_eval (the annual evaluation): scoring bands with explicit edges and
their validation, and the proration and exclusions of 附件3. Plain values in, plain values out,
standard library only, no Odoo import: the ORM layer (to come, issue 13) stays thin around them.
"""
