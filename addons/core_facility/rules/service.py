"""Entrusted technical service (委托服务) rules as pure functions on plain values.

Nothing here imports Odoo. The rules come from seed 000, 第三章:

* the flows (第一条): electron microscopy — instrument time booked, application registered,
  reviewed, sample requested, sample received, imaging, results delivered; sample preparation —
  registered, reviewed, sample requested, (qualified) sample received, preparation, sections
  delivered. Each step is an event that happened; an order moves one step at a time, and a sample
  found not qualified sends it back to "sample requested";
* the time commitments (第二条 3–4): the EM experiment at most 14 days after the application was
  approved (external users only: a service type says whether its commitment is for external
  groups only), the preparation at most 21 days after a qualified sample arrived (every
  group); a special experiment or sample gets a negotiated deadline signed off by the director;
* external service applications are accepted according to the workload (第二条 1): a capacity of
  open external orders per service type.
"""

from datetime import datetime, timedelta

from .codes import SERVICE_FLOW_STEPS, CommitmentStart, ServiceFlow, ServiceStep

# Steps after which an order is over: nothing more happens, no commitment runs.
FINISHED_STEPS = (ServiceStep.CLOSED, ServiceStep.CANCELLED)
# The step that fulfils the commitment of each flow: the EM experiment, the finished preparation
# (sections obtained).
COMMITMENT_STEP = {
    ServiceFlow.EM: ServiceStep.IMAGING,
    ServiceFlow.PREP: ServiceStep.PREPARATION,
}
# Steps not bound to the order of the flow: instrument time may be booked whenever staff plan it,
# but before the EM experiment (which needs it).
FLOATING_STEPS = {ServiceFlow.EM: (ServiceStep.BOOKED,)}


def flow_steps(flow):
    """The steps of ``flow`` in order."""
    return SERVICE_FLOW_STEPS[ServiceFlow(flow)]


def next_steps(flow, current, done=()):
    """The steps an order of ``flow`` at step ``current`` may record now.

    ``done`` are the steps already recorded. The next step of the flow (the order's steps without
    the floating ones), a floating step not yet recorded while its flow has not passed the step
    that needs it, and cancellation of an open order.
    """
    flow = ServiceFlow(flow)
    current = ServiceStep(current)
    if current in FINISHED_STEPS:
        return ()
    floating = FLOATING_STEPS.get(flow, ())
    ordered = [step for step in flow_steps(flow) if step not in floating]
    allowed = []
    if current in ordered:
        index = ordered.index(current)
        if index + 1 < len(ordered):
            allowed.append(ordered[index + 1])
    elif current in floating and ordered:
        allowed.append(ordered[0])
    target = COMMITMENT_STEP.get(flow)
    for step in floating:
        if step not in done and step != current and not _passed(ordered, current, target):
            allowed.append(step)
    allowed.append(ServiceStep.CANCELLED)
    return tuple(allowed)


def _passed(ordered, current, step):
    """Whether ``current`` is at or after ``step`` in ``ordered``."""
    if step not in ordered or current not in ordered:
        return False
    return ordered.index(current) >= ordered.index(step)


def missing_before(flow, step, done):
    """Floating steps that ``step`` needs and that are not recorded yet (EM imaging needs the
    instrument time booked)."""
    flow = ServiceFlow(flow)
    if step != COMMITMENT_STEP.get(flow):
        return ()
    return tuple(s for s in FLOATING_STEPS.get(flow, ()) if s not in done)


def step_after_sample(qualified):
    """Where a received sample leaves the order: received if qualified, else requested again."""
    return ServiceStep.SAMPLE_RECEIVED if qualified else ServiceStep.SAMPLE_REQUESTED


def default_deadline(
    start, days, approved_on=None, sample_on=None, category=None, external_only=False
):
    """The committed date of an order, or None while its start has not happened.

    ``start`` is a :class:`CommitmentStart`; ``approved_on`` and ``sample_on`` are the local
    dates of the approval and of the qualified sample's arrival. Zero days means no commitment.
    ``category`` is the research group's ("internal" / "external"); with ``external_only`` the
    commitment holds for external groups only (the EM experiment, 第二条 3).
    """
    if not days or days < 0:
        return None
    if external_only and category != "external":
        return None
    begin = approved_on if CommitmentStart(start) == CommitmentStart.APPROVAL else sample_on
    if not begin:
        return None
    return begin + timedelta(days=days)


def deadline(default, negotiated=None, negotiated_approved=False):
    """The deadline that applies: the negotiated one once the director signed it off."""
    if negotiated and negotiated_approved:
        return negotiated
    return default


def days_left(deadline_on, today):
    """Days until ``deadline_on`` (negative once it has passed), or None without deadline."""
    if not deadline_on:
        return None
    return (deadline_on - today).days


def is_late(deadline_on, today, done_on=None):
    """Whether the commitment was broken: the target step was recorded after the deadline, or
    it has not been recorded and the deadline day is over."""
    if not deadline_on:
        return False
    return (done_on or today) > deadline_on


def in_warning_window(deadline_on, today, warning_days, done_on=None):
    """Whether the responsible staff should be warned today: the commitment is still open and
    the deadline is at most ``warning_days`` days away (and not past)."""
    if not deadline_on or done_on or warning_days is None or warning_days < 0:
        return False
    return 0 <= (deadline_on - today).days <= warning_days


def external_capacity_left(capacity, open_external):
    """Open external orders a service type may still accept; None means no limit (capacity 0)."""
    if not capacity:
        return None
    return max(capacity - open_external, 0)


def accepts_external(capacity, open_external, adding=1):
    """Whether ``adding`` more external orders fit the capacity (0 = no limit)."""
    left = external_capacity_left(capacity, open_external)
    return left is None or left >= adding


def queue_priority(category):
    """Priority of an order in the staff's queue: internal groups first (第二条 1)."""
    return "1" if category == "internal" else "0"


def to_date(value):
    """A ``date`` from a date or a datetime (already local)."""
    return value.date() if isinstance(value, datetime) else value
