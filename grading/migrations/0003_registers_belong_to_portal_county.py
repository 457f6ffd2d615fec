from django.conf import settings
from django.db import migrations
from django.db.models import OuterRef, Subquery


def registers_belong_to_portal_county(apps, schema_editor):
    """Until now the deployment served one county (PORTAL_COUNTY): its registers, thresholds and their
    history are that county's. A history entry about one association belongs to that association's county.
    The county is looked up, never created: rows with no county to belong to stop the migration."""
    County = apps.get_model("associations", "County")
    Association = apps.get_model("associations", "Association")
    TierChange = apps.get_model("grading", "TierChange")
    TierChange.objects.filter(association__isnull=False).update(
        county=Subquery(Association.objects.filter(pk=OuterRef("association_id")).values("township__county")[:1])
    )
    models = [apps.get_model("grading", name) for name in ("TierThresholds", "TierRegister", "TierChange")]
    if not any(model.objects.filter(county__isnull=True).exists() for model in models):
        return
    county = County.objects.filter(name=settings.PORTAL_COUNTY).first()
    if county is None:
        raise RuntimeError(
            f"PORTAL_COUNTY「{settings.PORTAL_COUNTY}」不在縣市資料中：請設定本系統既有分級清冊所屬的縣市後再執行 migrate。"
        )
    for model in models:
        model.objects.filter(county__isnull=True).update(county=county)


class Migration(migrations.Migration):
    dependencies = [("grading", "0002_county_on_registers")]

    operations = [migrations.RunPython(registers_belong_to_portal_county, migrations.RunPython.noop)]
