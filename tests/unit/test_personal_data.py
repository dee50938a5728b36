"""The personal-data detector: realistic Japanese and English posts, and what must not be mistaken for it."""
import pytest

from forum.services.moderation.personal_data import (
    find_personal_data, luhn_ok, mask, my_number_ok, redact_spans,
)


def kinds(text):
    return [(f.kind, f.text) for f in find_personal_data(text)]


@pytest.mark.parametrize("text, expected", [
    ("ログインできません。折り返し090-1234-5678までお電話ください。", ("phone", "090-1234-5678")),
    ("連絡先は０９０－１２３４－５６７８です", ("phone", "０９０－１２３４－５６７８")),
    ("携帯：０８０ー９８７６ー５４３２（日中）", ("phone", "０８０ー９８７６ー５４３２")),
    ("会社の代表番号 03-1234-5678 にかけても繋がりません", ("phone", "03-1234-5678")),
    ("電話は(06) 1234-5678 です", ("phone", "(06) 1234-5678")),
    ("サポート窓口 0120-123-456 は平日のみ", ("phone", "0120-123-456")),
    ("番号は09012345678です", ("phone", "09012345678")),
    ("Call me on +81 90-1234-5678 after 6pm.", ("phone", "+81 90-1234-5678")),
    ("My number is +1 (555) 123-4567, thanks", ("phone", "+1 (555) 123-4567")),
    ("UK office: +44 20 7946 0958.", ("phone", "+44 20 7946 0958")),
    ("Reach me at taro.yamada+kotae@example.co.jp if you need logs.", ("email", "taro.yamada+kotae@example.co.jp")),
    ("メールはｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍまで", ("email", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ")),
    ("送付先：〒150-0001 東京都渋谷区神宮前1-2-3", ("postal", "〒150-0001")),
    ("〒１５０－０００１　東京都渋谷区", ("postal", "〒１５０－０００１")),
    ("住所は530-0001 大阪府大阪市北区梅田です", ("postal", "530-0001")),
    ("123-4567 横浜市中区 に住んでいます", ("postal", "123-4567")),
    ("I paid with 4111 1111 1111 1111 and was charged twice", ("card", "4111 1111 1111 1111")),
    ("カード番号5555-5555-5555-4444で決済しました", ("card", "5555-5555-5555-4444")),
    ("Amex 3782 822463 10005 fails", ("card", "3782 822463 10005")),
    ("JCB 3530111333300000 が使えない", ("card", "3530111333300000")),
    ("マイナンバーは123456789018です", ("my_number", "123456789018")),
    ("個人番号 1234 5678 9018 を入力するとエラー", ("my_number", "1234 5678 9018")),
])
def test_finds_personal_data(text, expected):
    assert kinds(text) == [expected]


@pytest.mark.parametrize("text", [
    "Upgrading from 1.2.3 to 1.10.0 broke the build.",
    "Windows 10 version v10.0.19041 shows error E1023.",
    "注文番号 ORD-2024-000123 の配送状況を教えてください",
    "Order #100234567890 has not arrived",  # 12 digits, wrong My Number check digit
    "The server at 192.168.100.200 and 10.0.0.1 refuses connections",
    "It happened on 2024-01-15 and again on 2024/02/03 at 09:30:15.",
    "commit 4f1c0e2a9b7d3e5f0a1b2c3d4e5f60718293a4b5 introduced it",
    "docker image sha256:0901234567890123456789012345678901234567890123456789012345678901",
    "郵便番号だけ 1234567 と書いても住所ではありません",
    "Error 0x80070005 when installing KB5034441",
    "Build 22631.3007 / ビルド 22631.3007",
    "The card 4111 1111 1111 1112 was declined",  # fails Luhn
    "個人番号 1234 5678 9012 は例です",  # wrong check digit
    "price went from 1,234,567 yen to 2,345,678 yen",
    "UUID 123e4567-e89b-12d3-a456-426614174000 is missing",
    "See page 090-1234 in the manual",  # too few digits for a phone
    "Timestamp 1700000000123 in the log",  # 13 digits, not a card prefix that passes
])
def test_no_false_positives(text):
    assert kinds(text) == []


def test_code_and_urls_are_not_searched():
    text = ("Here is my config:\n```\nSUPPORT_PHONE=090-1234-5678\nADMIN=root@example.com\n```\n"
            "and `tel:03-1234-5678` in the template, see https://example.com/users/taro@example.com/090-1234-5678 "
            "or www.example.jp/0312345678.")
    assert find_personal_data(text) == []


def test_text_after_code_is_still_searched():
    text = "```python\nprint('090-1234-5678')\n```\n本当の番号は080-1111-2222です"
    assert kinds(text) == [("phone", "080-1111-2222")]


def test_spans_are_in_the_original_text():
    text = "ＡＢＣ連絡先：０９０－１２３４－５６７８、mail ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ"
    findings = find_personal_data(text)
    assert [f.kind for f in findings] == ["phone", "email"]
    for f in findings:
        assert text[f.start:f.end] == f.text


def test_several_findings_in_order():
    text = ("Hi, I'm Taro (taro@example.com, 090-1234-5678). Ship to 〒100-0001 東京都千代田区. "
            "Card 4111111111111111.")
    assert [f.kind for f in find_personal_data(text)] == ["email", "phone", "postal", "card"]


def test_masked_values():
    assert mask("phone", "090-1234-5678") == "090-****-5678"
    assert mask("phone", "03-1234-5678") == "03-****-5678"
    assert mask("email", "taro.yamada@example.co.jp") == "t***@example.co.jp"
    assert mask("card", "4111 1111 1111 1111") == "**** **** **** 1111"
    assert mask("my_number", "123456789018") == "********9018"
    assert mask("postal", "〒150-0001") == "〒150-****"


def test_redact_spans():
    text = "call 090-1234-5678 or mail a@example.com now"
    assert redact_spans(text, find_personal_data(text)) == "call [redacted] or mail [redacted] now"


def test_check_digits():
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert my_number_ok("123456789018") and not my_number_ok("123456789012")
    assert not my_number_ok("12345678901")


def test_empty():
    assert find_personal_data("") == []
