"""Access rows of the tables area (filled by the area's author)."""

MODELS = {}
FIELD_ROWS = []
