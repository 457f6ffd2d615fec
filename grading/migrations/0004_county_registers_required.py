import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('associations', '0004_staff_membership_county_constraint'),
        ('grading', '0003_registers_belong_to_portal_county'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='tierregister',
            options={'ordering': ['county', '-year'], 'verbose_name': '分級清冊', 'verbose_name_plural': '分級清冊'},
        ),
        migrations.AlterModelOptions(
            name='tierthresholds',
            options={'ordering': ['county', '-year'], 'verbose_name': '分級門檻', 'verbose_name_plural': '分級門檻'},
        ),
        migrations.RemoveIndex(
            model_name='tierchange',
            name='tier_change_year_changed_at',
        ),
        migrations.AlterField(
            model_name='tierchange',
            name='county',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='associations.county', verbose_name='縣市'),
        ),
        migrations.AlterField(
            model_name='tierregister',
            name='county',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='associations.county', verbose_name='縣市'),
        ),
        migrations.AlterField(
            model_name='tierregister',
            name='year',
            field=models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1912), django.core.validators.MaxValueValidator(2100)], verbose_name='年度'),
        ),
        migrations.AlterField(
            model_name='tierthresholds',
            name='county',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='associations.county', verbose_name='縣市'),
        ),
        migrations.AlterField(
            model_name='tierthresholds',
            name='year',
            field=models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1912), django.core.validators.MaxValueValidator(2100)], verbose_name='年度'),
        ),
        migrations.AddIndex(
            model_name='tierchange',
            index=models.Index(fields=['county', 'year', 'changed_at'], name='tier_change_county_year'),
        ),
        migrations.AddConstraint(
            model_name='tierregister',
            constraint=models.UniqueConstraint(fields=('county', 'year'), name='register_unique_per_county_year'),
        ),
        migrations.AddConstraint(
            model_name='tierthresholds',
            constraint=models.UniqueConstraint(fields=('county', 'year'), name='thresholds_unique_per_county_year'),
        ),
    ]
