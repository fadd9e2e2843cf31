def test_it_tells_a_resident_who_they_are(world, api):
    me = api(world.tenant).get("/auth/me").json()
    assert me["display_name"] == "李租客"
    assert me["phone"] == "138****0002"
    assert me["house_ids"] == [world.house.id]
    assert me["resident_community_ids"] == [world.a.id]
    assert me["memberships"] == []
    assert me["elderly_mode"] is False


def test_it_shows_the_outsider_only_their_own_community(world, api):
    me = api(world.outsider).get("/auth/me").json()
    assert [m["community_id"] for m in me["memberships"]] == [world.b.id]
    assert me["house_ids"] == [world.house_b.id]


def test_it_needs_a_sign_in(db, api):
    r = api().get("/auth/me")
    assert (r.status_code, r.json()["code"]) == (401, "not_authenticated")


def test_it_switches_elderly_mode_and_language(world, api):
    client = api(world.owner)
    r = client.patch("/auth/me", {"elderly_mode": True, "language": "en"})
    assert r.status_code == 200, r.content
    assert (r.json()["elderly_mode"], r.json()["language"]) == (True, "en")
    world.owner.refresh_from_db()
    assert world.owner.elderly_mode is True
    assert client.patch("/auth/me", {"language": "fr"}).json()["code"] == "invalid_language"
    assert client.patch("/auth/me", {"elderly_mode": False}).json()["language"] == "en"
