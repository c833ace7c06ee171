from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, Query

NEGATIONS = {
    "!=": "=",
    "not in": "in",
    "not like": "like",
    "not ilike": "ilike",
    "not =like": "=like",
    "not =ilike": "=ilike",
}


class ResUsers(models.Model):
    """A user's research groups and qualifications, as far as the reader may know them.

    Who belongs to a research group, and who holds which qualification, is known to the group,
    its PI and the facility staff: a plain user must not learn it by searching users. So these
    fields are not relations stored on the user (a domain on a stored relation is answered from
    its table, past the record rules, even through ``partner_id.user_ids``): they are computed
    and searched through the research groups and qualifications the reader may read; the
    superuser (record rules, server code) sees them all.
    """

    _inherit = "res.users"

    facility_group_ids = fields.Many2many(
        "facility.research.group",
        string="Research Groups",
        compute="_compute_facility_group_ids",
        inverse="_inverse_facility_group_ids",
        search="_search_facility_group_ids",
        readonly=True,
        help="The user's research groups that you may see.",
    )
    facility_qualification_ids = fields.Many2many(
        "facility.qualification",
        string="Qualifications",
        compute="_compute_facility_qualification_ids",
        search="_search_facility_qualification_ids",
        help="The user's qualifications that you may see.",
    )

    @api.depends_context("uid")
    def _compute_facility_group_ids(self):
        groups = self.env["facility.research.group"].sudo().search([("member_ids", "in", self.ids)])
        members = {g.id: set(g.with_context(active_test=False).member_ids.ids) for g in groups}
        visible = groups.with_env(self.env)._filtered_access("read")
        for user in self:
            user.facility_group_ids = visible.filtered(
                lambda g, uid=user._origin.id: uid in members[g.id]
            )

    def _inverse_facility_group_ids(self):
        raise UserError(
            self.env._(
                "Membership rule: members are added and removed on the research group, by a "
                "facility manager, an instrument manager or the group's PI."
            )
        )

    @api.depends_context("uid")
    def _compute_facility_qualification_ids(self):
        qualifications = self.env["facility.qualification"].search(
            [("user_id", "in", self.ids)]
        )  # record rules apply
        for user in self:
            user.facility_qualification_ids = qualifications.filtered(
                lambda q, uid=user._origin.id: q.user_id.id == uid
            )

    def _search_facility_group_ids(self, operator, value):
        return self._search_through(
            "facility.research.group",
            "(SELECT rel.user_id FROM facility_research_group_member_rel rel "
            "WHERE rel.group_id IN %s)",
            operator,
            value,
        )

    def _search_facility_qualification_ids(self, operator, value):
        return self._search_through(
            "facility.qualification",
            "(SELECT q.user_id FROM facility_qualification q WHERE q.id IN %s)",
            operator,
            value,
        )

    def _search_through(self, model, users_sql, operator, value):
        """Users linked (by ``users_sql``) to the records of ``model`` matching ``operator
        value`` that the searcher may read: ``model``'s record rules apply."""
        records = self.env[model]
        positive = NEGATIONS.get(operator, operator)
        if isinstance(value, (list, tuple)) and not value and positive == "in":
            return expression.FALSE_DOMAIN if operator == "in" else expression.TRUE_DOMAIN
        if value is False or value is None:
            # users linked to none of the records one may read, or to some
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
                        "Search %(model)s by id or name; %(operator)s %(value)s is not supported.",
                        model=records._description,
                        operator=operator,
                        value=repr(value)[:50],
                    )
                )
            negate = operator in NEGATIONS
        query = records._search(domain)  # record rules apply, unless superuser
        users = SQL(users_sql, query.subselect())
        return [("id", "not in" if negate else "in", users)]
