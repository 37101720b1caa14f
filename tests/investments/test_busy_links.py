"""The plan's files and its generation from the gap carry the busy state (issue 14, static/common/busy.js)."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_plans_files_show_a_busy_state_in_vietnamese(client, inv_demo, finance, settings):
    settings.LANGUAGE_CODE = "vi"
    client.force_login(finance)
    page = client.get(inv_demo.get_absolute_url()).content.decode()
    marked = dict(re.findall(r'href="([^"]+/export/[^"]+)" data-busy="([^"]+)"', page))
    base = f"/investments/plans/{inv_demo.pk}/export/"
    assert marked == {
        f"{base}estimate.xlsx": "Đang chuẩn bị tệp XLSX…",
        f"{base}estimate.pdf": "Đang chuẩn bị tệp PDF…",
        f"{base}roadmap.xlsx": "Đang chuẩn bị tệp XLSX…",
        f"{base}roadmap.pdf": "Đang chuẩn bị tệp PDF…",
    }
    generate = client.get(f"/investments/plans/{inv_demo.pk}/generate/").content.decode()
    assert re.search(r'<button[^>]*type="submit"[^>]*data-busy="Đang lập các dòng kế hoạch…"', generate)
