"""Telling Japanese from English by script (services/community/language.py)."""
import pytest

from forum.services.community.language import detect_language, normalise


@pytest.mark.parametrize("title, body", [
    ("Windowsアプリで同期ができない", "Visual Studio Code の拡張機能 (Microsoft Sync Toolkit) が動かないです。"),
    ("同期エラー", "次のコードで失敗します。\n\n```python\nimport kotae_sync\nclient = kotae_sync.Client(url)\n"
                   "client.synchronise(everything=True, retries=3)\n```\n\n`SyncError: timeout` と出ます。"),
    ("iPhoneでログインできません", "https://example.com/very/long/english/path/to/the/login/page を開いても駄目です。"),
])
def test_japanese_with_english_product_names_and_code_is_japanese(title, body):
    assert detect_language(title, body) == "ja"


@pytest.mark.parametrize("title, body", [
    ("Sync fails after the update", "I asked 田中さん from the Tokyo office, but nobody knows why it stops."),
    ("Printing receipts", "The shop in 東京 cannot print receipts since Monday morning."),
    ("Ça ne marche pas", "La synchronisation échoue depuis hier."),  # other languages count as English
])
def test_english_with_a_japanese_name_is_english(title, body):
    assert detect_language(title, body) == "en"


def test_a_code_only_body_follows_the_title_or_the_default():
    code = "```\nSELECT * FROM sync WHERE id = 1;\n```\n\n    indented code too"
    assert detect_language("同期が止まる", code) == "ja"
    assert detect_language("Sync stops", code) == "en"
    assert detect_language("", code, default="ja") == "ja"
    assert detect_language("1234", code) == "en"


def test_codes_are_normalised():
    assert [normalise(c) for c in ("ja", "EN", "ja_JP", "en-US", "all", "", None, "fr")] == \
        ["ja", "en", "ja", "en", None, None, None, None]
