"""Every user-facing string ships in Japanese, with the same placeholders."""
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
JA_CATALOG = ROOT / "forum" / "translations" / "ja" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def extracted_messages(tmp_path) -> set[str]:
    """What `make extract-messages` finds (`--ignore-dirs` so templates/_macros and _partials count)."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l",
         "-k", "lazy_gettext", "--no-location", "--ignore-dirs", ".*", "-o", str(pot), str(ROOT)],
        check=True, cwd=ROOT, capture_output=True,
    )
    with pot.open("rb") as handle:
        return {_key(message.id) for message in read_po(handle) if message.id}


def _key(message_id) -> str:
    return message_id[0] if isinstance(message_id, tuple) else message_id


def japanese_catalog():
    with JA_CATALOG.open("rb") as handle:
        return read_po(handle)


def test_every_extracted_string_has_a_japanese_translation(tmp_path):
    catalog = japanese_catalog()
    translated = {_key(m.id) for m in catalog if m.id and m.string and all(m.string if isinstance(m.string, tuple)
                                                                              else [m.string])}
    missing = sorted(extracted_messages(tmp_path) - translated)
    assert not missing, f"untranslated (run `make extract-messages` and translate): {missing[:20]}"


def test_translations_keep_their_placeholders():
    for message in japanese_catalog():
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for translated in strings:
            assert set(PLACEHOLDER.findall(translated)) <= wanted | set(PLACEHOLDER.findall(ids[0])), message.id
            # Babel formats with the msgid's names: a placeholder the source lacks would raise at render time.
