"""Test support for resident participation: the ids of community A's notices, proposals, votes,
surveys, activities and points that the outsider and narrowed-staff walks probe. Each area adds
its ids here."""

from linli.testing import engage_notices, engage_points, engage_surveys, engage_votes


def probe_ids(world) -> dict[str, int | str]:
    """Ids in community A that the outsider must not reach."""
    return {
        **engage_votes.probe_ids(world),
        **engage_surveys.probe_ids(world),
        **engage_notices.probe_ids(world),
        **engage_points.probe_ids(world),
    }


def narrowed_probe_ids(world, narrowed) -> dict[str, int | str]:
    """Ids of 2号楼's objects, for staff narrowed to 1号楼."""
    return {
        **engage_votes.narrowed_probe_ids(world, narrowed),
        **engage_surveys.narrowed_probe_ids(world, narrowed),
        **engage_notices.narrowed_probe_ids(world, narrowed),
        **engage_points.narrowed_probe_ids(world, narrowed),
    }
