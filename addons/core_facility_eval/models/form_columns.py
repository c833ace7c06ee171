"""What the instrument forms and the unit forms share about their columns (not a model)."""

from ..rules.codes import CampaignState, SheetState

SCHOOL_ASSESSOR = "core_facility_eval.group_eval_school_assessor"


def school_column_refusal(form):
    """Why the current user may not fill (or sign) the school column of ``form`` (an instrument
    or a unit form) now, in the user's language; ``None`` when they may."""
    _ = form.env._
    campaign = form.campaign_id
    name = form.display_name
    if not form.env.user.has_group(SCHOOL_ASSESSOR):
        return _(
            "Only the school's assessors fill and sign the school column of %(form)s.",
            form=name,
        )
    if campaign.state != CampaignState.SCHOOL_ASSESSING:
        return _(
            "The school column of %(form)s is filled while the school assesses; "
            "%(campaign)s is %(state)s.",
            form=name,
            campaign=campaign.display_name,
            state=campaign._state_label(),
        )
    if form.state == SheetState.SCHOOL_SIGNED:
        return _(
            "The school column of %(form)s was signed by %(signer)s on %(date)s; it no "
            "longer changes.",
            form=name,
            signer=form.school_signer_id.name,
            date=form.school_signed_date,
        )
    if form.state == SheetState.DRAFT:
        return _("The unit has not signed %(form)s yet.", form=name)
    return None
