"""Rule explanations and tier reasons were stored as Chinese text; they are now a message code with parameters
(`grading.messages`), rendered in the reader's language. Each stored text is read back into its code and
parameters; a text that matches no sentence is kept verbatim (code ``text``) and shown as it is. A
TierChange keeps its Chinese `reason` (the record as it was said) and gains `reason_message` when the reason
was the system's. The reverse writes the texts back in Chinese."""

from django.db import migrations
from django.utils import translation

BATCH = 1000


def _to_codes(apps, schema_editor):
    from grading.messages import from_legacy_text

    Assessment = apps.get_model("grading", "Assessment")
    TierChange = apps.get_model("grading", "TierChange")
    batch = []
    for assessment in Assessment.objects.order_by("pk").iterator(chunk_size=BATCH):
        rules = []
        for rule in assessment.rules or []:
            rule = dict(rule)
            rule.pop("label", None)
            if isinstance(rule.get("message"), str):
                rule["message"] = from_legacy_text(rule["message"])
            rules.append(rule)
        trail = dict(assessment.tier_trail or {})
        if isinstance(trail.get("reason"), str):
            trail["reason"] = from_legacy_text(trail["reason"])
        assessment.rules, assessment.tier_trail = rules, trail
        batch.append(assessment)
        if len(batch) >= BATCH:
            Assessment.objects.bulk_update(batch, ["rules", "tier_trail"])
            batch = []
    Assessment.objects.bulk_update(batch, ["rules", "tier_trail"])
    changes = []
    for change in TierChange.objects.filter(kind="suggested").exclude(reason="").iterator(chunk_size=BATCH):
        found = from_legacy_text(change.reason)
        if found["code"] != "text":
            change.reason_message = found
            changes.append(change)
    TierChange.objects.bulk_update(changes, ["reason_message"], batch_size=BATCH)


def _to_texts(apps, schema_editor):
    from grading.messages import record_text, rule_label

    Assessment = apps.get_model("grading", "Assessment")
    batch = []
    with translation.override("zh-hant"):
        for assessment in Assessment.objects.order_by("pk").iterator(chunk_size=BATCH):
            rules = []
            for rule in assessment.rules or []:
                rule = dict(rule)
                rule["label"] = rule_label(str(rule.get("code")))
                if not isinstance(rule.get("message"), str):
                    rule["message"] = record_text(rule.get("message"))
                rules.append(rule)
            trail = dict(assessment.tier_trail or {})
            if not isinstance(trail.get("reason"), str | type(None)):
                trail["reason"] = record_text(trail["reason"])
            assessment.rules, assessment.tier_trail = rules, trail
            batch.append(assessment)
            if len(batch) >= BATCH:
                Assessment.objects.bulk_update(batch, ["rules", "tier_trail"])
                batch = []
        Assessment.objects.bulk_update(batch, ["rules", "tier_trail"])
    # TierChange.reason kept its Chinese text throughout; reason_message goes with its column.


class Migration(migrations.Migration):
    dependencies = [("grading", "0005_duties_and_reason_codes")]

    operations = [migrations.RunPython(_to_codes, _to_texts)]
