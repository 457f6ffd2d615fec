"""The list pages' cheap renderings give what Django's own would: a row's URL as `reverse` gives it, and a
filter's select as `forms.Select` renders it (whitespace aside)."""

import re

import pytest
from django import forms
from django.urls import reverse

from core.forms import ListSelect
from core.listing import pk_url


@pytest.mark.parametrize("pk", [1, 42, 2147483647, 10**12])
def test_pk_url_is_reverse(pk):
    assert pk_url("associations:detail")(pk) == reverse("associations:detail", args=[pk])


CHOICES = [("", "全部"), ("1", "竹南鎮"), ("2", "<頭份>&市"), ("3", "苑裡鎮")]


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize("value", [None, "", "2", "9"])
def test_list_select_renders_as_select(value):
    attrs = {"id": "id_township", "aria-label": "鄉鎮", "required": True, "disabled": False}
    expected = forms.Select(choices=CHOICES).render("township", value, attrs=attrs)
    rendered = ListSelect(choices=CHOICES).render("township", value, attrs=attrs)
    assert _squeezed(rendered) == _squeezed(expected)


def test_list_select_renders_groups_as_select():
    grouped = [("", "全部"), ("北區", [("1", "竹南鎮"), ("2", "頭份市")]), ("南區", [("3", "苑裡鎮")])]
    expected = forms.Select(choices=grouped).render("township", "3")
    assert _squeezed(ListSelect(choices=grouped).render("township", "3")) == _squeezed(expected)


def test_format_row_escapes_every_value_as_format_html_does():
    from django.utils.html import format_html

    from core.listing import format_row

    row = '<tr><td><a href="{url}">{name}</a></td><td>{n}</td></tr>'
    values = {"url": '/a/?x=1&y="2"', "name": "<script>alert('陳')</script>", "n": 3}
    assert format_row(row, **values) == format_html(row, **values)
