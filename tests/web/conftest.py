"""Web tests build a fresh app per test; share compiled templates between them so each page is compiled once."""
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import BytecodeCache

from forum.i18n import TRANSLATIONS


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs():
    """`make test` compiles the catalogs; compile here too (when stale) so a bare `pytest` serves Japanese."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)


class _MemoryBytecodeCache(BytecodeCache):
    """Jinja checks each template's source checksum, so an edited template is still recompiled."""

    def __init__(self):
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self._store:
            bucket.bytecode_from_string(self._store[bucket.key])

    def dump_bytecode(self, bucket):
        self._store[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _MemoryBytecodeCache()


@pytest.fixture
def served_app(served_app):
    served_app.jinja_env.bytecode_cache = _TEMPLATES
    return served_app
