"""Rules of reporting periods, action plans and the actions events serve.

Functions take explicit arguments, never read the request, and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ActionPlan, Event, PlanAction, Region, ReportingPeriod
from webapp.user_errors import UserError


class ReportingError(UserError):
    """A change refused for a reason the user can act on (``message`` is translated)."""


# --- reporting periods -------------------------------------------------------------------


def periods() -> list[ReportingPeriod]:
    """Every period, the latest first."""
    return list(
        db.session.scalars(
            select(ReportingPeriod).order_by(
                ReportingPeriod.starts_on.desc(), ReportingPeriod.id.desc()
            )
        )
    )


def current_period(today: date, among: Iterable[ReportingPeriod] | None = None):
    """The period ``today`` falls in (the one that started last if several), else None."""
    candidates = [p for p in (among if among is not None else periods()) if p.contains(today)]
    return max(candidates, key=lambda p: (p.starts_on, p.id), default=None)


def save_period(
    period: ReportingPeriod | None, *, name: str, starts_on: date, ends_on: date
) -> ReportingPeriod:
    """Create (``period`` None) or change a period; names are unique."""
    name = " ".join(name.split())
    if ends_on < starts_on:
        raise ReportingError(_("The end date is before the start date."), "ends_on")
    twin = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.name == name))
    if twin is not None and twin is not period:
        raise ReportingError(_("There is already a period with this name."), "name")
    if period is None:
        period = ReportingPeriod()
        db.session.add(period)
    period.name, period.starts_on, period.ends_on = name, starts_on, ends_on
    db.session.flush()
    return period


def delete_period(period: ReportingPeriod) -> None:
    """Periods are only a name for dates: deleting one loses no figure."""
    db.session.delete(period)
    db.session.flush()


# --- action plans -------------------------------------------------------------------------


def action_plans(region: Region | None = None) -> list[ActionPlan]:
    """Action plans with their actions and regions, by region (one region if given)."""
    from sqlalchemy.orm import selectinload

    stmt = (
        select(ActionPlan)
        .join(Region, Region.id == ActionPlan.region_id)
        .options(selectinload(ActionPlan.actions), selectinload(ActionPlan.region))
        .order_by(Region.code, ActionPlan.id)
    )
    if region is not None:
        stmt = stmt.where(ActionPlan.region_id == region.id)
    return list(db.session.scalars(stmt))


def save_plan(
    plan: ActionPlan | None, *, region: Region, title: str, policy_instrument: str
) -> ActionPlan:
    if plan is None:
        plan = ActionPlan()
        db.session.add(plan)
    plan.region = region
    plan.title = " ".join(title.split())
    plan.policy_instrument = " ".join(policy_instrument.split())
    db.session.flush()
    return plan


def save_action(
    plan: ActionPlan, action: PlanAction | None, *, title: str, description: str
) -> PlanAction:
    """Add an action at the end of ``plan`` (``action`` None) or change one."""
    if action is None:
        action = PlanAction(position=max((a.position for a in plan.actions), default=0) + 1)
        plan.actions.append(action)
    action.title = " ".join(title.split())
    action.description = description.strip()
    db.session.flush()
    return action


def delete_action(action: PlanAction) -> None:
    """Remove an action; events lose the tag, their figures stay."""
    plan = action.plan
    plan.actions.remove(action)
    for position, other in enumerate(plan.actions, start=1):
        other.position = position
    db.session.flush()


def delete_plan(plan: ActionPlan) -> None:
    db.session.delete(plan)
    db.session.flush()


def set_event_actions(event: Event, action_ids: Iterable[int]) -> list[PlanAction]:
    """Tag ``event`` with exactly the actions ``action_ids`` (unknown ids are refused)."""
    wanted = set(action_ids)
    found = list(db.session.scalars(select(PlanAction).where(PlanAction.id.in_(wanted))))
    if len(found) != len(wanted):
        raise ReportingError(_("One of the chosen actions no longer exists."), "actions")
    event.actions = sorted(found, key=lambda a: (a.action_plan_id, a.position))
    db.session.flush()
    return event.actions
