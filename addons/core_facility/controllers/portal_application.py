"""Portal pages of applications (申请书): the applicant's list, one application with its stage and
chatter, and the form of each kind, from which a draft is saved or the application submitted.

Portal users only read applications (their own, by the record rules): the controller creates and
changes them for them with ``sudo()`` once every value sent has been checked here (their own
research groups and the instruments they may see, ids parsed, lengths capped, text escaped). The
lifecycle actions (``action_submit``, ``action_withdraw``) run as the user when the access rights
allow it; for portal users, who have no write access, on a ``sudo()`` record whose ``env.user`` is
still the portal user, so the actions' own checks of who and when apply to them. A refusal is a
translated message on the page, the form shown again with what the user typed, or a 404: never a
trace.
"""

import os
from datetime import date, datetime

from odoo import Command, fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import html2plaintext, is_html_empty, plaintext2html

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.facility_application import REQUIRED_FIELDS
from ..rules.codes import APPLICATION_PENDING, ApplicationKind, ApplicationState
from .portal import ECHO_MAX, record_id

K = ApplicationKind
S = ApplicationState
# The fields of the form of each kind: those its submission requires (the seed's application
# forms, 第三章, 附件2 §3–5, 附件5, defined once on the model), the optional special request, and
# ``lines``, the hours asked per instrument and month.
SPECIAL_FIELDS = ("special_request", "experimental_risk", "expected_result")
KIND_FIELDS = {
    K.SERVICE: (*REQUIRED_FIELDS[K.SERVICE], *SPECIAL_FIELDS),
    K.INSTRUMENT_TIME: ("lines", *REQUIRED_FIELDS[K.INSTRUMENT_TIME], *SPECIAL_FIELDS),
    K.COLLABORATION: REQUIRED_FIELDS[K.COLLABORATION],
    K.CONSULTATION: (*REQUIRED_FIELDS[K.CONSULTATION], "instrument_id"),
}
# Free-text fields and the longest value each accepts.
TITLE_MAX = 200
CHAR_MAX = 200
TEXT_MAX = 10000
TEXT_FIELDS = {
    "sample_description": TEXT_MAX,
    "sample_source": CHAR_MAX,
    "techniques": TEXT_MAX,
    "expected_outcome": TEXT_MAX,
    "time_frame": CHAR_MAX,
    "research_background": TEXT_MAX,
    "scientific_question": TEXT_MAX,
    "experimental_risk": TEXT_MAX,
    "expected_result": TEXT_MAX,
    "question": TEXT_MAX,
}
# Fields stored as HTML: the text typed is escaped, its line breaks kept.
HTML_FIELDS = {"research_background"}
# Selection fields chosen in the form (their values are checked against the model's).
SELECTION_FIELDS = ("special_request", "collaboration_mode", "progress_stage")
# Rows of hours per instrument and month the form shows; months from this one, up to a year on.
LINE_ROWS = 4
MONTHS_AHEAD = 12
HOURS_MAX = 744  # the hours of a 31-day month
MONTH_FORMATS = ("%Y-%m", "%Y-%m-%d", "%Y/%m", "%Y/%m/%d")
# Files attached from the form.
FILES_MAX = 5
FILE_SIZE_MAX = 10 * 1024 * 1024
FILE_NAME_MAX = 200
# Applications a page lists.
PAGE_SIZE = 20
FORM_FIELDS = (
    "kind",
    "title",
    "research_group_id",
    "service_type_id",
    "instrument_id",
    *TEXT_FIELDS,
    *SELECTION_FIELDS,
)
LINE_FIELDS = ("instrument", "month", "hours")


class ApplicationRefused(Exception):
    """Input the application form refuses: the messages to show and the HTTP status."""

    def __init__(self, messages, status=400):
        super().__init__("\n".join(messages))
        self.status = status


class FacilityApplicationPortal(CustomerPortal):
    """The applicant's pages: /my/applications, /my/applications/<id>, the form of each kind."""

    # -- home tile -------------------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "facility_application_count" in counters:
            applications = request.env["facility.application"]
            values["facility_application_count"] = (
                applications.search_count(self._application_domain())
                if applications.has_access("read")
                else 0
            )
        return values

    def _application_domain(self):
        """The applications a user follows here: those they applied for, and their groups' when
        they lead them (record rules apply on top)."""
        uid = request.env.user.id
        return ["|", ("applicant_id", "=", uid), ("pi_id", "=", uid)]

    # -- list ------------------------------------------------------------------------------------

    def _application_sortings(self):
        _ = request.env._
        return {
            "date": {"label": _("Newest"), "order": "create_date desc, id desc"},
            "name": {"label": _("Reference"), "order": "name desc, id desc"},
            "stage": {"label": _("Stage"), "order": "state, create_date desc"},
        }

    def _application_filters(self):
        _ = request.env._
        return {
            "all": {"label": _("All"), "domain": []},
            "draft": {"label": _("Drafts"), "domain": [("state", "=", S.DRAFT)]},
            "pending": {
                "label": _("Waiting for the Committee"),
                "domain": [("state", "in", list(APPLICATION_PENDING))],
            },
            "decided": {
                "label": _("Decided"),
                "domain": [("state", "in", [S.APPROVED, S.REJECTED])],
            },
            "ended": {
                "label": _("Withdrawn or Closed"),
                "domain": [("state", "in", [S.WITHDRAWN, S.CLOSED])],
            },
        }

    @http.route(
        ["/my/applications", "/my/applications/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_applications(self, page=1, sortby=None, filterby=None, **kwargs):
        """The user's applications, newest first, with their stage and when the answer is due."""
        Application = request.env["facility.application"]
        sortings = self._application_sortings()
        filters = self._application_filters()
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "all"
        domain = self._application_domain() + filters[filterby]["domain"]
        readable = Application.has_access("read")
        count = Application.search_count(domain) if readable else 0
        pager = portal_pager(
            url="/my/applications",
            url_args={"sortby": sortby, "filterby": filterby},
            total=count,
            page=page,
            step=PAGE_SIZE,
        )
        applications = (
            Application.search(
                domain,
                order=sortings[sortby]["order"],
                limit=PAGE_SIZE,
                offset=pager["offset"],
            )
            if readable
            else Application
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "applications": applications,
                "pager": pager,
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
                "default_url": "/my/applications",
                "kinds": self._kind_labels(),
                "can_apply": bool(request.env.user.facility_group_ids),
                "page_name": "facility_application",
            }
        )
        return request.render("core_facility.portal_my_applications", values)

    def _kind_labels(self):
        """The kinds of application, in the form's order, with their labels in the user's
        language."""
        labels = dict(
            request.env["facility.application"]._fields["kind"]._description_selection(request.env)
        )
        return [(kind, labels[kind]) for kind in KIND_FIELDS]

    # -- one application -------------------------------------------------------------------------

    def _own_application(self, application_id):
        """The application ``application_id`` (as received) if the user follows it here and may
        read it, or None. It is returned with ``sudo()`` (to show what staff records say of it:
        its batch, its attachments), ``env.user`` still the user, so the actions it runs know who
        acts."""
        number = record_id(application_id)
        if not number:
            return None
        Application = request.env["facility.application"]
        if not Application.has_access("read"):
            return None
        application = Application.search([("id", "=", number), *self._application_domain()])
        try:
            application.check_access("read")
        except (AccessError, MissingError):
            return None
        return application.sudo() or None

    def _application_not_found(self):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "message": request.env._("You have no application with this number."),
                "back_url": "/my/applications",
                "page_name": "facility_not_found",
            }
        )
        return request.render("core_facility.portal_facility_not_found", values, status=404)

    @http.route(
        ["/my/applications/<string:application_id>"], type="http", auth="user", website=True
    )
    def portal_application(self, application_id, done=None, **kwargs):
        application_sudo = self._own_application(application_id)
        if not application_sudo:
            return self._application_not_found()
        return self._render_application(application_sudo, done=done)

    def _render_application(self, application_sudo, error=None, done=None, status=200):
        env = request.env
        # the chatter posts with the application's token: portal users may only read it
        application_sudo._portal_ensure_token()
        # the files the applicant or the PI attached (staff's files and those of messages are
        # not listed here: the chatter shows the messages the applicant may read)
        attachments = (
            env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", application_sudo._name),
                    ("res_id", "=", application_sudo.id),
                    ("res_field", "=", False),
                    (
                        "create_uid",
                        "in",
                        (application_sudo.applicant_id | application_sudo.pi_id).ids,
                    ),
                    ("id", "not in", application_sudo.message_ids.attachment_ids.ids),
                ],
                order="id",
            )
        )
        for attachment in attachments:
            attachment.generate_access_token()
        values = self._prepare_portal_layout_values()
        values = self._get_page_view_values(
            application_sudo,
            application_sudo.access_token,
            values,
            "my_applications_history",
            False,
        )
        values.update(
            {
                "application": application_sudo,
                "token": application_sudo.access_token,
                "steps": self._application_steps(application_sudo),
                "attachments": attachments,
                "service_orders": self._readable_links("facility.service.order", application_sudo),
                "collaborations": self._readable_links("facility.collaboration", application_sudo),
                "pending": application_sudo.state in APPLICATION_PENDING,
                "is_draft": application_sudo.state == S.DRAFT,
                "is_author": self._is_author(application_sudo),
                "done": done if done in ("saved", "submitted", "withdrawn") else None,
                "error": error,
                "is_html_empty": is_html_empty,
                "page_name": "facility_application_page",
            }
        )
        return request.render("core_facility.portal_application_page", values, status=status)

    def _is_author(self, application_sudo):
        """Whether the user writes, submits and withdraws the application: its applicant or the
        group's PI (the actions check it again)."""
        return request.env.user in (application_sudo.applicant_id | application_sudo.pi_id)

    def _readable_links(self, model, application_sudo):
        """Records of ``model`` made from the application that the user may read."""
        Model = request.env[model]
        if "application_id" not in Model._fields or not Model.has_access("read"):
            return Model
        return Model.search([("application_id", "=", application_sudo.id)])

    def _application_steps(self, application):
        """The stage line shown on the page: ``[{"label", "status", "date"}]``, status being
        ``done``, ``current``, ``todo`` or ``stopped`` (withdrawn or rejected)."""
        _ = request.env._
        state = application.state
        labels = dict(application._fields["state"]._description_selection(request.env))
        if application.kind == K.CONSULTATION:
            order = [S.DRAFT, S.SUBMITTED, S.CLOSED]
            final = _("Answered")
        else:
            order = [S.DRAFT, S.SUBMITTED, S.IN_REVIEW, "decision"]
            final = _("Decision")
        dates = {
            S.DRAFT: application.create_date,
            S.SUBMITTED: application.submit_date,
        }
        if state in (S.APPROVED, S.REJECTED, S.WITHDRAWN, S.CLOSED):
            reached = len(order) - 1
            final = labels[state]
            if application.kind == K.CONSULTATION and state == S.CLOSED:
                final = _("Answered")
        elif state in order:
            reached = order.index(state)
        else:
            reached = 0
        if state == S.WITHDRAWN and not application.submit_date:
            reached = len(order) - 1
        steps = []
        for index, key in enumerate(order):
            last = index == len(order) - 1
            if index < reached:
                status = "done"
            elif index == reached:
                status = "stopped" if state in (S.WITHDRAWN, S.REJECTED) else "current"
                if last and state in (S.APPROVED, S.CLOSED):
                    status = "done"
            else:
                status = "todo"
            if last:
                label = final
                moment = application.answer_date or application.decision_date
            else:
                label = labels[key]
                moment = dates.get(key)
            if status == "todo":
                moment = None
            steps.append({"label": label, "status": status, "date": moment})
        return steps

    # -- actions on one application -------------------------------------------------------------

    @http.route(
        [
            "/my/applications/<string:application_id>/submit",
            "/my/applications/<string:application_id>/withdraw",
        ],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_application_action(self, application_id, **kwargs):
        """Submit a draft, or withdraw a pending application: the applicant or the PI."""
        application_sudo = self._own_application(application_id)
        if not application_sudo or not self._is_author(application_sudo):
            return self._application_not_found()
        action = request.httprequest.path.rsplit("/", 1)[-1]
        try:
            with request.env.cr.savepoint():
                getattr(self._as_user(application_sudo), f"action_{action}")()
        except (UserError, ValidationError, AccessError) as exc:
            application_sudo.invalidate_recordset()
            return self._render_application(application_sudo, error=str(exc), status=422)
        done = "submitted" if action == "submit" else "withdrawn"
        return request.redirect(f"/my/applications/{application_sudo.id}?done={done}")

    def _as_user(self, application_sudo):
        """The application for an action: as the user when they may write it; else (portal
        users) as superuser with ``env.user`` still the user, so the action's checks of who
        may act apply to them."""
        application = application_sudo.with_user(request.env.user)
        if application.has_access("write"):
            return application
        return application_sudo

    # -- the form --------------------------------------------------------------------------------

    @http.route(
        ["/my/applications/new"],
        type="http",
        auth="user",
        methods=["GET", "POST"],
        website=True,
    )
    def portal_application_new(self, kind=None, **post):
        """The form of one kind of application (GET), or the application it sends (POST)."""
        if kind not in KIND_FIELDS:
            return self._render_kind_chooser(status=200 if kind in (None, "") else 404)
        return self._application_form(kind, None, post)

    @http.route(
        ["/my/applications/<string:application_id>/edit"],
        type="http",
        auth="user",
        methods=["GET", "POST"],
        website=True,
    )
    def portal_application_edit(self, application_id, **post):
        """The form of a draft, filled in (GET), or its new values (POST): the applicant or the
        PI."""
        application_sudo = self._own_application(application_id)
        if (
            not application_sudo
            or not self._is_author(application_sudo)
            or application_sudo.state != S.DRAFT
        ):
            return self._application_not_found()
        return self._application_form(application_sudo.kind, application_sudo, post)

    def _application_form(self, kind, application_sudo, post):
        form = {name: str(post.get(name) or "").strip() for name in FORM_FIELDS}
        form["kind"] = kind
        lines = [
            {key: str(post.get(f"line_{key}_{row}") or "").strip() for key in LINE_FIELDS}
            for row in range(LINE_ROWS)
        ]
        if request.httprequest.method != "POST":
            if application_sudo:
                form, lines = self._form_of(application_sudo)
            return self._render_form(kind, application_sudo, form, lines)
        shown = {name: value[:ECHO_MAX] for name, value in form.items()}
        shown_lines = [{key: value[:40] for key, value in line.items()} for line in lines]
        submit = post.get("submit") == "1"
        existing = application_sudo
        try:
            vals = self._application_values(kind, form, lines)
            files = self._uploaded_files()
            with request.env.cr.savepoint():
                application_sudo = self._save(application_sudo, vals, files)
                if submit:
                    self._as_user(application_sudo).action_submit()
        except ApplicationRefused as refusal:
            return self._render_form(
                kind, existing, shown, shown_lines, str(refusal), refusal.status
            )
        except (UserError, ValidationError, AccessError) as exc:
            return self._render_form(kind, existing, shown, shown_lines, str(exc), 422)
        done = "submitted" if submit else "saved"
        return request.redirect(f"/my/applications/{application_sudo.id}?done={done}")

    def _save(self, application_sudo, vals, files):
        """Create the application (or write the draft) as the user when the access rights allow
        it, else as superuser (portal users only read applications): the values were checked by
        the caller. The files are attached as superuser (portal users may not create
        attachments), to this application only."""
        if application_sudo:
            self._as_user(application_sudo).write(vals)
        else:
            Application = request.env["facility.application"]
            if not Application.has_access("create"):
                Application = Application.sudo()
            vals["applicant_id"] = request.env.user.id
            application_sudo = Application.create(vals).sudo()
        if files:
            Attachment = request.env["ir.attachment"].sudo()
            Attachment.create(
                [
                    {
                        "name": name,
                        "raw": content,
                        "res_model": application_sudo._name,
                        "res_id": application_sudo.id,
                    }
                    for name, content in files
                ]
            )
        return application_sudo

    def _form_of(self, application):
        """The form's values of a saved draft."""
        form = dict.fromkeys(FORM_FIELDS, "")
        form["kind"] = application.kind
        form["title"] = application.title or ""
        form["research_group_id"] = str(application.research_group_id.id or "")
        for name in TEXT_FIELDS:
            value = application[name] or ""
            if name in HTML_FIELDS:
                value = "" if is_html_empty(value) else html2plaintext(value)
            form[name] = value
        for name in SELECTION_FIELDS:
            form[name] = application[name] or ""
        form["service_type_id"] = str(application.service_type_id.id or "")
        form["instrument_id"] = str(application.instrument_id.id or "")
        lines = [
            {
                "instrument": str(line.instrument_id.id),
                "month": line.month.strftime("%Y-%m") if line.month else "",
                "hours": f"{line.hours_requested:g}",
            }
            for line in application.line_ids
        ]
        lines += [dict.fromkeys(LINE_FIELDS, "")] * max(0, LINE_ROWS - len(lines))
        return form, lines

    # -- checking what the form sends ------------------------------------------------------------

    def _application_values(self, kind, form, lines):
        """Values of the application ``form`` asks for; all refusals at once."""
        _ = request.env._
        Application = request.env["facility.application"]
        problems = []
        wanted = KIND_FIELDS[kind]
        user = request.env.user
        group = user.facility_group_ids.filtered(
            lambda g: g.id == record_id(form["research_group_id"])
        )
        if not group:
            problems.append(_("Choose one of your research groups."))
        title = form["title"]
        if not title:
            problems.append(_("Give the application a title."))
        elif len(title) > TITLE_MAX:
            problems.append(self._too_long(_("Title"), title, TITLE_MAX))
        vals = {"kind": kind, "title": title, "research_group_id": group.id}
        for name, limit in TEXT_FIELDS.items():
            if name not in wanted:
                continue
            value = form[name]
            if len(value) > limit:
                problems.append(self._too_long(self._label(name), value, limit))
                continue
            if name in HTML_FIELDS:
                value = plaintext2html(value) if value else False
            vals[name] = value or False
        for name in SELECTION_FIELDS:
            if name not in wanted:
                continue
            value = form[name]
            keys = [key for key, _label in Application._fields[name].selection]
            if value and value not in keys:
                problems.append(
                    _("%(field)s: choose one of the values offered.", field=self._label(name))
                )
                continue
            vals[name] = value or False
        if "service_type_id" in wanted:
            vals["service_type_id"] = self._choice(
                form["service_type_id"], self._service_types(), "service_type_id", problems
            )
        if "instrument_id" in wanted:
            vals["instrument_id"] = self._choice(
                form["instrument_id"], self._catalogue(), "instrument_id", problems
            )
        if "lines" in wanted:
            vals["line_ids"] = [Command.clear()] + [
                Command.create(line) for line in self._line_values(lines, problems)
            ]
        if problems:
            raise ApplicationRefused(problems)
        return vals

    def _label(self, name):
        return request.env["facility.application"]._fields[name]._description_string(request.env)

    def _too_long(self, label, value, limit):
        return request.env._(
            "%(field)s may have at most %(limit)s characters; it has %(count)s.",
            field=label,
            limit=limit,
            count=len(value),
        )

    def _choice(self, value, records, name, problems):
        """The id of the record of ``records`` chosen as ``value``, False if none was chosen."""
        if not value:
            return False
        chosen = records.filtered(lambda r: r.id == record_id(value))
        if not chosen:
            problems.append(
                request.env._(
                    "%(field)s: choose one of the values offered.", field=self._label(name)
                )
            )
        return chosen.id or False

    def _line_values(self, lines, problems):
        """Values of the hours asked per instrument and month: complete rows only."""
        _ = request.env._
        instruments = self._allocation_instruments()
        today = fields.Date.context_today(request.env.user)
        first = today.replace(day=1)
        last = self._add_months(first, MONTHS_AHEAD)
        seen = set()
        result = []
        for row, line in enumerate(lines, start=1):
            if not any(line.values()):
                continue
            instrument = instruments.filtered(lambda i, v=line["instrument"]: i.id == record_id(v))
            month = self._month(line["month"])
            hours = self._hours(line["hours"])
            if not instrument:
                problems.append(_("Hours, row %(row)s: choose an instrument of the list.", row=row))
            if not month:
                problems.append(_("Hours, row %(row)s: give the month, such as 2026-03.", row=row))
            elif not first <= month <= last:
                problems.append(
                    _(
                        "Hours, row %(row)s: %(month)s is out of range; hours are asked from "
                        "%(first)s to %(last)s.",
                        row=row,
                        month=month.strftime("%Y-%m"),
                        first=first.strftime("%Y-%m"),
                        last=last.strftime("%Y-%m"),
                    )
                )
                month = None
            if hours is None:
                problems.append(
                    _(
                        "Hours, row %(row)s: give the hours asked, a number above 0 and at most "
                        "%(limit)s.",
                        row=row,
                        limit=HOURS_MAX,
                    )
                )
            if instrument and month and hours is not None:
                if (instrument.id, month) in seen:
                    problems.append(
                        _(
                            "Hours, row %(row)s: %(instrument)s in %(month)s is asked twice.",
                            row=row,
                            instrument=instrument.name,
                            month=month.strftime("%Y-%m"),
                        )
                    )
                    continue
                seen.add((instrument.id, month))
                result.append(
                    {"instrument_id": instrument.id, "month": month, "hours_requested": hours}
                )
        return result

    @staticmethod
    def _add_months(day, months):
        month = day.month - 1 + months
        return day.replace(year=day.year + month // 12, month=month % 12 + 1)

    @staticmethod
    def _month(value):
        """The first day of the month written ``value`` (2026-03, 2026/03…), or None."""
        value = value[:20]
        for pattern in MONTH_FORMATS:
            try:
                moment = datetime.strptime(value, pattern)
            except ValueError:
                continue
            if 2000 <= moment.year <= 2999:
                return date(moment.year, moment.month, 1)
        return None

    @staticmethod
    def _hours(value):
        """``value`` as hours (0 < hours ≤ a month's), or None."""
        try:
            hours = float(value[:20].replace(",", "."))
        except ValueError:
            return None
        return hours if 0 < hours <= HOURS_MAX else None

    def _uploaded_files(self):
        """The files sent with the form, as ``[(name, bytes)]``; too many or too large ones are
        refused."""
        _ = request.env._
        files = [f for f in request.httprequest.files.getlist("attachments") if f.filename]
        if len(files) > FILES_MAX:
            raise ApplicationRefused(
                [
                    _(
                        "Attach at most %(limit)s files; %(count)s were sent.",
                        limit=FILES_MAX,
                        count=len(files),
                    )
                ],
                status=413,
            )
        result = []
        for upload in files:
            content = upload.read(FILE_SIZE_MAX + 1)
            name = os.path.basename(upload.filename.replace("\\", "/")).strip()[:FILE_NAME_MAX]
            if len(content) > FILE_SIZE_MAX:
                raise ApplicationRefused(
                    [
                        _(
                            "%(file)s is larger than %(limit)s MB: attach smaller files.",
                            file=name,
                            limit=FILE_SIZE_MAX // (1024 * 1024),
                        )
                    ],
                    status=413,
                )
            if content:
                result.append((name or "attachment", content))
        return result

    # -- what the form offers --------------------------------------------------------------------

    def _service_types(self):
        return request.env["facility.service.type"].search([])

    def _catalogue(self):
        """Instruments a consultation may be about: those of the catalogue the user sees."""
        return request.env["facility.instrument"].search([("state", "!=", "scrapped")])

    def _allocation_instruments(self):
        """Instruments whose policy needs hours allocated by the committee, that the user sees."""
        return request.env["facility.instrument"].search(
            [("state", "!=", "scrapped"), ("allocation_required", "=", True)]
        )

    def _render_kind_chooser(self, status=200):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "kinds": self._kind_labels(),
                "groups": request.env.user.facility_group_ids,
                "page_name": "facility_application_new",
            }
        )
        return request.render("core_facility.portal_application_kinds", values, status=status)

    def _render_form(self, kind, application_sudo, form, lines, error=None, status=200):
        Application = request.env["facility.application"]
        env = request.env

        def options(name):
            return Application._fields[name]._description_selection(env)

        wanted = KIND_FIELDS[kind]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "kind": kind,
                "kind_label": dict(self._kind_labels())[kind],
                "wanted": set(wanted),
                "application": application_sudo,
                "groups": env.user.facility_group_ids,
                "form": form,
                "lines": lines,
                "error": error,
                "service_types": self._service_types() if "service_type_id" in wanted else [],
                "instruments": self._catalogue() if "instrument_id" in wanted else [],
                "allocation_instruments": (
                    self._allocation_instruments() if "lines" in wanted else []
                ),
                "special_requests": options("special_request"),
                "collaboration_modes": options("collaboration_mode"),
                "progress_stages": options("progress_stage"),
                "title_max": TITLE_MAX,
                "char_max": CHAR_MAX,
                "text_max": TEXT_MAX,
                "files_hint": env._(
                    "At most %(count)s files of %(size)s MB each: the signed application form, "
                    "sample pictures, protocols…",
                    count=FILES_MAX,
                    size=FILE_SIZE_MAX // (1024 * 1024),
                ),
                "action": (
                    f"/my/applications/{application_sudo.id}/edit"
                    if application_sudo
                    else f"/my/applications/new?kind={kind}"
                ),
                "page_name": "facility_application_new",
            }
        )
        return request.render("core_facility.portal_application_form", values, status=status)
