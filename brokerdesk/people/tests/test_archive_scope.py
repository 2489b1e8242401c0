"""第二十五条: who sees and changes whose personnel file, on the pages and over the API.

A client manager and a regional manager see only their own file; a colleague's, another
team's or another branch's file answers 404, and so do its documents, contracts,
qualifications and decisions. A team lead sees the team's files; the branch's posts the
branch's; company HR everyone's. Changing needs ``people.archive`` over the person.
"""

import datetime as dt

import pytest
from django.urls import reverse

from brokerdesk.access.scope import visible
from brokerdesk.people import services_archive as services
from brokerdesk.people.models_archive import ArchiveDocument, Contract, PersonnelFile
from brokerdesk.people.tests.test_archive_fixtures import give_contract, give_registration, pdf, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(org):
    """The client manager's file with a photo, a contract, a registration and a decision."""
    hr = org.users.hr
    cm = org.staff.cm
    photo = services.document_upload(actor=hr, staff=cm, slot="photo", upload=png())
    contract = give_contract(hr, cm)
    reg = give_registration(hr, cm, "S0001")
    rp = services.reward_record(
        actor=hr,
        staff=cm,
        kind="reward",
        decided_on=dt.date(2026, 1, 5),
        title="季度之星",
        reason="开户数第一",
        decided_by="营业部经理",
        document=pdf(),
    )
    return {"photo": photo, "contract": contract, "registration": reg, "reward": rp}


def _files(user):
    return set(visible(user, PersonnelFile).values_list("pk", flat=True))


def test_client_and_regional_manager_see_only_their_own_file(org):
    s = org.staff
    assert _files(org.users.cm) == {s.cm.pk}
    # A regional manager sees the managers assigned to them elsewhere, but only their own file.
    assert _files(org.users.rm) == {s.rm.pk}


def test_lead_sees_the_team_and_branch_posts_the_branch(org):
    s = org.staff
    team_a = {s.lead.pk, s.rm.pk, s.cm.pk, s.cm_peer.pk}
    assert _files(org.users.lead) == team_a
    branch = _files(org.users.trade)
    assert team_a | {s.cm_b.pk, s.manager.pk} <= branch
    assert s.outsider.pk not in branch
    assert s.outsider.pk in _files(org.users.hr)


def test_function_posts_do_not_see_personnel_files(org):
    for user in (org.users.keeper, org.users.accountant, org.users.sysadmin, org.users.norole):
        assert _files(user) == set()


@pytest.mark.parametrize("who", ["cm_peer", "cm_b", "outsider", "rm", "keeper"])
def test_others_cannot_open_the_file_or_anything_in_it(org, filed, client_for, who):
    c = client_for(getattr(org.users, who))
    cm = org.staff.cm
    urls = [
        reverse("people:file-detail", args=[cm.pk]),
        reverse("people:document-download", args=[filed["photo"].pk]),
        reverse("people:document-verify", args=[filed["photo"].pk]),
        reverse("people:document-upload", args=[cm.pk]),
        reverse("people:contract-renew", args=[filed["contract"].pk]),
        reverse("people:contract-edit", args=[filed["contract"].pk]),
        reverse("people:qualification-edit", args=[filed["registration"].pk]),
        reverse("people:reward-withdraw", args=[filed["reward"].pk]),
        reverse("people:file-downloads", args=[cm.pk]),
    ]
    for url in urls:
        assert c.get(url).status_code == 404, url
    assert c.post(reverse("people:document-verify", args=[filed["photo"].pk])).status_code == 404
    assert (
        c.post(reverse("people:document-upload", args=[cm.pk]), {"slot": "resume", "file": pdf()}).status_code
        == 404
    )
    assert not ArchiveDocument.objects.filter(staff=cm, slot="resume").exists()
    assert filed["photo"].downloads.count() == 0


def test_client_manager_reads_own_file_but_cannot_change_it(org, filed, client_for):
    c = client_for(org.users.cm)
    cm = org.staff.cm
    page = c.get(reverse("people:file-detail", args=[cm.pk]))
    assert page.status_code == 200
    assert reverse("people:document-upload", args=[cm.pk]).encode() not in page.content
    got = c.get(reverse("people:document-download", args=[filed["photo"].pk]))
    assert got.status_code == 200
    assert filed["photo"].downloads.filter(user=org.users.cm).count() == 1
    assert c.get(reverse("people:document-upload", args=[cm.pk])).status_code == 404
    assert c.get(reverse("people:contract-create", args=[cm.pk])).status_code == 404
    assert c.post(reverse("people:contract-terminate", args=[filed["contract"].pk])).status_code == 404
    assert c.get(reverse("people:file-downloads", args=[cm.pk])).status_code == 200  # page, rows empty
    # The download log (who read the file) is for those who keep it, not the person.
    assert b"download-log" in c.get(reverse("people:file-downloads", args=[cm.pk])).content


def test_lead_reads_team_files_but_not_other_teams(org, filed, client_for):
    c = client_for(org.users.lead)
    assert c.get(reverse("people:file-detail", args=[org.staff.cm.pk])).status_code == 200
    assert c.get(reverse("people:file-detail", args=[org.staff.cm_b.pk])).status_code == 404
    assert c.get(reverse("people:file-detail", args=[org.staff.outsider.pk])).status_code == 404
    # A team lead reads but does not keep files.
    assert c.get(reverse("people:document-upload", args=[org.staff.cm.pk])).status_code == 404


def test_list_shows_only_files_in_scope(org, filed, client_for):
    for who, expected in (("cm", {org.staff.cm.pk}), ("lead", None), ("outsider", {org.staff.outsider.pk})):
        page = client_for(getattr(org.users, who)).get(reverse("people:file-list"))
        assert page.status_code == 200
        shown = {s.pk for s in page.context["page"].object_list}
        if expected is not None:
            assert shown == expected
        else:
            assert org.staff.cm_b.pk not in shown and org.staff.cm.pk in shown


def test_trade_post_of_another_branch_cannot_change(org, filed):
    from django.core.exceptions import PermissionDenied

    from brokerdesk.access.models import RoleAssignment

    other = org.users.keeper_b2
    RoleAssignment.objects.create(user=other, role="trade_management", branch=org.branches.b2)
    with pytest.raises(PermissionDenied):
        services.document_upload(actor=other, staff=org.staff.cm, slot="resume", upload=pdf())
    with pytest.raises(PermissionDenied):
        give_contract(other, org.staff.cm_b)
    assert not Contract.objects.filter(staff=org.staff.cm_b).exists()


# --- API ---------------------------------------------------------------------------------


def test_api_files_in_scope(org, filed, client_for):
    cm = client_for(org.users.cm).get("/api/people/files/")
    assert cm.status_code == 200
    assert [r["id"] for r in cm.json()["results"]] == [org.staff.cm.pk]
    peer = client_for(org.users.cm_peer)
    assert peer.get(f"/api/people/files/{org.staff.cm.pk}/").status_code == 404
    assert client_for(org.users.outsider).get(f"/api/people/files/{org.staff.cm.pk}/").status_code == 404
    assert client_for(org.users.lead).get(f"/api/people/files/{org.staff.cm_b.pk}/").status_code == 404
    assert client_for(org.users.trade).get(f"/api/people/files/{org.staff.outsider.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["cm_peer", "cm_b", "outsider", "rm"])
def test_api_others_cannot_see_or_change(org, filed, client_for, who):
    c = client_for(getattr(org.users, who))
    photo, contract, reg, rp = filed["photo"], filed["contract"], filed["registration"], filed["reward"]
    for url in (
        f"/api/people/documents/{photo.pk}/",
        f"/api/people/documents/{photo.pk}/download/",
        f"/api/people/contracts/{contract.pk}/",
        f"/api/people/qualifications/{reg.pk}/",
        f"/api/people/rewards/{rp.pk}/",
    ):
        assert c.get(url).status_code == 404, url
    for url in (
        "/api/people/documents/",
        "/api/people/contracts/",
        "/api/people/qualifications/",
        "/api/people/rewards/",
    ):
        ids = {r["id"] for r in c.get(url).json()["results"]}
        assert not ids & {photo.pk, contract.pk, reg.pk, rp.pk}, url
    assert c.post(f"/api/people/documents/{photo.pk}/verify/").status_code in (403, 404)
    assert c.post(f"/api/people/contracts/{contract.pk}/renew/", {}).status_code in (403, 404)
    r = c.post(
        "/api/people/documents/",
        {"staff": org.staff.cm.pk, "slot": "resume", "file": pdf()},
        format="multipart",
    )
    assert r.status_code in (400, 403, 404)
    assert not ArchiveDocument.objects.filter(staff=org.staff.cm, slot="resume").exists()
    assert photo.downloads.count() == 0
