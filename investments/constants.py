"""Names shared by the investments app's services and its site page section."""

# The site page section with a site's planned lines; services that change what it shows tell the
# open site pages with sites.live.site_section_changed(section=SITE_SECTION).
SITE_SECTION = "investments.lines"
