"""Small ORM helpers shared by the models."""


def selection_label(record, field_name):
    """The translated label of ``record``'s selection field ``field_name``."""
    field = record._fields[field_name]
    return dict(field._description_selection(record.env)).get(record[field_name], "")
