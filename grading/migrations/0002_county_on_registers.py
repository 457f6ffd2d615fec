from django.db import migrations, models
from django.db.models import deletion


def _county():
    return models.ForeignKey(
        null=True, on_delete=deletion.PROTECT, related_name="+", to="associations.county", verbose_name="縣市"
    )


class Migration(migrations.Migration):
    """Registers, thresholds and their history become per county: the column first, nullable, so 0003 can
    fill it in before 0004 makes it required."""

    dependencies = [("associations", "0004_staff_membership_county_constraint"), ("grading", "0001_initial_grading")]

    operations = [
        migrations.AddField(model_name="tierthresholds", name="county", field=_county()),
        migrations.AddField(model_name="tierregister", name="county", field=_county()),
        migrations.AddField(model_name="tierchange", name="county", field=_county()),
    ]
