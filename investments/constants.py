"""Names shared by the investments app's services and its site page section."""

# The site page section with a site's planned lines; services that change what it shows tell the
# open site pages with sites.live.site_section_changed(section=SITE_SECTION).
SITE_SECTION = "investments.lines"

# Equipment kinds that the cameras app keeps as cameras of a type: a standard kit's 360° cameras are
# the cameras app's fisheye cameras, so those in service at a site count against the kit, and the
# kit's cameras fill the site's coverage gaps of that type (each need is bought once).
EQUIPMENT_CAMERA_TYPES = {"camera_360": "fisheye_360"}
