"""Demo roadmap items named in the seeds, one open roadmap survey and one in its +1 round."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core import audit, clock
from core.db import db
from core.users import User
from surveys.catalog import Size, Stage, Team, WorkKind
from surveys.models import RoadmapItem, Survey, add_question
from surveys.proposals import Proposal
from surveys.question_settings import normalize
from surveys.rules import QuestionType

LP = "https://blueprints.launchpad.net"
# title, team, kind, components, size, target release, stage, description, blueprint link
ITEMS = [
    ("Testing: scenario Tempest tests", Team.TEST_AUTOMATION, WorkKind.NEW, "Tempest", Size.M,
     "Ocata", Stage.PRIORITIZED, "Contribute scenario-focused Tempest test cases to improve "
     "coverage and upgradeability.", ""),
    ("Logging: filtering and error flagging", Team.OPERATIONS, WorkKind.NEW, "Oslo, Nova, Neutron",
     Size.L, "Ocata", Stage.BEING_VETTED, "Upstream filtering criteria that separate true errors "
     "from telemetry and noise.", ""),
    ("Log request ID mappings", Team.OPERATIONS, WorkKind.NEW, "Nova, Glance", Size.S, "Ocata",
     Stage.CODING_IN_PROGRESS, "Log nova's and glance's request IDs on one line.",
     f"{LP}/nova/+spec/log-request-id-mappings"),
    ("Improve scheduler logging", Team.OPERATIONS, WorkKind.NEW, "Nova", Size.S, "Ocata",
     Stage.BLUEPRINT_IN_PROGRESS, "Say why an instance failed to schedule.",
     f"{LP}/nova/+spec/improve-sched-logging"),
    ("Telemetry: Ceilometer for operations", Team.OPERATIONS, WorkKind.DEBT, "Ceilometer",
     Size.L, "Pike", Stage.BEING_VETTED, "Ops use case driven enhancements; meters that push "
     "data out instead of being polled at scale.", ""),
    ("Upgradeability: in-place upgrades", Team.OTHER, WorkKind.NEW, "Nova, Neutron, Keystone",
     Size.XL, "Queens", Stage.BACKLOG, "Enable upgrades in place.", ""),
    ("Skip-level upgrades", Team.OTHER, WorkKind.NEW, "Nova, Neutron", Size.XL, "Queens",
     Stage.BACKLOG, "Tools, methodologies and process to skip a release when upgrading.", ""),
    ("Containers: Kolla and Kubernetes", Team.CONTAINERS, WorkKind.NEW, "Kolla, Magnum", Size.L,
     "Pike", Stage.BACKLOG, "Deploy the control plane in containers.", ""),
    ("Contrail / OpenContrail integration", Team.NETWORKING, WorkKind.NEW, "Neutron", Size.M,
     "Pike", Stage.BEING_VETTED, "Contrail use at Reliance Jio, AT&T and Orange.", ""),
    ("Gluon port mapping", Team.NETWORKING, WorkKind.OPEN_SOURCING, "Nova, Neutron", Size.M,
     "Pike", Stage.BACKLOG, "Sits between Nova and Neutron and maps ports.", ""),
    ("Resource reservation (Blazar / Promise)", Team.RESOURCE_MANAGEMENT, WorkKind.NEW,
     "Blazar, Nova", Size.L, "Queens", Stage.BACKLOG, "Reserve capacity ahead of time.", ""),
    ("Policy: Congress governance as a service", Team.SECURITY, WorkKind.NEW, "Congress", Size.M,
     "Queens", Stage.BACKLOG, "Common policy descriptions, upstreamed.", ""),
]


def _items() -> dict[str, RoadmapItem]:
    items = {}
    for title, team, kind, components, size, release, stage, text, blueprint in ITEMS:
        item = RoadmapItem(title=title, team=team, kind=kind, size=size, target_release=release,
                           stage=stage, description=text, blueprint_url=blueprint,
                           components=[c.strip() for c in components.split(",")])
        db.session.add(item)
        audit.record("roadmap_item.create", item, actor=None, title=title, demo=True)
        items[title] = item
    db.session.flush()
    return items


def _question(section, qtype: QuestionType, text: str, required: bool, known, **settings):
    add_question(section, qtype, text, "", required, normalize(qtype, settings, known))


def _open_survey(chair: User, ids: list[int]) -> Survey:
    now = clock.now()
    survey = Survey(title="Pike roadmap priorities", cycle="Pike", created_by=chair,
                    introduction="Which work items matter most to your company, and where "
                                 "would you put your effort?",
                    opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=60))
    db.session.add(survey)
    priorities, capacity = survey.add_section("Priorities"), survey.add_section("Capacity")
    _question(priorities, QuestionType.RANKING, "Rank your top 5 work items for Pike.", True,
              ids, items=ids[:8], top_k=5)
    _question(priorities, QuestionType.BUDGET, "Spread 100 points of effort across these items.",
              True, ids, items=ids[:5], total=100)
    _question(priorities, QuestionType.LIKERT, "The LCOO should publish its roadmap quarterly.",
              False, ids, points=5, dont_know=True)
    _question(capacity, QuestionType.NUMBER, "How many FTEs can your company commit upstream?",
              True, ids, min_value="0", max_value="500", integer=True)
    _question(capacity, QuestionType.MULTIPLE, "Which functional specialty teams will you staff?",
              False, ids, options="Operations / LMA\nNetworking\nContainers\n"
                                  "Test Automation / CICD\nResource Management\nSecurity")
    _question(capacity, QuestionType.TEXT, "Anything else the roadmap committee should know?",
              False, ids, max_length=2000)
    survey.propose()
    survey.open()
    audit.record("survey.open", survey, actor=chair, demo=True,
                 eligible=[c.name for c in survey.eligible])
    return survey


def _proposed_survey(chair: User, ids: list[int], people: dict[str, User]) -> Survey:
    survey = Survey(title="Queens roadmap survey", cycle="Queens", created_by=chair)
    db.session.add(survey)
    section = survey.add_section("Priorities")
    _question(section, QuestionType.RANKING, "Rank every work item for Queens.", True, ids,
              items=ids[5:])
    survey.propose()
    naoko, olivier = people["naoko@ntt.example"], people["olivier@orange.example"]
    config = normalize(QuestionType.LIKERT, {"points": 5}, ids)
    proposal = Proposal.suggest(survey, naoko.company(), naoko, QuestionType.LIKERT,
                                "Skip-level upgrades matter more than new features.", "", False,
                                config)
    for person in (naoko, olivier):
        proposal.endorse(person.company(), person)
    audit.record("survey.proposal.create", proposal, actor=naoko, demo=True)
    return survey


def load_demo_surveys() -> None:
    """Add the roadmap catalog and two surveys to the demo consortium (the caller commits)."""
    people = {u.email: u for u in db.session.scalars(select(User))}
    chair = people["carol@att.example"]
    items = _items()
    ids = [item.id for item in items.values()]
    _open_survey(chair, ids)
    _proposed_survey(chair, ids, people)
