from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("associations", "0007_association_name_key_unique")]

    operations = [
        migrations.AddField(
            model_name="association",
            name="dissolved_on",
            field=models.DateField(blank=True, null=True, verbose_name="解散日期"),
        ),
        migrations.AddField(
            model_name="historicalassociation",
            name="dissolved_on",
            field=models.DateField(blank=True, null=True, verbose_name="解散日期"),
        ),
    ]
