"""Forms of the subsidy desk. They validate input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations import access
from associations.models import Association, Township
from core import dates
from core.dates import format_roc_year
from core.forms import GuardedForm, ListSelect, ROCDateField
from subsidies.models import Application, Attachment, ExpenseKind, FundingSource, State, SubsidyItem
from subsidies.services import CostInput, FundingInput


def _years() -> list[tuple[int, str]]:
    this = timezone.localdate().year
    return [(y, format_roc_year(y)) for y in range(this + 1, this - 6, -1)]


class ApplicationForm(GuardedForm, forms.Form):
    """An application's contents; editing one carries its version (`version=`, core.concurrency)."""

    association = forms.ModelChoiceField(label=_("協會"), queryset=Association.objects.none())
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=())
    item = forms.ModelChoiceField(label=_("補助項目"), queryset=SubsidyItem.objects.none())
    title = forms.CharField(label=_("計畫名稱"), max_length=200)
    starts_on = ROCDateField(label=_("期程開始"))
    ends_on = ROCDateField(label=_("期程結束"), help_text=_("須在該年度 12 月 31 日前結束。"))
    self_funded = forms.IntegerField(label=_("自籌款（元）"), min_value=0)

    def __init__(
        self, *args, user: object, county_id: int | None, application: Application | None = None, **kw
    ):
        super().__init__(*args, **kw)
        self.fields["association"].queryset = (
            Association.objects.visible_to(user)
            .active()
            .select_related("township")
            .order_by("township__sort_order", "name")
        )
        self.fields["year"].choices = _years()
        self.fields["item"].queryset = SubsidyItem.objects.filter(county_id=county_id, active=True)
        self.sources = list(
            FundingSource.objects.filter(county_id=county_id, active=True).exclude(
                kind=FundingSource.Kind.SELF
            )
        )
        requested = {}
        if application is not None:
            requested = {(f.source_id, f.kind): f.requested for f in application.funding_lines.all()}
            self.fields["association"].disabled = True
            self.fields["year"].disabled = True
        for source in self.sources:
            for kind in ExpenseKind:
                self.fields[f"req_{source.pk}_{kind.value}"] = forms.IntegerField(
                    label=f"{source.name}（{kind.label}）",
                    min_value=0,
                    required=False,
                    initial=requested.get((source.pk, kind.value)),
                )

    def funding(self) -> list[FundingInput]:
        out = []
        for source in self.sources:
            for kind in ExpenseKind:
                amount = self.cleaned_data.get(f"req_{source.pk}_{kind.value}")
                if amount:
                    out.append(FundingInput(source.pk, kind.value, amount))
        return out

    def funding_fields(self):
        return [self[f"req_{s.pk}_{k.value}"] for s in self.sources for k in ExpenseKind]

    def main_fields(self):
        return [
            self[name]
            for name in ("association", "year", "item", "title", "starts_on", "ends_on", "self_funded")
        ]


class CostLineForm(forms.Form):
    # The stored line the row shows, so that saving edits that line rather than replacing it.
    id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("經費類別"), choices=ExpenseKind.choices)
    description = forms.CharField(label=_("項目"), max_length=100, required=False)
    amount = forms.IntegerField(label=_("金額（元）"), min_value=0, required=False)

    def line(self) -> CostInput | None:
        data = self.cleaned_data
        if not data or not data.get("amount"):
            return None
        return CostInput(
            data["kind"],
            data.get("description") or str(ExpenseKind(data["kind"]).label),
            data["amount"],
            id=data.get("id"),
        )


CostLineFormSet = forms.formset_factory(CostLineForm, extra=4, max_num=20)


def _gregorian(roc: str) -> int:
    return dates.gregorian_year(int(roc))


class ApplicationFilterForm(forms.Form):
    # `?year=115` as the page shows it; filters on the Gregorian year (an old `?year=2026` is redirected).
    year = forms.TypedChoiceField(
        label=_("年度"), coerce=_gregorian, required=False, empty_value=None, choices=(), widget=ListSelect
    )
    township = forms.ModelChoiceField(
        label=_("鄉鎮市區"), queryset=Township.objects.none(), required=False, widget=ListSelect
    )
    state = forms.ChoiceField(
        label=_("狀態"), required=False, choices=[("", "—"), *State.choices], widget=ListSelect
    )
    item = forms.ModelChoiceField(
        label=_("補助項目"), queryset=SubsidyItem.objects.none(), required=False, widget=ListSelect
    )
    q = forms.CharField(label=_("關鍵字"), required=False, max_length=50)
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        widget=ListSelect,
        choices=[
            ("case", _("案號")),
            ("-updated", _("最近更新")),
            ("association", _("協會")),
            ("-requested", _("申請金額（高到低）")),
            ("rank", _("縣府排序")),
        ],
    )

    def __init__(self, *args, user: object, **kw):
        super().__init__(*args, **kw)
        self.fields["year"].choices = [("", "—"), *[(dates.roc_year(y), label) for y, label in _years()]]
        self.fields["township"].queryset = access.scope_townships(Township.objects.all(), user)
        self.fields["item"].queryset = SubsidyItem.objects.filter(county_id=access.county_id_of(user))

    # The primary key ends every order, so a page never repeats or skips a row.
    ORDER = {
        "case": ["-year", "number", "pk"],
        "-updated": ["-updated_at", "-pk"],
        "association": ["association__name", "-year", "number", "pk"],
        "-requested": ["-requested_total", "-year", "number", "pk"],
        "rank": ["-year", "rank", "number", "pk"],
    }

    def filter(self, queryset: QuerySet[Application]) -> QuerySet[Application]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("year"):
            queryset = queryset.filter(year=data["year"])
        if data.get("township"):
            queryset = queryset.filter(association__township=data["township"])
        if data.get("state"):
            queryset = queryset.filter(state=data["state"])
        if data.get("item"):
            queryset = queryset.filter(item=data["item"])
        if data.get("q"):
            q = data["q"].strip()
            queryset = queryset.filter(
                Q(title__icontains=q) | Q(association__name__icontains=q) | Q(case_number__icontains=q)
            )
        order = self.ORDER.get(data.get("sort") or "case", self.ORDER["case"])
        if "-requested_total" in order and "requested_total" not in queryset.query.annotations:
            # Only this order needs the sum of every filtered row's funding lines.
            queryset = queryset.annotate(requested_total=Sum("funding_lines__requested"))
        return queryset.order_by(*order)


class TransitionForm(forms.Form):
    note = forms.CharField(label=_("說明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    letter_number = forms.CharField(label=_("衛福部核定文號"), required=False, max_length=60)
    letter_date = ROCDateField(label=_("衛福部核定日期"), required=False)


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("附件類別"), choices=Attachment.Kind.choices, widget=ListSelect)
    file = forms.FileField(
        label=_("檔案"), help_text=_("PDF、Office 文件或 PNG、JPEG 圖片，每個檔案 20 MB 以內。")
    )


class SourceForm(GuardedForm, forms.ModelForm):
    class Meta:
        model = FundingSource
        fields = ["name", "kind", "aliases", "sort_order", "active"]


class ItemForm(GuardedForm, forms.ModelForm):
    class Meta:
        model = SubsidyItem
        fields = ["name", "kind", "sort_order", "active"]


class ConfigurationForm(GuardedForm, forms.Form):
    """A year's allocations (recurrent and capital per source) and minimums (per source and item), with
    their version (`version=`, core.concurrency)."""

    def __init__(self, *args, sources, items, allocations, minimums, **kw):
        super().__init__(*args, **kw)
        self.sources, self.items = sources, items
        for source in sources:
            allocation = allocations.get(source.pk)
            for kind in ExpenseKind:
                self.fields[f"alloc_{source.pk}_{kind.value}"] = forms.IntegerField(
                    label=f"{source.name} {kind.label}",
                    min_value=0,
                    initial=allocation.amount(kind.value) if allocation else 0,
                )
            for item in items:
                self.fields[f"min_{source.pk}_{item.pk}"] = forms.IntegerField(
                    label=f"{source.name} {item.name}",
                    min_value=0,
                    max_value=100,
                    initial=minimums.get((source.pk, item.pk), 0),
                )

    def rows(self):
        return [
            {
                "source": s,
                "allocation": [self[f"alloc_{s.pk}_{k.value}"] for k in ExpenseKind],
                "minimums": [self[f"min_{s.pk}_{i.pk}"] for i in self.items],
            }
            for s in self.sources
        ]

    def allocations(self) -> dict[int, tuple[int, int]]:
        d = self.cleaned_data
        return {s.pk: (d[f"alloc_{s.pk}_recurrent"], d[f"alloc_{s.pk}_capital"]) for s in self.sources}

    def minimums(self) -> dict[tuple[int, int], int]:
        d = self.cleaned_data
        return {(s.pk, i.pk): d[f"min_{s.pk}_{i.pk}"] for s in self.sources for i in self.items}
