"""
Import of a 10,000-row equipment XLSX with validation (dry run and real), against the time to only
read the same file with openpyxl, measured in the same run.

    .venv/bin/python bench/sites_import_xlsx.py
"""

import io
import time

from _setup import setup_django

setup_django("import")

from openpyxl import Workbook, load_workbook  # noqa: E402

from accounts.models import User  # noqa: E402
from common.imports import run_import  # noqa: E402
from sites import demo  # noqa: E402
from sites.imports import EquipmentImportSpec  # noqa: E402
from sites.models import Equipment, Site  # noqa: E402

demo.load()
codes = list(Site.objects.filter(code__startswith="ubnd-").values_list("code", flat=True))
book = Workbook()
sheet = book.active
sheet.append(
    ["code", "site", "kind", "model", "serial", "status", "purchase_date", "cost_vnd", "warranty_end", "is_reusable"]
)
for i in range(10_000):
    sheet.append(
        [
            f"imp-{i}",
            codes[i % len(codes)],
            "display",
            "Samsung 65",
            f"IMP{i:06d}",
            "working",
            "2024-05-01",
            24_900_000,
            "2027-05-01",
            "true",
        ]
    )
buffer = io.BytesIO()
book.save(buffer)
content = buffer.getvalue()

started = time.perf_counter()
rows = sum(1 for _ in load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))
read_only = time.perf_counter() - started
user = User.objects.create_superuser("bench", password="x")

started = time.perf_counter()
dry = run_import(EquipmentImportSpec(user), content, "equipment.xlsx", dry_run=True)
dry_time = time.perf_counter() - started
started = time.perf_counter()
real = run_import(EquipmentImportSpec(user), content, "equipment.xlsx", dry_run=False)
real_time = time.perf_counter() - started
assert dry.ok and real.written and Equipment.objects.filter(code__startswith="imp-").count() == 10_000
print(f"rows: {rows - 1}; openpyxl read only: {read_only:.2f} s")
print(f"dry run (validate, roll back): {dry_time:.2f} s ({dry_time / read_only:.1f}x read)")
print(f"import (validate + write + history): {real_time:.2f} s ({real_time / read_only:.1f}x read)")
