from django.db import migrations, models

LEVEL_SHIFT = 40  # votes_merkle.LEVEL_SHIFT: a node's key is (level << 40) | index


def fill_right_edges(apps, schema_editor):
    """Votes with ballots already in their log get the edge their stored nodes give: the
    complete subtree of each set bit of the log's size, largest first."""
    Vote = apps.get_model("engage", "Vote")
    VoteNode = apps.get_model("engage", "VoteNode")
    for vote in Vote.objects.filter(leaf_count__gt=0).only("pk", "leaf_count"):
        keys, start = [], 0
        for level in range(vote.leaf_count.bit_length() - 1, -1, -1):
            if vote.leaf_count >> level & 1:
                keys.append((level << LEVEL_SHIFT) | (start >> level))
                start += 1 << level
        found = dict(VoteNode.objects.filter(vote_id=vote.pk, key__in=keys).values_list("key", "hash"))
        Vote.objects.filter(pk=vote.pk).update(right_edge=b"".join(bytes(found[k]) for k in keys))


class Migration(migrations.Migration):
    dependencies = [("engage", "0002_activity_cancellation")]

    operations = [
        migrations.AddField(
            model_name="vote", name="right_edge", field=models.BinaryField(default=b"", editable=False)
        ),
        migrations.RunPython(fill_right_edges, migrations.RunPython.noop),
    ]
