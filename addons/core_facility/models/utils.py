"""Small ORM helpers shared by the models."""

import pytz
from babel.dates import format_skeleton

from odoo.tools.misc import babel_locale_parse


def selection_label(record, field_name):
    """The translated label of ``record``'s selection field ``field_name``."""
    field = record._fields[field_name]
    return dict(field._description_selection(record.env)).get(record[field_name], "")


def to_local(utc_naive, tz):
    """A naive UTC datetime (as stored) as naive wall-clock time in ``tz``."""
    return pytz.utc.localize(utc_naive).astimezone(tz).replace(tzinfo=None)


def to_utc(local_naive, tz):
    """Naive wall-clock time in ``tz`` as a naive UTC datetime (as stored)."""
    return tz.localize(local_naive).astimezone(pytz.utc).replace(tzinfo=None)


def format_month(env, day):
    """``day``'s month and year in the user's language ("January 2026", "2026年1月")."""
    return format_skeleton("yMMMM", day, locale=babel_locale_parse(env.lang or "en_US"))


def num(value):
    """A number as people write it: 24 rather than 24.0, 9.5 as it is."""
    return f"{value:g}" if isinstance(value, float) else str(value)
