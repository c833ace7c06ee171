"""Access rows of the boxes area (filled by its author)."""

MODELS = {}
FIELD_ROWS = []
