def test_it_answers_in_the_language_the_user_chose(world, api):
    world.outsider.language = "en"
    world.outsider.save(update_fields=["language"])
    r = api(world.outsider).get(f"/houses/{world.house.id}")
    assert r.json()["message"] == "Not found, or you may not see it"


def test_it_answers_in_chinese_by_default(world, api):
    r = api(world.outsider).get(f"/houses/{world.house.id}")
    assert r.json()["message"] == "对象不存在或您无权查看"
