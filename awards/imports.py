"""The award's spreadsheet imports, on the shared pipeline (`core.imports`): a round set up from one workbook
(`create_award_round`) and judges' scores typed into Excel (`import_scores`). Each reports every problem by
sheet, row and column and writes nothing when there is one.

Associations and townships are matched as the roster import matches them (`associations.roster.cleaning`:
台/臺, with or without 鎮/鄉/市, county prefix)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Association, County, Township
from associations.roster.cleaning import Geography
from awards import services
from awards.models import (
    AwardEvent,
    AwardGroup,
    AwardLevel,
    AwardRound,
    Conflict,
    Criterion,
    Entry,
    JudgeAssignment,
    Score,
    ScoreSheet,
)
from core.imports.issues import Issue
from core.imports.pipeline import DatasetImport
from core.imports.report import ImportReport
from core.models import ImportRecord
from core.roles import Role
from core.spreadsheets import SpreadsheetError, Table, read_bytes, read_table
from core.text import normalize_text

CRITERIA_SHEET, ENTRIES_SHEET, JUDGES_SHEET, LEVELS_SHEET = "評分項目", "參選名單", "評審", "等第"
CRITERIA_COLUMNS = {
    "group": ["組別"],
    "criterion": ["評分項目", "項目"],
    "max_points": ["配分", "滿分"],
    "description": ["說明", "評分重點"],
}
ENTRY_COLUMNS = {"group": ["組別"], "township": ["鄉鎮市", "鄉鎮市區"], "association": ["協會名稱", "參選者"]}
JUDGE_COLUMNS = {"username": ["帳號", "評審帳號"], "conflicts": ["迴避", "迴避名單"]}
LEVEL_COLUMNS = {"group": ["組別"], "level": ["等第"], "min_score": ["最低分數"], "quota": ["名額"]}
SCORE_COLUMNS = {
    "judge": ["評審", "評審帳號", "帳號"],
    "township": ["鄉鎮市", "鄉鎮市區"],
    "association": ["協會名稱", "參選者"],
    "criterion": ["評分項目", "項目"],
    "points": ["分數"],
}
#: Written in the 協會名稱 column of a township office's own entry (公所評鑑); a blank cell means the same.
OFFICE_WORDS = {"", "公所", "鄉鎮市公所"}
EXCELLENCE_REQUIRES = "優等、甲等"


def _text(value: object) -> str:
    return normalize_text(value)


def _decimal(value: object) -> Decimal | None:
    try:
        number = Decimal(_text(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def group_kind(name: str) -> str:
    """A group's kind from its name: 公所… a township office evaluation, …卓越… the excellence group (it
    requires an earlier 優等 or 甲等), …獎 a single-feature award, anything else the performance group."""
    if "公所" in name:
        return AwardGroup.Kind.TOWNSHIP
    if "卓越" in name:
        return AwardGroup.Kind.EXCELLENCE
    if name.endswith("獎"):
        return AwardGroup.Kind.FEATURE
    return AwardGroup.Kind.PERFORMANCE


def has_columns(
    table: Table,
    keys: Sequence[str],
    report: ImportReport,
    *,
    sheet: str,
    columns: Mapping[str, Sequence[str]],
) -> bool:
    missing = [columns[key][0] for key in keys if key not in table.columns]
    for name in missing:
        where = _("工作表「%(sheet)s」") % {"sheet": sheet} if sheet else _("檔案")
        report.errors.append(Issue(_("%(where)s缺少「%(column)s」欄。") % {"where": where, "column": name}))
    return not missing


def _label(sheet: str, column: str) -> str:
    return f"{sheet}／{column}"


class _Entries:
    """Associations and township offices of a county, found by the names a sheet writes."""

    def __init__(self, county: County) -> None:
        self.geography = Geography(county)
        self.by_key: dict[tuple[int, str], Association] = {}
        for association in Association.objects.filter(township__county=county).select_related("township"):
            self.by_key[
                (association.township_id, self.geography.name_key(association.name, association.township))
            ] = association

    def township(self, written: str) -> Township | None:
        return self.geography.lookup(written)

    def association(self, township: Township, written: str) -> Association | None:
        return self.by_key.get((township.pk, self.geography.name_key(written, township)))


# --- create_award_round ----------------------------------------------------------------------------------


@dataclass
class RoundPlan:
    groups: dict[str, dict[str, object]] = field(default_factory=dict)  # name -> kind, criteria, levels
    entries: list[tuple[str, Township, Association | None]] = field(default_factory=list)
    judges: list[object] = field(default_factory=list)
    conflicts: list[tuple[object, str, Township, Association | None]] = field(default_factory=list)


class RoundWorkbookImport(DatasetImport[RoundPlan, RoundPlan]):
    kind = "award_round"
    columns = CRITERIA_COLUMNS
    required = CRITERIA_COLUMNS["criterion"]

    def __init__(
        self, *, county: County, year: int, code: str, name: str, method: str, path: Path, user: object
    ) -> None:
        self.county, self.year, self.code, self.name, self.method = county, year, code, name, method
        self.path, self.user = path, user
        self.scope = f"{county.name} {code}"

    def remembered(self) -> Mapping[str, object]:
        return {
            "county": self.county.name,
            "year": self.year,
            "code": self.code,
            "name": self.name,
            "method": self.method,
        }

    def _sheet_unchecked(
        self, report: ImportReport, sheet: str, columns: Mapping[str, Sequence[str]], required: Sequence[str]
    ) -> Table | None:
        try:
            return read_table(
                columns=columns,
                required=required,
                sheet=sheet,
                data=read_bytes(self.path),
                name=self.path.name,
            )
        except SpreadsheetError as exc:
            report.errors.append(Issue(_("工作表「%(sheet)s」：%(error)s") % {"sheet": sheet, "error": exc}))
            return None

    def _sheet(
        self, report: ImportReport, sheet: str, columns: Mapping[str, Sequence[str]], required: Sequence[str]
    ) -> Table | None:
        """Another sheet of the workbook; `required` names our keys the sheet must have a column for."""
        table = self._sheet_unchecked(report, sheet, columns, [h for key in required for h in columns[key]])
        if table is not None and not has_columns(table, required, report, sheet=sheet, columns=columns):
            return None
        return table

    def _has_sheet(self, name: str) -> bool:
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(read_bytes(self.path)), read_only=True)
        except Exception:
            return False
        try:
            return name in workbook.sheetnames
        finally:
            workbook.close()

    def clean(self, table: Table, report: ImportReport) -> RoundPlan:
        plan = RoundPlan()
        if not has_columns(
            table,
            ("group", "criterion", "max_points"),
            report,
            sheet=CRITERIA_SHEET,
            columns=CRITERIA_COLUMNS,
        ):
            table = Table(columns=table.columns, unknown_columns=[])
        if AwardRound.objects.filter(code=self.code).exists():
            report.errors.append(Issue(_("代碼「%(code)s」已有選拔回合。") % {"code": self.code}))
        self._criteria(table, report, plan)
        entries = _Entries(self.county)
        sheet = self._sheet(report, ENTRIES_SHEET, ENTRY_COLUMNS, ("group", "township"))
        if sheet is not None:
            self._entries(sheet, report, plan, entries)
        sheet = self._sheet(report, JUDGES_SHEET, JUDGE_COLUMNS, ("username",))
        if sheet is not None:
            self._judges(sheet, report, plan, entries)
        if self._has_sheet(LEVELS_SHEET):
            sheet = self._sheet(report, LEVELS_SHEET, LEVEL_COLUMNS, ("group", "level"))
            if sheet is not None:
                self._levels(sheet, report, plan)
        return plan

    def _criteria(self, table: Table, report: ImportReport, plan: RoundPlan) -> None:
        for row in table.rows:
            group, name = _text(row.get("group")), _text(row.get("criterion"))
            label = lambda column: _label(CRITERIA_SHEET, column)  # noqa: E731
            if not group:
                report.errors.append(Issue(_("請填寫組別。"), row.number, label("組別")))
                continue
            if not name:
                report.errors.append(Issue(_("請填寫評分項目。"), row.number, label("評分項目")))
                continue
            points = _decimal(row.get("max_points"))
            if points is None or points <= 0 or points != points.quantize(Decimal("0.1")) or points >= 10000:
                report.errors.append(
                    Issue(_("配分須為大於 0 的數字（最多一位小數）。"), row.number, label("配分"))
                )
                continue
            spec = plan.groups.setdefault(group, {"kind": group_kind(group), "criteria": [], "levels": []})
            if any(existing[0] == name for existing in spec["criteria"]):  # type: ignore[union-attr]
                report.errors.append(Issue(_("同一組別的評分項目重複。"), row.number, label("評分項目")))
                continue
            spec["criteria"].append((name, points, _text(row.get("description"))))  # type: ignore[union-attr]

    def _group(
        self, report: ImportReport, plan: RoundPlan, row_number: int, sheet: str, written: object
    ) -> str | None:
        group = _text(written)
        if group not in plan.groups:
            report.errors.append(
                Issue(
                    _("組別「%(group)s」在評分項目中沒有項目。") % {"group": group},
                    row_number,
                    _label(sheet, "組別"),
                )
            )
            return None
        return group

    def _entries(self, table: Table, report: ImportReport, plan: RoundPlan, entries: _Entries) -> None:
        seen: set[tuple[str, int, int | None]] = set()
        for row in table.rows:
            group = self._group(report, plan, row.number, ENTRIES_SHEET, row.get("group"))
            township = entries.township(_text(row.get("township")))
            if township is None:
                report.errors.append(
                    Issue(_("找不到這個鄉鎮市。"), row.number, _label(ENTRIES_SHEET, "鄉鎮市"))
                )
            if group is None or township is None:
                continue
            written = _text(row.get("association"))
            association = None
            if plan.groups[group]["kind"] == AwardGroup.Kind.TOWNSHIP:
                if written not in OFFICE_WORDS and not written.endswith("公所"):
                    report.errors.append(
                        Issue(
                            _("公所評鑑的參選者是公所本身，協會名稱請留空。"),
                            row.number,
                            _label(ENTRIES_SHEET, "協會名稱"),
                        )
                    )
                    continue
            else:
                association = entries.association(township, written) if written else None
                if association is None:
                    report.errors.append(
                        Issue(_("此鄉鎮市沒有這個協會。"), row.number, _label(ENTRIES_SHEET, "協會名稱"))
                    )
                    continue
                group_obj = AwardGroup(name=group, requires_levels=_requires(plan.groups[group]["kind"]))
                for problem in services.eligibility_problems(
                    association=association, group=group_obj, year=self.year
                ):
                    report.errors.append(Issue(problem, row.number, _label(ENTRIES_SHEET, "協會名稱")))
            key = (group if association is None else "", township.pk, association.pk if association else None)
            if key in seen:
                report.errors.append(
                    Issue(_("參選名單重複。"), row.number, _label(ENTRIES_SHEET, "協會名稱"))
                )
                continue
            seen.add(key)
            plan.entries.append((group, township, association))

    def _judges(self, table: Table, report: ImportReport, plan: RoundPlan, entries: _Entries) -> None:
        users = {
            user.username: user
            for user in get_user_model().objects.filter(
                username__in=[_text(row.get("username")) for row in table.rows], membership__role=Role.JUDGE
            )
        }
        for row in table.rows:
            username = _text(row.get("username"))
            judge = users.get(username)
            if judge is None:
                report.errors.append(
                    Issue(_("沒有這個評審委員帳號。"), row.number, _label(JUDGES_SHEET, "帳號"))
                )
                continue
            if judge in plan.judges:
                report.errors.append(Issue(_("評審重複。"), row.number, _label(JUDGES_SHEET, "帳號")))
                continue
            plan.judges.append(judge)
            for name in filter(None, (_text(part) for part in _text(row.get("conflicts")).split("、"))):
                found = [
                    (group, township, association)
                    for group, township, association in plan.entries
                    if association is not None
                    and entries.geography.name_key(association.name, township)
                    == entries.geography.name_key(name, township)
                ]
                if not found:
                    report.errors.append(
                        Issue(
                            _("迴避名單中的「%(name)s」不在參選名單上。") % {"name": name},
                            row.number,
                            _label(JUDGES_SHEET, "迴避"),
                        )
                    )
                for group, township, association in found:
                    plan.conflicts.append((judge, group, township, association))

    def _levels(self, table: Table, report: ImportReport, plan: RoundPlan) -> None:
        for row in table.rows:
            group = self._group(report, plan, row.number, LEVELS_SHEET, row.get("group"))
            name = _text(row.get("level"))
            if group is None:
                continue
            if not name:
                report.errors.append(Issue(_("請填寫等第。"), row.number, _label(LEVELS_SHEET, "等第")))
                continue
            min_text, quota_text = _text(row.get("min_score")), _text(row.get("quota"))
            min_score = _decimal(min_text) if min_text else None
            quota = _decimal(quota_text) if quota_text else None
            if min_text and (min_score is None or min_score < 0):
                report.errors.append(
                    Issue(_("最低分數須為數字。"), row.number, _label(LEVELS_SHEET, "最低分數"))
                )
                continue
            if quota_text and (quota is None or quota < 0 or quota != int(quota)):
                report.errors.append(Issue(_("名額須為整數。"), row.number, _label(LEVELS_SHEET, "名額")))
                continue
            if min_score is None and quota is None:
                report.errors.append(
                    Issue(_("等第至少要有最低分數或名額。"), row.number, _label(LEVELS_SHEET, "等第"))
                )
                continue
            levels = plan.groups[group]["levels"]
            if any(level[0] == name for level in levels):  # type: ignore[union-attr]
                report.errors.append(
                    Issue(_("同一組別的等第重複。"), row.number, _label(LEVELS_SHEET, "等第"))
                )
                continue
            levels.append((name, min_score, int(quota) if quota is not None else None))  # type: ignore[union-attr]

    def plan(self, cleaned: RoundPlan, report: ImportReport, *, lock: bool) -> RoundPlan:
        report.created = len(cleaned.entries)
        report.notices.append(
            _(
                "組別 %(groups)d、評分項目 %(criteria)d、參選者 %(entries)d、"
                "評審 %(judges)d、迴避 %(conflicts)d。"
            )
            % {
                "groups": len(cleaned.groups),
                "criteria": sum(len(g["criteria"]) for g in cleaned.groups.values()),  # type: ignore[arg-type]
                "entries": len(cleaned.entries),
                "judges": len(cleaned.judges),
                "conflicts": len(cleaned.conflicts),
            }
        )
        for name, spec in cleaned.groups.items():
            criteria = "、".join(f"{c_name} {points}" for c_name, points, _d in spec["criteria"])  # type: ignore[attr-defined]
            levels = "、".join(level[0] for level in spec["levels"]) or "—"  # type: ignore[attr-defined]
            entries = sum(1 for group, _t, _a in cleaned.entries if group == name)
            report.notices.append(
                _("組別「%(group)s」：評分項目 %(criteria)s；等第 %(levels)s；參選者 %(entries)d。")
                % {"group": name, "criteria": criteria, "levels": levels, "entries": entries}
            )
        if cleaned.judges:
            report.notices.append(
                _("評審：%(judges)s。") % {"judges": "、".join(judge.username for judge in cleaned.judges)}  # type: ignore[attr-defined]
            )
        return cleaned

    def write(self, plan: RoundPlan, record: ImportRecord) -> Sequence[str]:
        award_round = AwardRound.objects.create(
            county=self.county, year=self.year, code=self.code, name=self.name, method=self.method
        )
        groups: dict[str, AwardGroup] = {}
        for order, (name, spec) in enumerate(plan.groups.items(), start=1):
            kind = str(spec["kind"])
            group = groups[name] = AwardGroup.objects.create(
                round=award_round, name=name, kind=kind, sort_order=order, requires_levels=_requires(kind)
            )
            Criterion.objects.bulk_create(
                Criterion(
                    group=group, position=position, name=c_name, max_points=points, description=description
                )
                for position, (c_name, points, description) in enumerate(spec["criteria"], start=1)  # type: ignore[arg-type]
            )
            levels = list(spec["levels"])  # type: ignore[call-overload]
            AwardLevel.objects.bulk_create(
                AwardLevel(
                    group=group,
                    name=l_name,
                    rank=rank,
                    min_score=min_score,
                    quota=quota,
                    # Each 卓越 level requires the one below it; the lowest, the group's 優等/甲等.
                    requires_level=levels[rank][0]
                    if kind == AwardGroup.Kind.EXCELLENCE and rank < len(levels)
                    else "",
                )
                for rank, (l_name, min_score, quota) in enumerate(levels, start=1)
            )
        now = timezone.now()
        entries = Entry.objects.bulk_create(
            Entry(
                round=award_round,
                group=groups[group],
                township=township,
                association=association,
                state=Entry.State.ACCEPTED,
                accepted_by=self.user if getattr(self.user, "pk", None) else None,
                created_at=now,
            )
            for group, township, association in plan.entries
        )
        by_key = {(e.group_id, e.township_id, e.association_id): e for e in entries}
        JudgeAssignment.objects.bulk_create(
            JudgeAssignment(round=award_round, judge=judge) for judge in plan.judges
        )
        Conflict.objects.bulk_create(
            Conflict(
                entry=by_key[(groups[group].pk, township.pk, association.pk if association else None)],
                judge=judge,
                source=Conflict.Source.COUNTY,
                detail=_("評審名單申報迴避（匯入紀錄 #%(record)d）") % {"record": record.pk},
            )
            for judge, group, township, association in plan.conflicts
        )
        added = services.conflicts_detect(award_round=award_round, entries=entries, judges=plan.judges)
        return [
            _("已建立選拔回合「%(name)s」；由名冊比對另找出 %(n)d 筆利益迴避。")
            % {"name": self.name, "n": added}
        ]


def _requires(kind: object) -> str:
    return EXCELLENCE_REQUIRES if kind == AwardGroup.Kind.EXCELLENCE else ""


# --- import_scores ---------------------------------------------------------------------------------------


@dataclass
class ScoreRow:
    number: int
    judge: object
    entry: Entry
    criterion: Criterion
    points: Decimal


class ScoresImport(DatasetImport[list[ScoreRow], list[ScoreRow]]):
    """Scores typed in Excel, one criterion per row; imported sheets are submitted sheets."""

    kind = "award_scores"
    columns = SCORE_COLUMNS
    required = SCORE_COLUMNS["points"]

    def __init__(self, *, award_round: AwardRound, user: object) -> None:
        self.round, self.user = award_round, user
        self.scope = f"{award_round.county.name} {award_round.code}"

    def remembered(self) -> Mapping[str, object]:
        return {"round": self.round.code}

    def clean(self, table: Table, report: ImportReport) -> list[ScoreRow]:
        award_round = self.round
        if not has_columns(
            table, ("judge", "township", "criterion", "points"), report, sheet="", columns=SCORE_COLUMNS
        ):
            return []
        if award_round.state != AwardRound.State.SCORING:
            report.errors.append(
                Issue(
                    _("此回合目前為「%(state)s」，不可匯入分數。")
                    % {"state": award_round.get_state_display()}
                )
            )
        places = _Entries(award_round.county)
        judges = {a.judge.username: a.judge for a in award_round.judges.select_related("judge")}
        round_entries = list(
            award_round.entries.filter(state=Entry.State.ACCEPTED).select_related("township", "association")
        )
        by_association = {e.association_id: e for e in round_entries if e.association_id}
        offices = {e.township_id: e for e in round_entries if not e.association_id}
        criteria: dict[tuple[int, str], Criterion] = {
            (c.group_id, _text(c.name)): c
            for c in Criterion.objects.filter(group__round=award_round, superseded_at__isnull=True)
        }
        conflicted = set(
            Conflict.objects.filter(entry__round=award_round, cleared_at__isnull=True).values_list(
                "entry_id", "judge_id"
            )
        )
        submitted = set(
            ScoreSheet.objects.filter(entry__round=award_round, state=ScoreSheet.State.SUBMITTED).values_list(
                "entry_id", "judge_id"
            )
        )
        rows: list[ScoreRow] = []
        seen: set[tuple[int, int, int]] = set()
        for row in table.rows:
            judge = judges.get(_text(row.get("judge")))
            if judge is None:
                report.errors.append(Issue(_("不是本回合的評審帳號。"), row.number, "評審"))
                continue
            township = places.township(_text(row.get("township")))
            if township is None:
                report.errors.append(Issue(_("找不到這個鄉鎮市。"), row.number, "鄉鎮市"))
                continue
            written = _text(row.get("association"))
            if written in OFFICE_WORDS or written.endswith("公所"):
                entry = offices.get(township.pk)
            else:
                association = places.association(township, written)
                entry = by_association.get(association.pk) if association else None
            if entry is None:
                report.errors.append(Issue(_("不在本回合受理的參選名單上。"), row.number, "協會名稱"))
                continue
            if (entry.pk, judge.pk) in conflicted:
                report.errors.append(
                    Issue(
                        _("評審 %(judge)s 須迴避此參選者，不可評分。") % {"judge": judge.username},
                        row.number,
                        "評審",
                    )
                )
                continue
            if (entry.pk, judge.pk) in submitted:
                report.errors.append(Issue(_("此評審對此參選者的評分已送出，不可覆蓋。"), row.number, "評審"))
                continue
            criterion = criteria.get((entry.group_id, _text(row.get("criterion"))))
            if criterion is None:
                report.errors.append(Issue(_("此組別沒有這個評分項目。"), row.number, "評分項目"))
                continue
            points = _decimal(row.get("points"))
            if points is None or points < 0 or points > criterion.max_points:
                report.errors.append(
                    Issue(
                        _("分數須在 0 到 %(max)s 之間。") % {"max": criterion.max_points}, row.number, "分數"
                    )
                )
                continue
            if points != points.quantize(Decimal("0.1")):
                report.errors.append(Issue(_("分數最多一位小數。"), row.number, "分數"))
                continue
            key = (judge.pk, entry.pk, criterion.pk)
            if key in seen:
                report.errors.append(Issue(_("同一評審、參選者與評分項目重複。"), row.number, "評分項目"))
                continue
            seen.add(key)
            rows.append(ScoreRow(row.number, judge, entry, criterion, points))
        self._complete(rows, criteria, report)
        return rows

    def _complete(
        self, rows: list[ScoreRow], criteria: Mapping[tuple[int, str], Criterion], report: ImportReport
    ) -> None:
        """Every sheet in the file must score every criterion of its group: an imported sheet is submitted."""
        given: dict[tuple[int, int], list[ScoreRow]] = {}
        for row in rows:
            given.setdefault((row.entry.pk, row.judge.pk), []).append(row)  # type: ignore[attr-defined]
        for sheet_rows in given.values():
            group_id = sheet_rows[0].entry.group_id
            names = {c.name for (g, _n), c in criteria.items() if g == group_id}
            missing = names - {r.criterion.name for r in sheet_rows}
            if missing:
                report.errors.append(
                    Issue(
                        _("%(judge)s 對 %(entry)s 缺少評分項目：%(names)s。")
                        % {
                            "judge": sheet_rows[0].judge.username,  # type: ignore[attr-defined]
                            "entry": sheet_rows[0].entry.display_name,
                            "names": "、".join(sorted(missing)),
                        },
                        sheet_rows[0].number,
                    )
                )

    def plan(self, cleaned: list[ScoreRow], report: ImportReport, *, lock: bool) -> list[ScoreRow]:
        if lock:
            AwardRound.objects.select_for_update().get(pk=self.round.pk)
        report.created = len(cleaned)
        return cleaned

    def write(self, plan: list[ScoreRow], record: ImportRecord) -> Sequence[str]:
        now = timezone.now()
        sheets: dict[tuple[int, int], ScoreSheet] = {}
        for row in plan:
            key = (row.entry.pk, row.judge.pk)  # type: ignore[attr-defined]
            if key not in sheets:
                sheet, _created = ScoreSheet.objects.get_or_create(entry=row.entry, judge=row.judge)
                sheet.scores.all().delete()  # a draft is replaced by the submitted sheet from the file
                sheet.state, sheet.submitted_at, sheet.updated_at = ScoreSheet.State.SUBMITTED, now, now
                sheet.save(update_fields=["state", "submitted_at", "updated_at"])
                sheets[key] = sheet
        Score.objects.bulk_create(
            Score(sheet=sheets[(row.entry.pk, row.judge.pk)], criterion=row.criterion, points=row.points)  # type: ignore[attr-defined]
            for row in plan
        )
        AwardEvent.objects.create(
            round=self.round,
            kind=AwardEvent.Kind.SCORES_IMPORTED,
            actor=self.user if getattr(self.user, "pk", None) else None,
            detail={"record": record.pk, "sheets": len(sheets), "scores": len(plan)},
        )
        return [_("已匯入 %(sheets)d 份評分表（已送出）。") % {"sheets": len(sheets)}]
