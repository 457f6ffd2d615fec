from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("associations", "0004_staff_membership_county_constraint"),
    ]

    operations = [
        migrations.AddField(
            model_name="association",
            name="name_key",
            field=models.CharField(default="", editable=False, max_length=200, verbose_name="名稱比對鍵"),
            preserve_default=False,
        ),
    ]
