from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("associations", "0006_fill_association_name_key"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="association",
            constraint=models.UniqueConstraint(
                fields=("township", "name_key"),
                name="association_unique_name_key_per_township",
                violation_error_message="這個鄉鎮市區已有名稱相同的協會（台/臺、空白或全形半形的差異視為相同）。",
            ),
        ),
    ]
