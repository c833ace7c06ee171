from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import SQL, Query

from .access import FACILITY_MANAGER, field_labels

NEGATIONS = {
    "!=": "=",
    "not in": "in",
    "not like": "like",
    "not ilike": "ilike",
    "not =like": "=like",
    "not =ilike": "=ilike",
}
# Fields restricted to some groups: Odoo checks their groups when they are read, not when a domain
# filters on them (x2many fields), so _search checks them.
RESTRICTED_SEARCH = ("facility_membership_ids", "facility_qualification_ids")


class ResUsers(models.Model):
    """A user's research groups and qualifications, as far as the reader may know them.

    Who belongs to a research group is known to its members, its PI and the facility staff: a
    plain user must not learn another group's members through a search on users. The stored
    membership is for the superuser (record rules, server code); everybody else reads and
    searches :attr:`facility_group_ids`, limited to the groups they may read.
    """

    _inherit = "res.users"

    facility_membership_ids = fields.Many2many(
        "facility.research.group",
        "facility_research_group_member_rel",
        "user_id",
        "group_id",
        string="Research Group Memberships",
        groups="base.group_system",
        help="Technical: every research group of the user, for record rules and server code.",
    )
    facility_group_ids = fields.Many2many(
        "facility.research.group",
        string="Research Groups",
        compute="_compute_facility_group_ids",
        inverse="_inverse_facility_group_ids",
        search="_search_facility_group_ids",
        readonly=True,
        help="The user's research groups that you may see.",
    )
    facility_qualification_ids = fields.One2many(
        "facility.qualification",
        "user_id",
        string="Qualifications",
        groups=FACILITY_MANAGER,
    )

    @api.depends("facility_membership_ids")
    @api.depends_context("uid")
    def _compute_facility_group_ids(self):
        for user in self:
            groups = user.sudo().facility_membership_ids
            user.facility_group_ids = groups.with_env(self.env)._filtered_access("read")

    def _inverse_facility_group_ids(self):
        raise UserError(
            self.env._(
                "Membership rule: members are added and removed on the research group, by a "
                "facility manager, an instrument manager or the group's PI."
            )
        )

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        if not self.env.su and domain:
            used = {
                term[0].split(".", 1)[0]
                for term in domain
                if isinstance(term, (list, tuple)) and term and isinstance(term[0], str)
            }
            forbidden = [
                name
                for name in RESTRICTED_SEARCH
                if name in used and not self._fields[name].is_accessible(self.env)
            ]
            if forbidden:
                raise AccessError(
                    self.env._(
                        "Privacy rule: users cannot be searched by %(fields)s; search the research "
                        "groups or the qualifications, which show what you may see.",
                        fields=field_labels(self, forbidden),
                    )
                )
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def _search_facility_group_ids(self, operator, value):
        """Users in the research groups matching ``operator value`` that the searcher may read."""
        groups = self.env["facility.research.group"]
        positive = NEGATIONS.get(operator, operator)
        if isinstance(value, (list, tuple)) and not value and positive == "in":
            return expression.FALSE_DOMAIN if operator == "in" else expression.TRUE_DOMAIN
        if value is False or value is None:
            # users in no (visible) group, or in some
            domain = []
            negate = operator in ("=", "in")
        else:
            if isinstance(value, str) and positive == "in":
                value = [value]
            if isinstance(value, str):
                domain = [("display_name", positive, value)]
            elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                domain = expression.OR([[("display_name", "ilike", v)] for v in value])
            elif positive in ("=", "in") and (
                isinstance(value, SQL | Query)
                or (isinstance(value, int) and not isinstance(value, bool))
                or (
                    isinstance(value, (list, tuple))
                    and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
                )
            ):
                domain = [("id", positive, value)]
            else:
                raise UserError(
                    self.env._(
                        "Research groups are searched by id or name; %(operator)s %(value)s is "
                        "not supported.",
                        operator=operator,
                        value=repr(value)[:50],
                    )
                )
            negate = operator in NEGATIONS
        query = groups._search(domain)  # record rules apply: only groups the searcher may read
        members = SQL(
            "(SELECT rel.user_id FROM facility_research_group_member_rel rel "
            "WHERE rel.group_id IN %s)",
            query.subselect(),
        )
        return [("id", "not in" if negate else "in", members)]
