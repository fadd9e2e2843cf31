"""SEC-1/SEC-2: masked by default, full values only for permitted roles and always logged; PIPL."""

from linli.core.models import AuditEntry, PiiAccess
from linli.registry.models import CareTag, Occupancy, Person, Vehicle


def test_it_masks_phone_and_id_number_in_lists(world, api):
    items = api(world.staff).get("/people", {"community": world.a.id}).json()["items"]
    assert items
    for p in items:
        assert "****" in p["phone"] and "*" in p["id_number"]
    assert PiiAccess.objects.count() == 0


def test_it_reveals_to_staff_with_pii_view_and_logs_the_read(world, api):
    pid = world.owner_person.id
    r = api(world.staff).get(f"/people/{pid}", {"reveal": "true", "purpose": "核实身份"})
    assert r.json()["phone"] == "13800000001" and r.json()["masked"] is False
    log = PiiAccess.objects.get()
    assert (log.actor, log.person_id, log.purpose) == (world.staff, pid, "核实身份")


def test_it_never_reveals_to_a_role_without_pii_view(world, api):
    # security may see people but not their full data
    from linli.testing import factories as f

    guard = f.staff(world.a, "security", "guard")
    r = api(guard).get(f"/people/{world.owner_person.id}", {"reveal": "true"})
    assert r.status_code == 200 and r.json()["masked"] is True
    assert PiiAccess.objects.count() == 0


def test_it_shows_a_resident_their_own_data_unlogged_and_neighbours_not_at_all(world, api):
    r = api(world.owner).get(f"/people/{world.owner_person.id}", {"reveal": "true"})
    assert r.json()["phone"] == "13800000001"
    assert PiiAccess.objects.count() == 0
    tenant = api(world.owner).get(f"/people/{world.tenant_person.id}", {"reveal": "true"}).json()
    assert tenant["masked"] is True  # the landlord sees the tenant, masked
    neighbour = Occupancy.objects.get(house=world.neighbour_house).person_id
    assert api(world.owner).get(f"/people/{neighbour}").status_code == 404
    assert api(world.outsider).get(f"/people/{world.owner_person.id}").status_code == 404


def test_it_finds_people_by_name_prefix_phone_and_id_number(world, api):
    client = api(world.staff)
    by_name = client.get("/people", {"community": world.a.id, "q": "王建"}).json()["items"]
    assert [p["id"] for p in by_name] == [world.owner_person.id]
    by_phone = client.get("/people", {"community": world.a.id, "q": "138 0000 0002"}).json()["items"]
    assert [p["id"] for p in by_phone] == [world.tenant_person.id]
    assert api(world.outsider).get("/people", {"community": world.a.id, "q": "王建"}).status_code == 404


def test_it_exports_everything_about_a_person_and_logs_it(world, api):
    r = api(world.staff).get(f"/people/{world.tenant_person.id}/export")
    assert r.status_code == 200
    body = r.json()
    assert body["person"]["phone"] == "13800000002"
    assert body["occupancies"][0]["relation"] == "tenant"
    assert PiiAccess.objects.filter(purpose="pipl_export").count() == 1
    assert api(world.outsider).get(f"/people/{world.tenant_person.id}/export").status_code == 404
    assert api(world.technician).get(f"/people/{world.tenant_person.id}/export").status_code == 404


def test_it_erases_a_person_on_request(world, api):
    pid = world.tenant_person.id
    api(world.staff).post(f"/people/{pid}/vehicles", {"plate": "京A12345"})
    r = api(world.staff).post(f"/people/{pid}/erase", {"reason": "本人申请删除"})
    assert r.status_code == 200, r.content
    person = Person.objects.get(pk=pid)
    assert person.erased_at and person.phone == "" and person.id_number == "" and person.phone_bidx is None
    assert not Vehicle.objects.filter(person_id=pid).exists()
    assert not Occupancy.objects.active().filter(person_id=pid).exists()
    assert api(world.staff).get(f"/people/{pid}").status_code == 404
    erase = AuditEntry.objects.get(action="erase")
    assert "12345" not in str(erase.after)  # the trail keeps masked values only


def test_it_lets_a_person_erase_themselves_but_not_others(world, api):
    assert (
        api(world.owner).post(f"/people/{world.tenant_person.id}/erase", {"reason": "x"}).status_code == 403
    )
    assert (
        api(world.tenant).post(f"/people/{world.tenant_person.id}/erase", {"reason": "不再居住"}).status_code
        == 200
    )


def test_it_keeps_care_tags_to_care_roles_with_consent(world, api):
    pid = world.owner_person.id
    no_consent = api(world.grid_worker).post(
        f"/people/{pid}/care-tags", {"kind": "elderly_alone", "consent_by": "", "consent_method": ""}
    )
    assert no_consent.status_code == 422
    r = api(world.grid_worker).post(
        f"/people/{pid}/care-tags", {"kind": "elderly_alone", "consent_by": "本人", "consent_method": "书面"}
    )
    assert r.status_code == 201, r.content
    path = f"/communities/{world.a.id}/care-tags"
    assert [t["person_id"] for t in api(world.grid_worker).get(path).json()] == [pid]
    assert api(world.technician).get(path).status_code == 404
    assert api(world.outsider).get(path).status_code == 404
    assert api(world.front_desk).get(path).status_code == 404
    assert (
        api(world.owner).post(f"/care-tags/{r.json()['id']}/revoke").status_code == 200
    )  # consent withdrawn
    assert CareTag.objects.get().revoked_at is not None


def test_it_registers_vehicles_and_finds_them_by_plate(world, api):
    r = api(world.owner).post(
        f"/people/{world.owner_person.id}/vehicles", {"plate": "京 a·88888", "house_id": world.house.id}
    )
    assert r.status_code == 201, r.content
    assert r.json()["plate"] == "京A88888"
    dup = api(world.staff).post(f"/people/{world.tenant_person.id}/vehicles", {"plate": "京A88888"})
    assert dup.json()["code"] == "duplicate_plate"
    bad = api(world.staff).post(f"/people/{world.tenant_person.id}/vehicles", {"plate": "ABCDEFG"})
    assert bad.json()["code"] == "invalid_plate"
    found = api(world.staff).get("/vehicles", {"community": world.a.id, "plate": "京A88888"}).json()["items"]
    assert [v["person_id"] for v in found] == [world.owner_person.id]
    assert (
        api(world.outsider).get("/vehicles", {"community": world.a.id, "plate": "京A88888"}).status_code
        == 404
    )


def test_it_lets_residents_register_people_only_through_their_house(world, api):
    r = api(world.owner).post(f"/communities/{world.a.id}/people", {"name": "随便登记"})
    assert r.status_code == 403
    assert not Person.objects.filter(name="随便登记").exists()


def test_it_lets_a_person_correct_their_own_record_but_not_their_tenants(world, api):
    own = api(world.owner).patch(f"/people/{world.owner_person.id}", {"phone": "13900000077"})
    assert own.status_code == 200, own.content
    assert Person.objects.get(pk=world.owner_person.id).phone == "13900000077"
    tenant = api(world.owner).patch(f"/people/{world.tenant_person.id}", {"name": "改名"})
    assert tenant.status_code == 403
    assert Person.objects.get(pk=world.tenant_person.id).name == "李小梅"


def test_it_leaves_erasure_to_a_manager_with_a_reason(world, api):
    pid = world.tenant_person.id
    desk = api(world.front_desk).post(f"/people/{pid}/erase", {"reason": "本人申请删除"})
    assert desk.status_code == 403  # the counter sees and edits people, but cannot erase them
    blank = api(world.staff).post(f"/people/{pid}/erase", {"reason": "   "})
    assert (blank.status_code, blank.json()["code"]) == (400, "reason_required")
    assert not AuditEntry.objects.filter(action="erase").exists()

    assert api(world.staff).post(f"/people/{pid}/erase", {"reason": "本人书面申请"}).status_code == 200
    erase = AuditEntry.objects.get(action="erase")
    assert (erase.actor_id, erase.after["reason"]) == (world.staff.id, "本人书面申请")
