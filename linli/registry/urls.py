"""The registry's console pages, mounted at /staff/ by linli/urls.py (paths are a contract)."""

from django.urls import path

from linli.registry.views import audit, imports, people, property

app_name = "registry"

urlpatterns = [
    path("c/<int:cid>/", property.overview, name="overview"),
    path("c/<int:cid>/buildings/", property.buildings, name="buildings"),
    path("c/<int:cid>/buildings/<int:building_id>/", property.building, name="building"),
    path("c/<int:cid>/units/<int:unit_id>/", property.unit, name="unit"),
    path("c/<int:cid>/houses/<int:house_id>/", property.house, name="house"),
    path("c/<int:cid>/houses/<int:house_id>/residents/", property.register_at_counter, name="register"),
    path(
        "c/<int:cid>/houses/<int:house_id>/developer-held/",
        property.set_developer_held,
        name="developer_held",
    ),
    path("c/<int:cid>/occupancies/<int:occupancy_id>/end/", property.end_occupancy, name="end_occupancy"),
    path("c/<int:cid>/people/", people.people, name="people"),
    path("c/<int:cid>/people/<int:person_id>/", people.person, name="person"),
    path("c/<int:cid>/people/<int:person_id>/reveal/", people.reveal, name="reveal"),
    path("c/<int:cid>/search/", people.search, name="search"),
    path("c/<int:cid>/vehicles/", people.vehicles, name="vehicles"),
    path("c/<int:cid>/care/", people.care, name="care"),
    path("c/<int:cid>/audit/", audit.audit, name="audit"),
    path("c/<int:cid>/pii-log/", audit.pii_log, name="pii"),
    path("c/<int:cid>/import/", imports.import_wizard, name="import"),
    path("c/<int:cid>/import/commit/", imports.import_commit, name="import_commit"),
]
