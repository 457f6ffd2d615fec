from django.db import migrations, models


class Migration(migrations.Migration):
    """Separate from 0003 so PostgreSQL does not alter the table with the data migration's updates pending."""

    dependencies = [("associations", "0003_staff_membership_county")]

    operations = [
        migrations.AddConstraint(
            model_name="staffmembership",
            constraint=models.CheckConstraint(
                condition=models.Q(("role__in", ["county", "admin"]), ("county__isnull", True), _connector="OR"),
                name="membership_county_only_for_county_roles",
                violation_error_message="只有縣府承辦人與系統管理者可以指定縣市。",
            ),
        ),
    ]
