"""Reading parts of rendered pages in tests: one home panel, one site-page section."""

import re


def panel_html(html: str, key: str) -> str:
    """The HTML of the home panel `key` (fails the test when the panel is not on the page)."""
    match = re.search(rf'data-panel="{re.escape(key)}".*?</section>', html, re.S)
    assert match, f"panel {key} not on the page"
    return match.group(0)


def section_html(html: str, key: str) -> str:
    """The HTML of the site-page section `key` (fails the test when the section is not on the page)."""
    match = re.search(rf'data-section="{re.escape(key)}".*?</section>', html, re.S)
    assert match, f"section {key} not on the page"
    return match.group(0)
