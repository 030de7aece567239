"""Normalising and tokenising text the way the lexicon and the scanner read it.

Every script the bot understands is read here.  ``normalise`` folds what people
type interchangeably: case, Latin and Cyrillic accents ("música" = "musica",
"ё" = "е"), Turkish dotted and dotless i, Polish "ł", Vietnamese "đ", the Arabic and
Persian letter variants (ي/ی, ك/ک, أ/إ/آ/ا, ة/ه), Arabic vowel marks, the Devanagari
nukta, full-width forms and Traditional Chinese characters (to their Simplified
form, so a phrase listed once matches both).  ``tokenize`` splits per script:
words for the scripts written with spaces, and one token per run of Chinese or
Japanese characters (the scanner cuts those runs into lexicon words).
"""

from __future__ import annotations

import re
import unicodedata

# Letters that do not decompose into base + accent, and the Arabic-script variants
# people use interchangeably (Arabic and Persian keyboards differ in ye and kaf).
_LETTERS = str.maketrans({
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
    "ı": "i", "ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "أ": "ا",
    "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ـ": None, "\u200c": None, "\u200d": None,
    "ँ": "ं",  # chandrabindu and anusvara are typed for one another
    # punctuation of other scripts: clause breaks like their ASCII twins
    "،": ",", "؛": ";", "؟": "?", "۔": ".", "।": ".", "॥": ".", "。": ".", "、": ",",
    "「": " ", "」": " ", "『": " ", "』": " ", "・": " ", "〜": " ",
    **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
    **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
    **{chr(0x0966 + d): str(d) for d in range(10)},  # Devanagari digits
})  # fmt: skip

# Traditional Chinese characters of the vocabulary's words, to their Simplified form:
# a request in either script then reads the same ("華語" = "华语", "音樂" = "音乐").
_TRADITIONAL = (
    "樂乐華华語语學学習习輕轻聽听適适專专輯辑單单懷怀舊旧傷伤靜静鬆松動动運运覺觉開开車车"
    "讀读書书夢梦戀恋愛爱電电經经鋼钢會会點点氣气預预報报譜谱飯饭題题匯汇寫写譯译聞闻時时"
    "間间鐘钟麼么嗎吗數数溫温熱热鬧闹憂忧鬱郁悶闷歡欢奮奋鍛锻煉炼練练騎骑們们這这個个給给"
    "為为幫帮請请與与歲岁來来說说話话詞词頻频視视類类風风搖摇滾滚藍蓝調调爵爵饒饶節节慶庆"
    "聖圣誕诞婚婚禮礼兒儿隊队團团獨独衆众眾众燈灯劇剧漫漫遊游戲戏館馆廳厅廣广場场邊边"
    "線线際际衛卫體体健健廚厨菜菜烹烹飪饪鐵铁站站機机飛飞票票價价幣币銀银貨货學学業业"
    "課课試试題题數数語语譯译長长號号碼码網网絡络臺台灣湾鄉乡親亲輕轻憶忆懷怀爾尔蘭兰"
    "東东龍龙鳳凤紅红黃黄綠绿傳传統统復复興兴閒闲靈灵魂魂療疗癒愈驅驱嚴严肅肃悲悲"
    "歷历史史氣气溫温濕湿颱台颶飓陽阳陰阴雲云雪雪準准備备錢钱換换賬账帳账計计劃划隨随"
)
_TRADITIONAL_MAP = str.maketrans(dict(zip(_TRADITIONAL[::2], _TRADITIONAL[1::2], strict=True)))

_NUKTA = "\u093c"


def _drops_mark(mark: str, base: str) -> bool:
    """Whether a combining ``mark`` on ``base`` is an accent people leave out.

    Accents on Latin, Greek and Cyrillic letters and Arabic vowel marks go; the marks
    that spell Devanagari vowels, Japanese voicing and the like stay (they are letters).
    """
    if mark == _NUKTA:
        return True
    code = ord(base)
    return code < 0x0530 or 0x1E00 <= code < 0x2000 or 0x0600 <= code < 0x0700


def _fold_marks(text: str) -> str:
    out: list[str] = []
    base = " "
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.category(ch) == "Mn":
            if _drops_mark(ch, base):
                continue
        else:
            base = ch
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def normalise(text: str) -> str:
    """Lower-case, accent-free, apostrophe-free text ("Forró 80's" -> "forro 80s").

    Other scripts are folded the way their writers type interchangeably (see the
    module docstring); meaning-bearing marks (Devanagari vowels, kana voicing) stay.
    """
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        text = _fold_marks(text.lower().translate(_LETTERS)).translate(_TRADITIONAL_MAP)
    else:
        text = text.lower()
    text = text.replace("’", "'").replace("‘", "'")
    # "rock & roll", "drum & bass": a spaced ampersand is the word "and"; "r&b" stays one token
    text = re.sub(r"\s&\s", " and ", text)
    return text.replace("'", "")


# Characters of each script; a token never mixes two of these classes.
CJK_CHARS = "\u3040-\u30fa\u30fc-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HANGUL = "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
_DEVANAGARI = "\u0900-\u0963\u0966-\u097f\ua8e0-\ua8ff"
_ARABIC = "\u0621-\u065f\u066e-\u06d3\u06d5-\u06ff\u0750-\u077f\u08a0-\u08ff"
_LATIN = "a-z0-9\u00c0-\u024f\u0370-\u03ff\u0400-\u052f"
_TOKEN = re.compile(
    rf"[{CJK_CHARS}]+|[{_HANGUL}]+|[{_DEVANAGARI}]+|[{_ARABIC}]+"
    rf"|[{_LATIN}]+(?:[&+][{_LATIN}]+)*|[^\W_]+"
)
_CJK_RUN = re.compile(rf"[{CJK_CHARS}]+")


def is_cjk(token: str) -> bool:
    """Whether a token is a run of Chinese or Japanese characters (written without spaces)."""
    return bool(_CJK_RUN.fullmatch(token))


def is_hangul(token: str) -> bool:
    """Whether a token is written in Hangul (Korean)."""
    return bool(re.fullmatch(rf"[{_HANGUL}]+", token))


def is_arabic_script(token: str) -> bool:
    """Whether a token is written in Arabic script (Arabic, Persian)."""
    return bool(re.fullmatch(rf"[{_ARABIC}]+", token))


def tokenize(text: str) -> list[str]:
    """Words of a text, normalised; hyphens split ("lo-fi" -> ["lo", "fi"]).

    A run of Chinese or Japanese characters is one token here; ``scanner`` cuts it
    into the lexicon's words.
    """
    return _TOKEN.findall(normalise(text))


# Between clauses: no phrase spans it and no negation reaches past it ("no sad songs, happy").
CLAUSE_BREAK = "|"
_CLAUSE_SPLIT = re.compile(r"[,.;:!?()\[\]\n]+")


def clause_tokens(text: str) -> list[str]:
    """``tokenize`` with a ``CLAUSE_BREAK`` token where punctuation splits clauses.

    ``scanner.read_tokens`` cuts these further (Chinese and Japanese runs) into the
    tokens ``scan`` indexes its matches into.
    """
    out: list[str] = []
    for clause in _CLAUSE_SPLIT.split(normalise(text)):
        words = _TOKEN.findall(clause)
        if words:
            if out:
                out.append(CLAUSE_BREAK)
            out.extend(words)
    return out


def phrase_key(phrase: str) -> tuple[str, ...]:
    """The lexicon key of a phrase: its tokens ("Hip-Hop" -> ("hip", "hop"))."""
    return tuple(tokenize(phrase))
