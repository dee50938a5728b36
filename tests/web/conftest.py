"""Web tests build a fresh app per test; share compiled templates between them so each page is compiled once."""
import pytest
from jinja2 import BytecodeCache



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
