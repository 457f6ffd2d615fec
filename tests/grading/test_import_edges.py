"""The compliance import at its edges: a missing column named as the clerk knows it, and the facts written
with their ImportRecord or not at all."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from associations.models import Meeting
from core.models import ImportRecord
from tests.associations.factories import AssociationFactory

pytestmark = pytest.mark.django_db


def run(path):
    call_command("import_compliance", "112", str(path), stdout=StringIO(), stderr=StringIO())


def test_a_township_that_cannot_be_told_is_reported_under_the_sheets_own_column_name(tmp_path, zhunan):
    AssociationFactory(township=zhunan, name="竹南鎮中美社區發展協會")
    path = tmp_path / "清查.csv"
    path.write_text("協會名稱,會員大會日期\n中美社區發展協會,112/05/20\n", encoding="utf-8")

    with pytest.raises(CommandError):
        run(path)

    report = ImportRecord.objects.get().report
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "鄉鎮市")]


def test_facts_are_not_kept_when_the_import_cannot_be_recorded(tmp_path, zhunan, monkeypatch):
    AssociationFactory(township=zhunan, name="竹南鎮中美社區發展協會")
    path = tmp_path / "清查.csv"
    path.write_text(
        "鄉鎮市,協會名稱,會員大會日期\n竹南鎮,竹南鎮中美社區發展協會,112/05/20\n", encoding="utf-8"
    )

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ImportRecord, "save", fail)
    with pytest.raises(RuntimeError):
        run(path)

    assert not Meeting.objects.exists()


def test_the_register_export_of_a_year_out_of_range_is_not_found(county_client):
    assert county_client.get("/grading/99999/register/export/?format=csv").status_code == 404
