"""One glossary for what visitors read: the banner texts, the notice page and the console
use the same two words, each explained in plain language (issue 11 gap 7).

- 送信先 (recipient): whoever the visitor's browser sends information to through a tag
  (the Telecommunications Business Act's 外部送信).
- 提供先 (recipient of a provision): a 送信先 that combines what it receives with what it
  already knows about the visitor, such as a member's name or e-mail address (APPI
  Art. 31). Visitors are told this in those words, not as 「個人データ」「紐付け」.
"""

from __future__ import annotations

#: The terms and their plain explanations: key -> {lang: (term, explanation)}.
TERMS: dict[str, dict[str, tuple[str, str]]] = {
    "sent_to": {
        "ja": (
            "送信先",
            "当サイトのページを見たときに、あなたのブラウザから情報が送られる事業者です。",
        ),
        "en": (
            "Recipient",
            "A company your browser sends information to while you view this site.",
        ),
    },
    "provided_to": {
        "ja": (
            "提供先",
            "送信先のうち、受け取った情報を、その事業者がすでに持っているあなたの情報（会員の"
            "氏名やメールアドレスなど、あなたが誰かわかる情報）と結び付けて使う事業者です。"
            "当サイトは、あなたが同意した場合にだけ情報を渡します。",
        ),
        "en": (
            "Recipient that combines data",
            "A recipient that combines what it receives with what it already knows about you"
            " (such as your name or e-mail address as its member). We pass information to it"
            " only if you agree.",
        ),
    },
}
#: Words of the law that visitors are not expected to follow; the plain words above
#: replace them in what the banner and the notice page say.
JARGON = ("個人データ", "紐付け", "紐づけ", "個人関連情報", "第三者提供")


def term(key: str, lang: str) -> str:
    """Return the term ``key`` in ``lang`` (Japanese when the language is unknown)."""
    return TERMS[key].get(lang, TERMS[key]["ja"])[0]


def entries(lang: str) -> list[tuple[str, str]]:
    """Return ``(term, explanation)`` pairs for a page's glossary."""
    return [values.get(lang, values["ja"]) for values in TERMS.values()]
