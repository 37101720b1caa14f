"""
A static files finder for single files that live outside the project, e.g. Debian's janus.js and
adapter.js (`settings.STATIC_EXTRA_FILES`: {"url path": "/absolute/file"}).

Pointing STATICFILES_DIRS at the whole of /usr/share/javascript would also collect every other Debian
JavaScript package on the machine; some ship minified files whose source map is missing, and the
manifest storage then refuses to collect anything (every page answers 500 without the manifest).
"""

from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Warning
from django.core.files.storage import FileSystemStorage


class ExtraFilesFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        self.files: dict[str, Path] = {
            str(PurePosixPath(url)): Path(source) for url, source in getattr(settings, "STATIC_EXTRA_FILES", {}).items()
        }
        super().__init__(*args, **kwargs)

    def check(self, **kwargs):
        return [
            Warning(
                f"Static file {url!r} is missing: {source} does not exist.",
                hint="Install the Debian package that ships it (scripts/install.sh).",
                id="common.W001",
            )
            for url, source in self.files.items()
            if not source.is_file()
        ]

    def find(self, path, find_all=False, **kwargs):
        source = self.files.get(path)
        found = str(source) if source is not None and source.is_file() else None
        if find_all:
            return [found] if found else []
        return found

    def list(self, ignore_patterns):
        for url, source in self.files.items():
            if not source.is_file():
                continue
            storage = FileSystemStorage(location=str(source.parent))
            storage.prefix = str(PurePosixPath(url).parent)
            yield source.name, storage
