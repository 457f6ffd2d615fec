from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.roles import Role


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class AssignJudgeForm(forms.Form):
    judge = forms.ModelChoiceField(label=_("評審"), queryset=get_user_model().objects.none())

    def __init__(self, *args: object, exclude: Sequence[int] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["judge"].queryset = (
            get_user_model()
            .objects.filter(membership__role=Role.JUDGE, is_active=True)
            .exclude(pk__in=exclude)
            .order_by("username")
        )


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("評分項目"), max_length=100)
    max_points = forms.DecimalField(label=_("配分"), min_value=Decimal("0.5"), max_digits=5, decimal_places=1)
    description = forms.CharField(label=_("說明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
