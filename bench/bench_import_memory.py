"""Peak memory and stored record size of an import preview (issue 11: a preview of a 10 MB file stays under
300 MB peak memory and its record under 1 MB).

    [DATABASE_URL=postgres://…] .venv/bin/python bench/bench_import_memory.py

Files, written to a temporary folder:

* `bomb.xlsx`: the issue's 48,000-row .xlsx with a different 1,300-character 理事長 in each row (about
  1 MB zipped, 180 MiB unpacked, under the zip-bomb ratio);
* `roster-10mb.csv`: a realistic roster just under IMPORT_MAX_BYTES with the most rows IMPORT_MAX_ROWS
  allows, every row with three warnings (a phone without its area code, an address naming no township, an
  unreadable founding date) and an extra column of remarks the import does not read.

Each preview runs as the admin's does (dry run, whole list kept beside the upload) in a fresh subprocess,
in a throwaway database (bench_<name>), and reports its peak resident memory (getrusage ru_maxrss; the
process's baseline after Django's start-up is shown apart), seconds, outcome and the stored report's size.
The .xlsx runs twice: under the default row limit, and with IMPORT_MAX_ROWS raised to 50,000 so that every
row is read and judged.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

TOWNSHIPS = [
    "苗栗市",
    "頭份市",
    "竹南鎮",
    "後龍鎮",
    "通霄鎮",
    "苑裡鎮",
    "卓蘭鎮",
    "公館鄉",
    "銅鑼鄉",
    "三義鄉",
]
SURNAMES = "王李張劉陳楊黃趙吳周徐孫馬朱胡郭何高林羅鄭梁謝宋唐許韓馮鄧曹彭曾蕭田董潘袁蔡蔣余于杜葉程蘇魏呂丁"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def write_bomb(path: Path, rows: int = 48_000) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("名冊")
    sheet.append(["鄉鎮市", "名稱", "理事長", "電話", "地址"])
    for n in range(rows):
        township = TOWNSHIPS[n % len(TOWNSHIPS)]
        chair = f"{n:06d}" + SURNAMES[n % len(SURNAMES)] * 1294  # each row's text differs: no sharing
        sheet.append([township, f"第{n}社區發展協會", chair, "037-123456", f"苗栗縣{township}中正路{n}號"])
    book.save(path)


def write_csv(path: Path, *, max_bytes: int, max_rows: int) -> int:
    remark = (
        "本會辦理長青食堂、社區照顧關懷據點與環境綠美化，並配合公所推動防災社區及福利化社區旗艦計畫，" * 3
    )
    header = [
        "鄉鎮市",
        "名稱",
        "成立日期",
        "理事長",
        "總幹事",
        "電話",
        "地址",
        "會員人數",
        "電子郵件",
        "備註說明",
    ]
    lines = []
    for n in range(max_rows):
        township = TOWNSHIPS[n % len(TOWNSHIPS)]
        surname = SURNAMES[n % len(SURNAMES)]
        lines.append(
            [
                township,
                f"第{n}社區發展協會",
                "81年13月",  # unreadable: a warning, left blank
                f"{surname}大明",
                f"{surname}小華",
                f"{1234567 + n}",  # no area code: a warning
                f"中正路{n}號",  # no township: a warning
                str(50 + n % 200),
                f"assoc{n}@example.org",
                remark,
            ]
        )
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        written = 0
        for line in lines:
            if stream.tell() + len(",".join(line).encode()) + 2 > max_bytes:
                break
            writer.writerow(line)
            written += 1
    return written


def child(path: Path, max_rows: int | None) -> None:
    """One preview in this fresh process: print a JSON line of its figures."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from associations.geography import townships_import
    from associations.models import County
    from associations.roster.dataset import RosterImport
    from core import spreadsheets
    from core.imports.pipeline import run_import
    from core.models import ImportRecord

    if max_rows:
        spreadsheets.MAX_DATA_ROWS = max_rows
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = (
        None if connection.vendor == "sqlite" else f"bench_{old_name}"
    )
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        townships_import(path=ROOT / "fixtures" / "geography.csv")
        county = County.objects.get(name="苗栗縣")
        baseline = peak_mib()
        with tempfile.TemporaryDirectory() as media:
            settings.MEDIA_ROOT = media
            started = time.perf_counter()
            report = run_import(
                RosterImport(county=county, user=None),
                path=path,
                user=None,
                dry_run=True,
                full_list=Path(media) / "full.csv",
            )
            seconds = time.perf_counter() - started
            full_list = Path(media) / "full.csv"
            full_bytes = full_list.stat().st_size if full_list.exists() else 0
        record = ImportRecord.objects.get(pk=report.record_id)
        stored = len(json.dumps(record.report, ensure_ascii=False).encode())
        print(
            json.dumps(
                {
                    "baseline": baseline,
                    "peak": peak_mib(),
                    "seconds": seconds,
                    "outcome": record.outcome,
                    "counts": record.counts,
                    "record_bytes": stored,
                    "full_list_bytes": full_bytes,
                    "first_error": str(report.errors[0]) if report.errors else "",
                }
            )
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--max-rows", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.max_rows)
        return

    import django

    django.setup()
    from django.conf import settings

    with tempfile.TemporaryDirectory() as tmp:
        bomb = Path(tmp) / "bomb.xlsx"
        write_bomb(bomb)
        roster = Path(tmp) / "roster-10mb.csv"
        rows = write_csv(roster, max_bytes=settings.IMPORT_MAX_BYTES, max_rows=settings.IMPORT_MAX_ROWS)
        print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
        print(f"bomb.xlsx: {bomb.stat().st_size / 1e6:.2f} MB, 48,000 rows")
        print(f"roster-10mb.csv: {roster.stat().st_size / 1e6:.2f} MB, {rows:,} rows")
        runs = [
            ("bomb.xlsx, default limits", bomb, None),
            ("bomb.xlsx, IMPORT_MAX_ROWS=50000", bomb, 50_000),
            ("roster-10mb.csv", roster, None),
        ]
        for label, path, max_rows in runs:
            command = [sys.executable, __file__, "--child", str(path)]
            if max_rows:
                command += ["--max-rows", str(max_rows)]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            figures = json.loads(output.strip().splitlines()[-1])
            print(
                f"\n{label}: {figures['outcome']} in {figures['seconds']:.1f} s; peak RSS "
                f"{figures['peak']:.0f} MiB (baseline {figures['baseline']:.0f} MiB); stored report "
                f"{figures['record_bytes'] / 1024:.0f} KiB; "
                f"full list {figures['full_list_bytes'] / 1e6:.1f} MB"
            )
            print(f"  counts {figures['counts']}")
            print(f"  first error: {figures['first_error'][:120]}")


if __name__ == "__main__":
    main()
