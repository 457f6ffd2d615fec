"""History rows name the import that wrote them (core.models.ImportedChange). Rows written before this
named it only in their change reason, 「名冊匯入（匯入紀錄 #12）」 or 「清查表匯入（匯入紀錄 #12）」 (or the same
in English when the import ran in English): those are filled from it, one UPDATE per import."""

import re

import django.db.models.deletion
from django.db import migrations, models

IMPORT_REASON = re.compile(
    r"^(?:名冊匯入|清查表匯入)（匯入紀錄 #(\d+)）$|^(?:Roster|Compliance) import \(import record #(\d+)\)$"
)
HISTORICAL_MODELS = [
    "historicalassociation",
    "historicalofficer",
    "historicalmeeting",
    "historicalyearlyfiling",
    "historicalelection",
    "historicalprogrammeprofile",
]


def name_imports_from_reasons(apps, schema_editor):
    existing = set(apps.get_model("core", "ImportRecord").objects.values_list("pk", flat=True))
    for name in HISTORICAL_MODELS:
        model = apps.get_model("associations", name)
        reasons = (
            model.objects.filter(history_change_reason__contains="#", history_import__isnull=True)
            .values_list("history_change_reason", flat=True)
            .distinct()
        )
        for reason in list(reasons):
            match = IMPORT_REASON.match(reason or "")
            record_id = int(match.group(1) or match.group(2)) if match else None
            if record_id in existing:
                model.objects.filter(history_change_reason=reason).update(history_import_id=record_id)


class Migration(migrations.Migration):

    dependencies = [
        ('associations', '0008_association_dissolved_on'),
        ('core', '0004_security_event'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalassociation',
            name='history_import',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.importrecord', verbose_name='匯入紀錄'),
        ),
        migrations.AddField(
            model_name='historicalelection',
            name='history_import',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.importrecord', verbose_name='匯入紀錄'),
        ),
        migrations.AddField(
            model_name='historicalmeeting',
            name='history_import',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.importrecord', verbose_name='匯入紀錄'),
        ),
        migrations.AddField(
            model_name='historicalofficer',
            name='history_import',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.importrecord', verbose_name='匯入紀錄'),
        ),
        migrations.AddField(
            model_name='historicalprogrammeprofile',
            name='history_import',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.importrecord', verbose_name='匯入紀錄'),
        ),
        migrations.AddField(
            model_name='historicalyearlyfiling',
            name='history_import',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.importrecord', verbose_name='匯入紀錄'),
        ),
        migrations.RunPython(name_imports_from_reasons, migrations.RunPython.noop),
    ]
