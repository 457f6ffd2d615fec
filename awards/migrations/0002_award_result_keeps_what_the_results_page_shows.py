"""A published result keeps the rest of what the results page shows (the counted judges, the spread and its
flag, the normalised score), so that page reads the published rows instead of computing the round again.
The results published before are completed from their round's scores, which publication froze: each
counted judge's total (submitted sheets without an uncleared conflict), combined by the pure rules of
`awards.scoring` as publication combined them."""

from collections import defaultdict
from decimal import Decimal

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Sum

from awards import scoring


def complete_published_results(apps, schema_editor):
    AwardResult = apps.get_model("awards", "AwardResult")
    AwardRound = apps.get_model("awards", "AwardRound")
    Conflict = apps.get_model("awards", "Conflict")
    Score = apps.get_model("awards", "Score")
    one_place = Decimal("0.1")
    for award_round in AwardRound.objects.filter(state="published").order_by("pk"):
        conflicted = Conflict.objects.filter(
            entry_id=OuterRef("sheet__entry_id"), judge_id=OuterRef("sheet__judge_id"), cleared_at__isnull=True
        )
        totals = (
            Score.objects.filter(
                sheet__entry__round=award_round, sheet__entry__state="accepted", sheet__state="submitted"
            )
            .exclude(Exists(conflicted))
            .values("sheet__entry_id", "sheet__entry__group_id", "sheet__judge_id", "sheet__judge__username")
            .annotate(total=Sum("points"))
            .order_by("sheet__entry_id", "sheet__judge__username")
            .values_list("sheet__entry_id", "sheet__entry__group_id", "sheet__judge_id", "total")
        )
        by_entry = defaultdict(dict)  # entry -> {judge: total}, judges by username
        group_of = {}
        for entry_id, group_id, judge_id, total in totals:
            by_entry[entry_id][judge_id] = total.quantize(one_place)
            group_of[entry_id] = group_id
        # z-scores per judge within each group, as scoring._normalise computes them
        per_judge = defaultdict(dict)
        for entry_id, judge_totals in by_entry.items():
            for judge_id, total in judge_totals.items():
                per_judge[(group_of[entry_id], judge_id)][entry_id] = total
        z = {key: scoring.z_scores(values) for key, values in per_judge.items()}
        results = list(AwardResult.objects.filter(round=award_round))
        for result in results:
            judge_totals = by_entry.get(result.entry_id, {})
            result.judge_ids = list(judge_totals)
            if judge_totals:
                spread = max(judge_totals.values()) - min(judge_totals.values())
                result.spread, result.spread_flag = spread, spread > award_round.spread_threshold
                values = [z[(group_of[result.entry_id], judge)][result.entry_id] for judge in judge_totals]
                result.normalised = scoring.round2(scoring.aggregate(values, award_round.method)[0])
        AwardResult.objects.bulk_update(
            results, ["judge_ids", "spread", "spread_flag", "normalised"], batch_size=500
        )


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0001_awards_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="awardresult",
            name="judge_ids",
            field=models.JSONField(blank=True, default=list, verbose_name="評審"),
        ),
        migrations.AddField(
            model_name="awardresult",
            name="normalised",
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=7, null=True, verbose_name="標準化"),
        ),
        migrations.AddField(
            model_name="awardresult",
            name="spread",
            field=models.DecimalField(blank=True, decimal_places=1, max_digits=7, null=True, verbose_name="差距"),
        ),
        migrations.AddField(
            model_name="awardresult",
            name="spread_flag",
            field=models.BooleanField(default=False, verbose_name="評審差距過大"),
        ),
        migrations.RunPython(complete_published_results, migrations.RunPython.noop),
    ]
