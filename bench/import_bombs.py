"""
Hostile XLSX imports (issue 15): time and peak Python memory (tracemalloc) of refusing a 0.3 MB file
with one 300,000,000-character cell, a 50 MB cell under the unpacked-size limit, and a sheet of
2,500,000 rows, through `run_import` (what all 12 import endpoints call).

    .venv/bin/python bench/import_bombs.py
"""

import time
import tracemalloc

from _setup import setup_django

setup_django("import_bombs")

from django.utils import translation  # noqa: E402

from accounts.models import User  # noqa: E402
from common.imports import run_import  # noqa: E402
from sites.imports import EquipmentImportSpec  # noqa: E402
from tests.common.xlsx_files import huge_cell_xlsx, many_rows_xlsx  # noqa: E402

user = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("bench", password="x")
header = ["code", "site", "kind"]
files = {
    "300,000,000-character cell": huge_cell_xlsx(header, 300_000_000),
    "50 MB cell (under the unpacked limit)": huge_cell_xlsx(header, 50 * 2**20),
    "60,000 rows (under every size limit)": many_rows_xlsx(header, 60_000),
    "2,500,000 rows (under the 20 MB upload limit)": many_rows_xlsx(header, 2_500_000),
}
translation.activate("en")
run_import(EquipmentImportSpec(user), huge_cell_xlsx(header, 10), "warm-up.xlsx", dry_run=True)
for label, content in files.items():
    tracemalloc.start()
    started = time.perf_counter()
    report = run_import(EquipmentImportSpec(user), content, "bomb.xlsx", dry_run=True)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{label}: {len(content) / 2**20:.1f} MB file, refused in {elapsed:.2f} s, "
        f"peak {peak / 2**20:.1f} MB: {report.file_errors}"
    )
