"""Write permissions beyond ACLs and record rules, shared by the models.

Some fields change only through one method (a research group's status, an assessment's state and
sign-offs): that method writes them on :func:`permit` records, which carry a private sentinel in
their context, as OCA queue_job does for its protected fields. The sentinel is a Python object that
no JSON-RPC request can carry, so no client can grant itself the permission; the superuser (server
code, data files) always may.
"""

from odoo.exceptions import UserError

_PERMIT_KEY = "core_facility_permit"
_PERMIT = object()

FACILITY_MANAGER = "core_facility.group_facility_manager"
INSTRUMENT_MANAGER = "core_facility.group_facility_instrument_manager"
FINANCE = "core_facility.group_facility_finance"


def permit(records):
    """``records`` allowed to write their protected fields."""
    return records.with_context(**{_PERMIT_KEY: _PERMIT})


def is_permitted(records):
    """Whether ``records`` may write protected fields: the superuser or :func:`permit` records."""
    return records.env.su or records.env.context.get(_PERMIT_KEY) is _PERMIT


def field_labels(records, field_names):
    """The translated labels of ``field_names``, comma-separated, for a refusal."""
    return ", ".join(
        records._fields[name]._description_string(records.env) for name in sorted(field_names)
    )


def ensure_single(records):
    """Like ``ensure_one``, with a clear error instead of a server error for RPC callers."""
    if len(records) != 1:
        raise UserError(
            records.env._(
                "This action applies to one %(model)s at a time; %(count)s were given.",
                model=records._description,
                count=len(records),
            )
        )
    return records
