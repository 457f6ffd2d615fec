"""Programme counts in the stored tier trail keep their label as the untranslated sentence with parameters
(`grading.tiers.ProgrammeCount`), so that a reader sees it in their language. Counts stored before carry the
Chinese text with the numbers written in; the two labels that have parameters are read back here, the
others are already their own untranslated sentence. Reversible: the Chinese text is written back."""

import re

from django.db import migrations

TEAM = "志工隊（%(n)d 人，至少 %(min)d 人才計入）"
GRANTS = "結案的補助計畫：%(grants)s"
TEAM_TEXT = re.compile(r"^志工隊（(?P<n>\d+) 人，至少 (?P<min>\d+) 人才計入）$")
GRANTS_TEXT = re.compile(r"^結案的補助計畫：(?P<grants>.*)$", re.S)


def _to_codes(entry):
    if entry.get("params"):
        return entry
    label = str(entry.get("label", ""))
    if match := TEAM_TEXT.match(label):
        return {**entry, "label": TEAM, "params": {"n": int(match["n"]), "min": int(match["min"])}}
    if (match := GRANTS_TEXT.match(label)) and label != GRANTS:
        return {**entry, "label": GRANTS, "params": {"grants": [match["grants"]]}}
    return entry


def _to_text(entry):
    params = entry.get("params")
    if not params:
        return entry
    values = {key: "、".join(map(str, v)) if isinstance(v, list) else v for key, v in params.items()}
    text = {key: value for key, value in entry.items() if key != "params"}
    return {**text, "label": str(entry.get("label", "")) % values}


def _convert(apps, change):
    Assessment = apps.get_model("grading", "Assessment")
    batch = []
    rows = Assessment.objects.exclude(tier_trail={}).only("pk", "tier_trail").order_by("pk")
    for assessment in rows.iterator(chunk_size=2000):
        trail = assessment.tier_trail or {}
        counts = trail.get("counts") or []
        converted = [change(entry) for entry in counts]
        if converted != counts:
            assessment.tier_trail = {**trail, "counts": converted}
            batch.append(assessment)
        if len(batch) >= 2000:
            Assessment.objects.bulk_update(batch, ["tier_trail"])
            batch = []
    if batch:
        Assessment.objects.bulk_update(batch, ["tier_trail"])


def forwards(apps, schema_editor):
    _convert(apps, _to_codes)


def backwards(apps, schema_editor):
    _convert(apps, _to_text)


class Migration(migrations.Migration):
    dependencies = [("grading", "0007_recompute_run")]

    operations = [migrations.RunPython(forwards, backwards)]
