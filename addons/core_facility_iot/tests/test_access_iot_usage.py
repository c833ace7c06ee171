"""Access rows of the usage area (filled by its author)."""

MODELS = {}
FIELD_ROWS = []
