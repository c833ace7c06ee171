"""Access rows of the intake area (filled by its author)."""

MODELS = {}
FIELD_ROWS = []
