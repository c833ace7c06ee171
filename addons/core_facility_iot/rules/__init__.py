"""Pure rules of core_facility_iot: instrument boxes, their signed requests, their events, the
usage sessions built from them, access decisions and the offline allow-list, and the monthly spot
check of machine time. Plain values in, plain values out, standard library only, no Odoo import:
the ORM, HTTP and MQTT layers stay thin around these functions.
"""
