"""Who may open which material. Plain rules over rows already loaded; no request, no query."""

from __future__ import annotations

from webapp.models import Material, Registration


def attended(registration: Registration) -> bool:
    """Whether the person was marked present on at least one day of the event."""
    return any(a.status == "present" for a in registration.attendances)


def is_registrant(registration: Registration | None, event_id: int) -> bool:
    """A confirmed registration of the event (or someone who attended), not erased."""
    if registration is None or registration.event_id != event_id:
        return False
    if registration.erased_at is not None:
        return False
    return registration.is_confirmed or attended(registration)


def may_open(
    material: Material,
    *,
    registration: Registration | None = None,
    organiser: bool = False,
) -> bool:
    """Whether a visitor may see and open ``material``.

    ``organiser``: an active account is logged in (organisers see everything).
    ``registration``: the visitor came through their secret registration link.
    """
    if organiser:
        return True
    event = material.event
    if material.audience == "everyone":
        return event.is_public or (
            registration is not None and registration.event_id == material.event_id
        )
    if material.audience == "registrants":
        return is_registrant(registration, material.event_id)
    if material.audience == "attendees":
        return (
            is_registrant(registration, material.event_id)
            and registration is not None
            and attended(registration)
        )
    return False


def visible_materials(
    materials: list[Material],
    *,
    registration: Registration | None = None,
    organiser: bool = False,
) -> list[Material]:
    return [m for m in materials if may_open(m, registration=registration, organiser=organiser)]
