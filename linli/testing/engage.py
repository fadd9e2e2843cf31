"""Test support for resident participation: the ids of community A's notices, proposals, votes,
surveys, activities and points that the outsider and narrowed-staff walks probe. Each area adds
its ids here."""


def probe_ids(world) -> dict[str, int | str]:
    """Ids in community A that the outsider must not reach."""
    from linli.testing import engage_points

    return {**engage_points.probe_ids(world)}


def narrowed_probe_ids(world, narrowed) -> dict[str, int | str]:
    """Ids of 2号楼's objects, for staff narrowed to 1号楼."""
    from linli.testing import engage_points

    return {**engage_points.narrowed_probe_ids(world, narrowed)}
