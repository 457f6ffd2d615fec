from django.conf import settings
from django.db import migrations, models
from django.db.models import deletion


def county_officers_serve_the_portal_county(apps, schema_editor):
    """Until now the deployment served one county (PORTAL_COUNTY): its county officers belong to it. The county
    is looked up, never created; where it does not exist the officers stay without one and see nothing."""
    County = apps.get_model("associations", "County")
    StaffMembership = apps.get_model("associations", "StaffMembership")
    county = County.objects.filter(name=settings.PORTAL_COUNTY).first()
    if county is not None:
        StaffMembership.objects.filter(role="county", county__isnull=True).update(county=county)


def forget_counties(apps, schema_editor):
    StaffMembership = apps.get_model("associations", "StaffMembership")
    StaffMembership.objects.update(county=None)


class Migration(migrations.Migration):
    dependencies = [("associations", "0002_compliance_facts")]

    operations = [
        migrations.AddField(
            model_name="staffmembership",
            name="county",
            field=models.ForeignKey(
                blank=True,
                help_text="縣府承辦人所屬的縣市；系統管理者目前作業的縣市。公所承辦人依其鄉鎮市區，不另指定。",
                null=True,
                on_delete=deletion.SET_NULL,
                related_name="staff",
                to="associations.county",
                verbose_name="所屬縣市",
            ),
        ),
        migrations.RunPython(county_officers_serve_the_portal_county, forget_counties),
    ]
