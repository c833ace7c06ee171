"""The access matrix of publications (outcomes), their acknowledgement wordings and the
high-quality rules.

A research group's members and PI register and see the group's outcomes (and those they are
named on); the staff (instrument managers, facility managers) read them all and decide; only a
facility manager corrects a decided outcome. Reviewers and finance see their own groups' outcomes
only; portal users none. Every internal user reads the acknowledgement wordings and the
high-quality rules, which facility managers edit. The acknowledgement's check and the staff's
decision are written by the actions only.
"""

from odoo import Command
from odoo.tests import tagged

from .test_access_matrix import (
    ALLOWED,
    FM,
    FOUND,
    HIDDEN,
    INTERNAL,
    REFUSED,
    ROLES,
    STAFF,
    AccessMatrixCase,
    create,
    crud,
    crud_rows,
    locked,
    search,
    write,
)

USER, PI, IM, FMGR, REVIEWER, FINANCE, PORTAL = ROLES
PUBLICATION = "facility.publication"
TEMPLATE = "facility.acknowledgement.template"
RULE = "facility.publication.quality.rule"
WIZARD = "facility.publication.missing.wizard"
GROUP_A = frozenset({USER, PI})


def paper_values(f, **values):
    return dict(
        {
            "name": "Matrix paper",
            "kind": "paper",
            "year": 2025,
            "research_group_id": f.group_a.id,
            "instrument_ids": [Command.set(f.spirit.ids)],
        },
        **values,
    )


MODELS = {
    PUBLICATION: (
        "pub_a",
        paper_values,
        lambda f: {"journal": "Science"},
        crud(GROUP_A | STAFF, GROUP_A | STAFF, GROUP_A | STAFF, GROUP_A | FM),
    ),
    TEMPLATE: (
        "template_spare",
        lambda f: {"name": "Matrix wording", "lang": "en", "required_phrases": "Matrix"},
        lambda f: {"required_phrases": "Matrix Center"},
        crud(INTERNAL, FM, FM, FM),
    ),
    RULE: (
        "rule_spare",
        lambda f: {"name": "Matrix rule", "kind": "patent", "bonus_months": 3},
        lambda f: {"bonus_months": 6},
        crud(INTERNAL, FM, FM, FM),
    ),
    WIZARD: (
        "missing_wizard",
        lambda f: {"publication_id": f.pub_missing.id},
        lambda f: {"use_refusal_months": 12},
        crud(STAFF, STAFF, STAFF, STAFF),
    ),
}

FIELD_ROWS = [
    # the check and the decision only through the actions
    *locked(
        PUBLICATION,
        "pub_a",
        (USER, PI, IM, FMGR),
        {
            "state": "accepted",
            "ack_state": "found",
            "ack_sentence": "Forged",
            "malicious": True,
            "decided_by_id": lambda f: f.director.id,
            "bonus_until": "2040-01-01",
            "violation_id": False,
        },
    ),
    # a decided outcome: a facility manager corrects it, no one deletes it
    *write(PUBLICATION, "pub_accepted", (USER, PI, IM), {"journal": "Science"}, REFUSED),
    *write(PUBLICATION, "pub_accepted", (FMGR,), {"journal": "Science"}, ALLOWED),
    *[(PUBLICATION, "pub_accepted", role, "unlink", None, REFUSED) for role in (USER, PI, FMGR)],
    # registered for another group
    *create(
        PUBLICATION,
        (USER, PI, REVIEWER, FINANCE),
        lambda f: paper_values(f, research_group_id=f.group_b.id),
        REFUSED,
    ),
    # who finds whose outcomes
    *search(PUBLICATION, "pub_b", (USER, PI, REVIEWER, FINANCE), [("kind", "=", "paper")], HIDDEN),
    *search(PUBLICATION, "pub_b", (IM, FMGR), [("kind", "=", "paper")], FOUND),
    *search(PUBLICATION, "pub_a", (REVIEWER, FINANCE), [("kind", "=", "paper")], HIDDEN),
    *search(PUBLICATION, "pub_a", (USER, PI), [("kind", "=", "paper")], FOUND),
    # a unit's poor integrity: the facility manager's
    *write("facility.unit", "research_unit", (USER, PI, IM), {"poor_integrity": True}, REFUSED),
    *write("facility.unit", "research_unit", (FMGR,), {"poor_integrity": False}, ALLOWED),
]


@tagged("post_install", "-at_install")
class TestAccessPublications(AccessMatrixCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Publication = cls.env["facility.publication"]
        cls.pub_a = Publication.create(
            paper_values(cls, user_ids=[Command.set(cls.student_a2.ids)])
        )
        cls.pub_b = Publication.create(
            paper_values(
                cls, research_group_id=cls.group_b.id, user_ids=[(6, 0, cls.student_b1.ids)]
            )
        )
        cls.pub_accepted = Publication.create(paper_values(cls, kind="patent"))
        cls.pub_accepted.with_user(cls.manager_spirit).action_accept()
        cls.pub_missing = Publication.create(
            paper_values(cls, acknowledgement_text="We thank our colleagues.")
        )
        cls.template_spare = cls.env["facility.acknowledgement.template"].create(
            {"name": "Spare wording", "lang": "en", "required_phrases": "Spare"}
        )
        cls.rule_spare = cls.env["facility.publication.quality.rule"].create(
            {"name": "Spare rule", "kind": "thesis"}
        )
        cls.missing_wizard = (
            cls.env["facility.publication.missing.wizard"]
            .with_user(cls.manager_spirit)
            .create({"publication_id": cls.pub_missing.id})
        )

    def test_publications_matrix(self):
        self._run([*crud_rows(MODELS), *FIELD_ROWS])

    def test_portal_sees_nothing(self):
        for model in MODELS:
            with self.subTest(model=model):
                self.assertFalse(
                    self.env[model].with_user(self.portal_user).has_access("read"), model
                )
