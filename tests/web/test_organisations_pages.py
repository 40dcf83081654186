"""The organisation pages: create one, invite by email, accept the emailed link signed in with that address,
change a role, remove a member, leave, close; each confirmation sent twice makes one change."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from bng.db.organisation_tables import organisation, organisation_member
from bng.register.core.notifications import QueuedOutbox
from tests.db.fixtures import Register
from tests.web.fixtures import CheckedClient


def _count(register: Register, table: Any, **where: Any) -> int:
    q = select(func.count()).select_from(table)
    for column, value in where.items():
        q = q.where(table.c[column] == value)
    with register.database.engine.connect() as conn:
        return int(conn.execute(q).scalar_one())


def _twice(client: CheckedClient, path: str, data: dict[str, Any]) -> list[int]:
    """The same form (one page's tokens) posted twice: the statuses."""
    form = {**client.tokens(path), **data}
    return [client.post(path, data=form).status_code for _ in range(2)]


def _invitation_link(register: Register) -> str:
    outbox = register.services.organisations.outbox
    assert isinstance(outbox, QueuedOutbox)
    message = list(outbox.sent)[-1]
    assert message.template == "organisation_invitation"
    found = re.search(r"/organisations/invitations/[A-Za-z0-9_-]+", message.fields["link"])
    assert found is not None
    return found.group(0)


def test_an_organisation_from_creation_to_closing(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    client.sign_in("developer")
    assert "You do not belong to an organisation yet" in client.get("/organisations").get_data(as_text=True)
    new = client.get("/organisations/new").get_data(as_text=True)
    assert "Habitat bank" in new and "Local planning authority" not in new  # an LPA's is its officers'
    statuses = _twice(client, "/organisations/new", {"name": "Mill Road Homes", "kind": "developer"})
    assert statuses == [302, 302] and _count(register, organisation) == 1
    with register.database.engine.connect() as conn:
        org = conn.execute(select(organisation.c.id)).scalar_one()
    page = f"/organisations/{org}"
    assert "Mill Road Homes" in client.get("/organisations").get_data(as_text=True)

    # invite the landowner (twice the same form: one email)
    outbox = register.services.organisations.outbox
    assert isinstance(outbox, QueuedOutbox)
    before = len(outbox.sent)
    assert _twice(client, f"{page}/invite", {"email": "Owner@Example.com", "role": "member"}) == [302, 302]
    assert len(outbox.sent) == before + 1
    link = _invitation_link(register)

    # someone else signed in is refused and leaves the link; the right address accepts it, once
    client.sign_in("other_landowner")
    assert client.get(link).status_code == 403
    client.sign_in("landowner")
    shown = client.get(link)
    assert shown.status_code == 200 and "Join Mill Road Homes" in shown.get_data(as_text=True)
    form = {"csrf_token": client.csrf(link)}
    accepted = [client.post(link, data=form).status_code for _ in range(2)]
    assert accepted == [302, 400]  # the second time: the link has been used
    assert _count(register, organisation_member, organisation_id=org) == 2
    members = client.get(page).get_data(as_text=True)
    assert "owner@example.com" in members and "Invite someone" not in members  # a member invites nobody
    assert client.get(f"{page}/invite").status_code == 403
    assert client.get(f"/organisations/{org}/close").status_code == 403

    # the admin makes the landowner an admin, then the developer leaves; the landowner removes nobody else
    client.sign_in("developer")
    owner_id = world.actors["landowner"].user_id
    assert _twice(client, f"{page}/members/{owner_id}/role", {"role": "admin"}) == [302, 302]
    assert _twice(client, f"{page}/leave", {}) == [302, 302]
    assert _count(register, organisation_member, organisation_id=org) == 1
    assert client.get(page).status_code == 404
    client.sign_in("landowner")
    refused = client.post(f"{page}/leave", data=client.tokens(f"{page}/leave"))
    assert refused.status_code == 400 and "only admin" in refused.get_data(as_text=True)
    assert _twice(client, f"{page}/close", {}) == [302, 302]
    assert client.get(page).status_code == 404
    assert "You do not belong to an organisation yet" in client.get("/organisations").get_data(as_text=True)


def test_an_admin_removes_a_member(client: CheckedClient, register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    developer, owner = world.actors["developer"], world.actors["landowner"]
    made = s.organisations.create(developer, "Mill Road Homes", "developer")
    s.organisations.invite(developer, made.id, owner.label, "member", link=lambda t: t)
    s.organisations.accept(owner, list(s.organisations.outbox.sent)[-1].fields["link"])
    page = f"/organisations/{made.id}/members/{owner.user_id}/remove"
    client.sign_in("landowner")
    assert client.get(f"/organisations/{made.id}/members/{developer.user_id}/remove").status_code == 403
    client.sign_in("developer")
    refused = client.post(page, data={"csrf_token": client.csrf(page)})  # without its one-time token
    assert refused.status_code == 400 and _count(register, organisation_member, organisation_id=made.id) == 2
    assert _twice(client, page, {}) == [302, 302]
    assert _count(register, organisation_member, organisation_id=made.id) == 1


def test_an_lpa_officer_creates_the_lpa_s_organisation(client: CheckedClient, register: Register) -> None:
    client.sign_in("lpa_officer")
    assert "Local planning authority" in client.get("/organisations/new").get_data(as_text=True)
    assert _twice(client, "/organisations/new", {"name": "Cambridge planning", "kind": "lpa"}) == [302, 302]
    world = register.world
    assert world is not None
    with register.database.engine.connect() as conn:
        assert conn.execute(select(organisation.c.lpa_id)).scalar_one() == world.actors["lpa_officer"].lpa_id
