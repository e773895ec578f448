"""The roadmap item catalog: members read it, the chair and admins edit it."""

from __future__ import annotations

from flask import flash, redirect, url_for
from sqlalchemy import func, select

from core import audit, clock
from core.db import db
from core.users import chair_or_admin_required
from surveys.catalog import Size, Stage, Team, WorkKind, parse_components
from surveys.forms import RoadmapItemForm
from surveys.models import RoadmapItem
from surveys.views import bp, get_or_404, is_manager, member_required, render

TEXT_FIELDS = ("title", "description", "target_release", "member_value", "community_value",
               "blueprint_url", "spec_url", "review_url")


@bp.get("/items")
@member_required
def items():
    """List the roadmap items by team, then title."""
    rows = db.session.scalars(select(RoadmapItem).order_by(RoadmapItem.team,
                                                           func.lower(RoadmapItem.title)))
    return render("surveys/items.html", items=list(rows), manager=is_manager())


@bp.get("/items/<int:item_id>")
@member_required
def item_detail(item_id: int):
    """Show one roadmap item."""
    return render("surveys/item.html", item=get_or_404(RoadmapItem, item_id), manager=is_manager())


def _fill(form: RoadmapItemForm, item: RoadmapItem) -> bool:
    """Copy the form into the item; False (with field errors) when it cannot be saved."""
    try:
        components = parse_components(form.components.data)
    except ValueError as exc:
        form.components.errors.append(str(exc).capitalize() + ".")
        return False
    title = form.title.data.strip()
    clash = db.session.scalars(select(RoadmapItem).where(
        func.lower(RoadmapItem.title) == title.lower(), RoadmapItem.id != (item.id or 0))).first()
    if clash is not None:
        form.title.errors.append("Another roadmap item already has this title.")
        return False
    for name in TEXT_FIELDS:
        setattr(item, name, (form[name].data or "").strip())
    item.team, item.kind = Team(form.team.data), WorkKind(form.kind.data)
    item.size = Size(form.size.data) if form.size.data else None
    item.stage, item.components = Stage(form.stage.data), components
    item.updated_at = clock.now()
    return True


def _form_data(item: RoadmapItem) -> dict:
    """Return the item as form data (enums as values, components as one line)."""
    return {**{name: getattr(item, name) for name in TEXT_FIELDS}, "team": item.team.value,
            "kind": item.kind.value, "size": item.size.value if item.size else "",
            "stage": item.stage.value, "components": ", ".join(item.components)}


def _details(item: RoadmapItem) -> dict:
    return {"title": item.title, "team": item.team.value, "kind": item.kind.value,
            "size": item.size.value if item.size else None, "stage": item.stage.value,
            "target_release": item.target_release, "components": item.components}


@bp.route("/items/new", methods=["GET", "POST"])
@chair_or_admin_required
def item_new():
    """Add a roadmap item."""
    form = RoadmapItemForm()
    item = RoadmapItem()
    if form.validate_on_submit() and _fill(form, item):
        db.session.add(item)
        audit.record("roadmap_item.create", item, **_details(item))
        db.session.commit()
        flash(f"“{item.title}” is in the catalog.", "success")
        return redirect(url_for("surveys.item_detail", item_id=item.id))
    return render("surveys/item_form.html", form=form, item=None)


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@chair_or_admin_required
def item_edit(item_id: int):
    """Edit a roadmap item."""
    item = get_or_404(RoadmapItem, item_id)
    form = RoadmapItemForm(data=_form_data(item))
    if form.validate_on_submit() and _fill(form, item):
        audit.record("roadmap_item.update", item, **_details(item))
        db.session.commit()
        flash("The roadmap item is saved.", "success")
        return redirect(url_for("surveys.item_detail", item_id=item.id))
    return render("surveys/item_form.html", form=form, item=item)
