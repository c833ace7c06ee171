"""Annual pools of an instrument's committee hours (seed 000 附件2 §4, Titan Krios).

Per calendar year, of the instrument's rated annual hours (额定机时):

- **external**: external groups may be granted at most ``external_share`` of them (Titan: 15 %);
  every hour granted to an external group counts, committee and second-round hours alike;
- **general**: ``1 - reserved_share`` of them (Titan: 70 %) are the general pool, which every
  grant that is not for a pilot project comes from;
- **reserved**: ``reserved_share`` of them (Titan: 30 %) are reserved for pilot projects
  (院先导项目). Pilot projects may also use what is left of the general pool: the reserved
  share is what others cannot take, not a ceiling on pilot projects. Pilot hours beyond the
  reserved share therefore count against the general pool.

Committee hours count once, where they were granted; second-round hours are forfeited hours
given again, so they count in the external pool only (an external group's use). An instrument
without rated annual hours has no pools. :func:`check_grant` returns every pool a grant would
exceed, with its figures; :func:`pool_status` gives the figures of each pool for display.
"""

from dataclasses import dataclass

EXTERNAL = "external"
GENERAL = "general"
RESERVED = "reserved"

EPSILON = 1e-9


@dataclass(frozen=True)
class PoolPolicy:
    """An instrument's pools: its rated annual hours and the shares (fractions, 0.15)."""

    rated_hours: float
    external_share: float = 0.0  # 0: no external pool
    reserved_share: float = 0.0  # 0: nothing reserved, pilot projects use the general pool


@dataclass(frozen=True)
class PoolUsage:
    """Hours granted so far in the year."""

    external: float = 0.0  # to external groups (committee and second-round hours)
    general: float = 0.0  # committee hours not for pilot projects
    pilot: float = 0.0  # committee hours for pilot projects


@dataclass(frozen=True)
class Grant:
    hours: float
    external: bool = False  # for an external group
    pilot: bool = False  # for a pilot project


@dataclass(frozen=True)
class PoolFigures:
    """One pool's figures: ``cap`` hours in the year, ``granted`` already, ``remaining``; and,
    for a refusal, the hours ``asked``."""

    pool: str
    share: float
    cap: float
    granted: float
    remaining: float
    asked: float = 0.0


def _round(value):
    return round(value, 2)


def pool_status(policy, usage):
    """The figures of each pool the policy has, in the order external, general, reserved; an
    empty list when the instrument has no rated annual hours."""
    if not policy.rated_hours or policy.rated_hours <= 0:
        return []
    rated = policy.rated_hours
    status = []
    if policy.external_share:
        cap = policy.external_share * rated
        status.append(
            PoolFigures(
                EXTERNAL,
                policy.external_share,
                _round(cap),
                _round(usage.external),
                _round(cap - usage.external),
            )
        )
    reserved_cap = policy.reserved_share * rated
    general_cap = rated - reserved_cap
    # pilot hours beyond the reserved share came from the general pool
    overflow = max(0.0, usage.pilot - reserved_cap)
    general_used = usage.general + overflow
    status.append(
        PoolFigures(
            GENERAL,
            1 - policy.reserved_share,
            _round(general_cap),
            _round(general_used),
            _round(general_cap - general_used),
        )
    )
    if policy.reserved_share:
        status.append(
            PoolFigures(
                RESERVED,
                policy.reserved_share,
                _round(reserved_cap),
                _round(usage.pilot),
                # what pilot projects may still be granted: the reserved rest and the general rest
                _round(max(0.0, reserved_cap - usage.pilot) + general_cap - general_used),
            )
        )
    return status


def check_grant(policy, usage, grant):
    """The pools ``grant`` would exceed (each with its figures and the hours asked); empty when
    it fits, when nothing is asked or when the instrument has no rated annual hours.

    A pilot grant is judged against the reserved pool (whose remaining hours include the general
    pool's rest) when the policy reserves a share, else against the general pool like any other.
    """
    if grant.hours <= 0:
        return []
    applies = {
        EXTERNAL: grant.external,
        GENERAL: not grant.pilot or not policy.reserved_share,
        RESERVED: grant.pilot,
    }
    return [
        PoolFigures(
            figures.pool,
            figures.share,
            figures.cap,
            figures.granted,
            figures.remaining,
            _round(grant.hours),
        )
        for figures in pool_status(policy, usage)
        if applies[figures.pool] and grant.hours > figures.remaining + EPSILON
    ]
