"""Fill `Association.name_key` so that the next migration can make it unique per township.

Two associations of one township whose names normalise alike (台/臺, spaces, full-width letters, a
county or township prefix) are a clash the constraint would refuse. Rather than fail, the later of each
clashing group (by pk) gets its key suffixed with `#<pk>` and every clash is printed and logged at WARNING
(logger `portal.migrations`). To resolve one: open both associations, decide which is the real one, move
what the other holds (officers, meetings, filings) to it or correct its name, delete or rename the other,
then save the kept one in the registry (its key is recomputed on save)."""

import logging

from django.db import migrations

from core.text import association_name_key

logger = logging.getLogger("portal.migrations")


def fill(apps, schema_editor):
    Association = apps.get_model("associations", "Association")
    seen: dict[tuple[int, str], object] = {}
    clashes = []
    keyed = []
    rows = Association.objects.select_related("township__county").order_by("pk")
    for association in rows.iterator(chunk_size=2000):
        township = association.township
        key = association_name_key(association.name, county=township.county.name, township=township.name)
        first = seen.setdefault((township.pk, key), association)
        if first is not association:
            clashes.append((township.name, first, association))
            key = f"{key}#{association.pk}"
        association.name_key = key
        keyed.append(association)
    Association.objects.bulk_update(keyed, ["name_key"], batch_size=1000)
    for township, first, other in clashes:
        message = (
            f"協會名稱重複：{township}「{first.name}」(id {first.pk}) 與「{other.name}」(id {other.pk}) "
            f"正規化後相同；後者的比對鍵暫加上 #{other.pk}，請合併或更名後重新儲存。"
        )
        logger.warning(message)
        print(f"\n  {message}")


class Migration(migrations.Migration):
    dependencies = [
        ("associations", "0005_association_name_key"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
