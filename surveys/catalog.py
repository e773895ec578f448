"""Pure: the roadmap process's vocabulary (teams, kinds, sizes, stages) and component tags."""

from __future__ import annotations

import re
from enum import StrEnum


class Team(StrEnum):
    """The functional specialty teams of the roadmap process."""

    OPERATIONS = "operations"
    NETWORKING = "networking"
    CONTAINERS = "containers"
    TEST_AUTOMATION = "test-automation"
    RESOURCE_MANAGEMENT = "resource-management"
    SECURITY = "security"
    OTHER = "other"


class WorkKind(StrEnum):
    """What kind of work an item is."""

    DEBT = "debt"
    NEW = "new"
    BUG = "bug"
    OPEN_SOURCING = "open-sourcing"


class Size(StrEnum):
    """The size of the effort."""

    S = "S"
    M = "M"
    L = "L"
    XL = "XL"


class Stage(StrEnum):
    """Where an item is, from vetting (portfolio) to upstream delivery, in order."""

    BACKLOG = "backlog"
    BEING_VETTED = "being-vetted"
    PRIORITIZED = "prioritized"
    DEVELOPMENT_READY = "development-ready"
    BLUEPRINT_IN_PROGRESS = "blueprint-in-progress"
    BLUEPRINT_ACCEPTED = "blueprint-accepted"
    SPECIFICATION_IN_PROGRESS = "specification-in-progress"
    SPECIFICATION_ACCEPTED = "specification-accepted"
    CODING_IN_PROGRESS = "coding-in-progress"
    CODE_COMMITTED = "code-committed"
    DELIVERED = "delivered"


LABELS: dict[StrEnum, str] = {
    Team.OPERATIONS: "Operations / LMA", Team.NETWORKING: "Networking",
    Team.CONTAINERS: "Containers", Team.TEST_AUTOMATION: "Test Automation / CICD",
    Team.RESOURCE_MANAGEMENT: "Resource Management", Team.SECURITY: "Security",
    Team.OTHER: "Other", WorkKind.DEBT: "Debt", WorkKind.NEW: "New", WorkKind.BUG: "Bug",
    WorkKind.OPEN_SOURCING: "Open-sourcing", Stage.BEING_VETTED: "Being vetted",
    Stage.DEVELOPMENT_READY: "Development ready", **{size: size.value for size in Size},
}
TAG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/+-]{0,39}$")


def label(value: StrEnum) -> str:
    """Return the human label of a catalog value."""
    return LABELS.get(value) or value.value.replace("-", " ").capitalize()


def parse_components(text: str | None) -> list[str]:
    """Split 'Nova, Neutron' into distinct tags; raise ValueError naming a malformed tag."""
    tags: dict[str, str] = {}
    for raw in (text or "").split(","):
        tag = " ".join(raw.split())
        if not tag:
            continue
        if not TAG_RE.match(tag):
            raise ValueError(f"'{tag[:40]}' is not a component name (letters, digits, . _ / + -)")
        tags.setdefault(tag.lower(), tag)
    if len(tags) > 20:
        raise ValueError("name at most 20 components")
    return list(tags.values())
