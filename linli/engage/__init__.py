"""Resident participation (issue 12): notices, deliberation, owners' assembly votes that anyone
can verify, surveys, activities and neighbours, points and the community convention."""
