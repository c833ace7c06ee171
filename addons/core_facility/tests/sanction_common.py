from datetime import datetime

from odoo import fields

from ..rules.codes import ViolationSource, ViolationTrack
from .common import FacilityCase

NOW = datetime(2026, 3, 10, 2, 0)  # 10:00 in Shanghai, a Tuesday


class SanctionMixin:
    """Violation classes for each track of the ladder, violations created directly (as the
    ledger would record them) and the ladder applied to them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Class = cls.env["facility.violation.class"]
        Type = cls.env["facility.violation.type"]
        cls.classes = {
            track: Class.create(
                {"name": f"Test {track}", "code": f"t_{track}", "points": points, "track": track}
            )
            for track, points in (
                (ViolationTrack.NO_CONSEQUENCE, 1),
                (ViolationTrack.CONSEQUENCE, 3),
                (ViolationTrack.SERIOUS, 10),
            )
        }
        cls.types = {
            source: Type.create(
                {
                    "name": f"Test {source}",
                    "code": f"t_{source}",
                    "class_id": cls.classes[ViolationTrack.NO_CONSEQUENCE].id,
                    "source": source,
                }
            )
            for source in (
                ViolationSource.MANUAL,
                ViolationSource.NO_SHOW,
                ViolationSource.UNPAID_FEES,
            )
        }
        cls.Sanction = cls.env["facility.sanction"]

    def violate(
        self,
        group,
        user=None,
        track=ViolationTrack.NO_CONSEQUENCE,
        count=1,
        when=None,
        source=ViolationSource.MANUAL,
        booking=None,
    ):
        """``count`` counted violations of ``track`` recorded by the ledger, then the ladder."""
        when = when or fields.Datetime.now()
        cls = self.classes[track]
        violations = (
            self.env["facility.violation"]
            .sudo()
            .create(
                [
                    {
                        "type_id": self.types[source].id,
                        "class_id": cls.id,
                        "points": cls.points,
                        "date": when,
                        "year": when.year,
                        "research_group_id": group.id,
                        "user_id": user.id if user else False,
                        "booking_id": booking.id if booking else False,
                    }
                    for _i in range(count)
                ]
            )
        )
        self.Sanction._apply_ladder(violations)
        return violations

    def sanctions(self, group=None, user=None, kind=None):
        domain = []
        if group:
            domain.append(("research_group_id", "=", group.id))
        if user:
            domain.append(("user_id", "=", user.id))
        if kind:
            domain.append(("kind", "=", kind))
        return self.Sanction.sudo().search(domain)


class SanctionCase(SanctionMixin, FacilityCase):
    pass
