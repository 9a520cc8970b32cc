"""What rule authors really type: a Chinese keyboard's full-width forms and R's habits.

A Chinese input method types full-width forms of ASCII characters (＋ for +, （ for (, ＞ for >,
，for a comma, ＇ for ', the ideographic space) and other marks for some ASCII keys (“ ” ‘ ’ for
quotes, 《 》 for < >, 。 for a full stop, 、 for a comma). R users write `&`, `|`, `!is.na(x)`,
`NA`, `c(1, 2)`, `x %in% c(...)`. The parser would read all of these as part of a column name or as
something else (`a <- 5` is `a < -5`), so `prepare` settles them before parsing:

- Outside text ('...'), quoted names ("...") and comments, a full-width form (U+FF01 to U+FF5E)
  and the ideographic space are read as their ASCII character: they are the same character in
  another width (Unicode NFKC). Full-width letters and digits are read as ASCII only in a word
  without Chinese characters (ａｂｓ, １００); in 指标１ they are part of a name.
- Never within a column name the rule's sources have (营业收入（万元）, 工业＋建筑). When the columns are
  not known, a full-width bracket pair after a Chinese character (营业收入（万元）) and a full-width
  mark between two Chinese characters are kept as part of a name.
- Marks that are not another width of an ASCII character (“ ” ‘ ’ 「 」 《 》 。 、 【 】 —) are
  refused with the character to type: a quote decides whether what follows is text or a name,
  and neither is guessed.
- R habits are refused with the way the language writes them.

The text returned has one character for each character written, so positions in errors are
positions in the text as written. Refusals raise `Typed` with the offset of the character.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from statguard.expr.messages import say
from statguard.i18n import register

register({
    "expr.kb.quote": {"en": "'{char}' is a Chinese quotation mark: type ' (half-width) around text, as in "
                            "'北京', or \" around a column name",
                      "zh": "「{char}」是中文引号：文字两边请用半角单引号 '，如 '北京'；列名两边请用半角双引号 \""},
    "expr.kb.symbol": {"en": "'{char}' is typed by the Chinese input method for '{ascii}': type {ascii} "
                             "(half-width, with the input method in English mode)",
                       "zh": "「{char}」是中文输入法下的符号：请输入半角的 {ascii}（切换到英文输入状态）"},
    "expr.kb.and": {"en": "'{op}' does not mean 'and' in a rule: write and, as in a > 0 and b > 0",
                    "zh": "规则中「{op}」不表示“并且”：请写 and，如 a > 0 and b > 0"},
    "expr.kb.or": {"en": "'{op}' does not mean 'or' in a rule: write or, as in a > 0 or b > 0",
                   "zh": "规则中「{op}」不表示“或者”：请写 or，如 a > 0 or b > 0"},
    "expr.kb.or_text": {"en": "'||' joins text; for 'either or' write or, as in a > 0 or b > 0",
                        "zh": "「||」用于连接文字；表示“或者”请写 or，如 a > 0 or b > 0"},
    "expr.kb.not": {"en": "'{op}' is written not in a rule, as in not (a > 0); for 'not equal' write != or <>",
                    "zh": "规则中「{op}」请写作 not，如 not (a > 0)；“不等于”请写 != 或 <>"},
    "expr.kb.assign": {"en": "'{op}' is not an assignment in a rule (there is none); for 'less than minus' "
                             "write a space: a < -5",
                       "zh": "规则中没有赋值，「{op}」不表示赋值；如要表示“小于负数”，请加空格：a < -5"},
    "expr.kb.in": {"en": "'{op}' is written in with a list in parentheses: x in (1, 2)",
                   "zh": "「{op}」请写作 in 加括号中的列表：x in (1, 2)"},
    "expr.kb.mod": {"en": "'{op}': the remainder is written %, as in x % 2 = 0",
                    "zh": "「{op}」：求余数请写 %，如 x % 2 = 0"},
    "expr.kb.na": {"en": "'{op}': a missing value is written null: x is null, x is not null",
                   "zh": "「{op}」：缺失值请写 null，如 x is null、x is not null"},
    "expr.kb.isna": {"en": "'{op}' is written {arg} is null", "zh": "「{op}」请写作 {arg} is null"},
    "expr.kb.notisna": {"en": "'{op}' is written {arg} is not null", "zh": "「{op}」请写作 {arg} is not null"},
    "expr.kb.math": {"en": "'{char}' is written {ascii} in a rule (half-width)",
                     "zh": "规则中「{char}」请写作半角的 {ascii}"},
    "expr.kb.c": {"en": "'{op}': a list is written in parentheses without c, as in x in (1, 2)",
                  "zh": "「{op}」：列表请直接写在括号中，不加 c，如 x in (1, 2)"},
    "expr.kb.ifelse": {"en": "'{op}' is written if(condition, a, b) or CASE WHEN condition THEN a ELSE b END",
                       "zh": "「{op}」请写作 if(条件, a, b) 或 CASE WHEN 条件 THEN a ELSE b END"},
    "expr.kb.nrow": {"en": "'{op}': records are counted with count(), in an aggregate rule (count() >= 10)",
                     "zh": "「{op}」：记录条数请用 count()，写在 aggregate 规则中（如 count() >= 10）"},
})


class Typed(ValueError):
    """A character or habit the language does not read, at `offset` of the text."""

    def __init__(self, offset: int, message: str):
        super().__init__(message)
        self.offset, self.message = offset, message


# marks an input method types for an ASCII key that are not another width of it -> what to type
_QUOTES = "“”‘’「」『』"
_MARKS = {"《": "<", "》": ">", "。": ".", "、": ",", "【": "[", "】": "]", "—": "-", "～": "~", "·": "`",
          "…": "^", "￥": "$"}
# mathematical signs a Chinese keyboard offers (soft keyboard, 符号大全) -> how the language writes them
_MATH = {"≥": ">=", "≧": ">=", "≤": "<=", "≦": "<=", "≠": "!=", "×": "*", "÷": "/"}
_R_CALLS = {"c": "expr.kb.c", "ifelse": "expr.kb.ifelse", "if_else": "expr.kb.ifelse", "nrow": "expr.kb.nrow",
            "ncol": "expr.kb.nrow"}


def _wide(c: str) -> bool:
    return "\uff01" <= c <= "\uff5e" or c == "\u3000"


def _ascii(c: str) -> str:
    return unicodedata.normalize("NFKC", c) if _wide(c) else c


def _cjk(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or "\U00020000" <= c <= "\U0003134f"


def _word_char(c: str) -> bool:
    """A character the parser takes into a bare name (any non-ASCII one except spaces)."""
    return c.isalnum() or c == "_" or (ord(c) > 127 and not c.isspace() and c != "\u3000")


def prepare(text: str, names: Collection[str] | None = None) -> str:
    """`text` as the parser should read it (same length), or Typed for what must be retyped.

    `names`: the column names the rule's sources have (None when not known)."""
    quotes: list[int] = []
    code = _code_mask(text, quotes)
    kept = _protected(text, code, names)
    out = list(text)
    for i in quotes:  # ＇北京＇ is '北京'
        out[i] = _ascii(text[i])
    for i, c in enumerate(text):
        if not code[i] or kept[i]:
            continue
        if c in _QUOTES:
            raise Typed(i, say("expr.kb.quote", char=c))
        if c in _MARKS:
            raise Typed(i, say("expr.kb.symbol", char=c, ascii=_MARKS[c]))
        if c in _MATH and not _wide(c):
            raise Typed(i, say("expr.kb.math", char=c, ascii=_MATH[c]))
        if _wide(c) and not _ascii(c).isalnum():
            out[i] = _ascii(c)
    _letters_and_digits(text, out, code, kept, names)
    prepared = "".join(out)
    _r_habits(text, prepared, code, kept, names)
    return prepared


def _code_mask(text: str, quotes: list[int]) -> list[bool]:
    """For each character, whether it is code (not inside text, a quoted name or a comment);
    the offsets of the full-width quotes that open and close text or names are added to `quotes`."""
    code = [True] * len(text)
    i = 0
    while i < len(text):
        plain = _ascii(text[i])
        if plain in "'\"":
            end = _closing(text, i, plain)
            quotes.extend(k for k in (i, end - 1) if _wide(text[k]))
            code[i:end] = [False] * (end - i)
            i = end
        elif text.startswith("--", i):
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            code[i:end] = [False] * (end - i)
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise Typed(i, say("expr.parse", why=say("expr.p.unclosed_comment")))
            code[i:end + 2] = [False] * (end + 2 - i)
            i = end + 2
        else:
            i += 1
    return code


def _closing(text: str, start: int, quote: str) -> int:
    """The offset after the text or quoted name opened at `start` (a doubled quote is one quote in it).
    Opened with a full-width quote, it closes with either width."""
    ends = {quote, text[start]}
    i = start + 1
    while i < len(text):
        if text[i] in ends:
            if i + 1 < len(text) and text[i + 1] in ends:
                i += 2
                continue
            return i + 1
        i += 1
    key = "expr.p.unclosed_text" if quote == "'" else "expr.p.unclosed_name"
    raise Typed(start, say("expr.parse", why=say(key, quote=text[start])))


def _words(text: str, code: list[bool]) -> list[tuple[int, int]]:
    spans, i = [], 0
    while i < len(text):
        if code[i] and _word_char(text[i]):
            j = i
            while j < len(text) and code[j] and _word_char(text[j]):
                j += 1
            spans.append((i, j))
            i = j
        else:
            i += 1
    return spans


def _alterable(c: str) -> bool:
    return _wide(c) or c in _MARKS or c in _QUOTES


def _protected(text: str, code: list[bool], names: Collection[str] | None) -> list[bool]:
    """Characters that belong to a column name as written and are left alone."""
    kept = [False] * len(text)
    if names is not None:
        special = sorted((n for n in names if any(_alterable(c) for c in n)), key=len, reverse=True)
        if not special:
            return kept
        for start, end in _words(text, code):
            at = start
            while at < end:
                found = next((n for n in special if text.startswith(n, at) and (
                    at + len(n) == end or _alterable(text[at + len(n)]))), None)
                if found:
                    kept[at:at + len(found)] = [True] * len(found)
                    at += len(found)
                else:
                    at += 1
        return kept
    for start, end in _words(text, code):  # columns not known: what reads as a Chinese name
        word = text[start:end]
        for m in re.finditer(r"（[^（）()]*）", word):
            if m.start() > 0 and _cjk(word[m.start() - 1]):
                kept[start + m.start():start + m.end()] = [True] * (m.end() - m.start())
        for k in range(1, len(word) - 1):
            if _alterable(word[k]) and word[k] not in _QUOTES and _cjk(word[k - 1]) and _cjk(word[k + 1]):
                kept[start + k] = True
    return kept


def _letters_and_digits(text: str, out: list[str], code: list[bool], kept: list[bool],
                        names: Collection[str] | None) -> None:
    """Full-width letters and digits as ASCII, in a run of letters and digits with no Chinese."""
    i = 0
    while i < len(text):
        if not (code[i] and not kept[i] and (text[i].isalnum() or text[i] == "_")):
            i += 1
            continue
        j = i
        while j < len(text) and code[j] and not kept[j] and (text[j].isalnum() or text[j] == "_"):
            j += 1
        run = text[i:j]
        if any(_wide(c) for c in run) and all(c.isascii() or _wide(c) for c in run) and run not in (names or ()):
            out[i:j] = [_ascii(c) for c in run]
        i = j


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def _r_habits(text: str, prepared: str, code: list[bool], kept: list[bool],
              names: Collection[str] | None) -> None:
    for i, c in enumerate(prepared):
        if not code[i] or kept[i]:
            continue
        two = prepared[i:i + 2]
        if prepared[i:i + 7].lower() == "!is.na(":
            op, arg = _call(text, prepared, i, i + 7)
            raise Typed(i, say("expr.kb.notisna", op=op, arg=arg))
        if c == "!" and two not in ("!=", "!~"):
            raise Typed(i, say("expr.kb.not", op=text[i]))
        if c == "&":
            raise Typed(i, say("expr.kb.and", op=text[i:i + 2] if two == "&&" else text[i]))
        if c == "|" and two != "||" and (i == 0 or prepared[i - 1] != "|"):
            raise Typed(i, say("expr.kb.or", op=text[i]))
        if two == "||" and _compares_on_both_sides(prepared, code, i):
            raise Typed(i, say("expr.kb.or_text"))
        if two == "<-":
            raise Typed(i, say("expr.kb.assign", op=text[i:i + 2]))
        if prepared[i:i + 4].lower() == "%in%":
            raise Typed(i, say("expr.kb.in", op=text[i:i + 4]))
        if two == "%%":
            raise Typed(i, say("expr.kb.mod", op=text[i:i + 2]))
        if (i == 0 or not _word_char(prepared[i - 1])) and (m := _WORD.match(prepared, i)):
            _r_word(text, prepared, i, m.group(0), names)


_COMPARISON = re.compile(r"[<>=]|!=")


def _compares_on_both_sides(prepared: str, code: list[bool], at: int) -> bool:
    """`a > 0 || b > 0`: R's 'or', where '||' would join text (`a || b = 'xy'` compares on one side only)."""
    def side(step: int) -> str:
        depth, i, seen = 0, at + (2 if step > 0 else -1), []
        while 0 <= i < len(prepared):
            c = prepared[i]
            if code[i] and c in "()":
                depth += 1 if (c == "(") == (step < 0) else -1
                if depth > 0:
                    break
            if code[i]:
                seen.append(c)
            i += step
        return "".join(seen if step > 0 else reversed(seen))
    return bool(_COMPARISON.search(side(-1)) and _COMPARISON.search(side(1)))


def _r_word(text: str, prepared: str, i: int, word: str, names: Collection[str] | None) -> None:
    end = i + len(word)
    if end < len(prepared) and _word_char(prepared[end]):
        return  # part of a longer (Chinese) name
    called = prepared[end:].lstrip().startswith("(")
    if word.lower() == "is.na" and called:
        op, arg = _call(text, prepared, i, prepared.index("(", end) + 1)
        raise Typed(i, say("expr.kb.isna", op=op, arg=arg))
    if word == "NA" and not called and "NA" not in (names or ()):
        raise Typed(i, say("expr.kb.na", op=text[i:end]))
    if called and word.lower() in _R_CALLS:
        raise Typed(i, say(_R_CALLS[word.lower()], op=text[i:end] + "(...)"))


def _call(text: str, prepared: str, start: int, args: int) -> tuple[str, str]:
    """(the call as written, its argument) of a call at `start` whose arguments begin at `args`."""
    close = prepared.find(")", args)
    close = len(text) if close < 0 else close
    return text[start:close + 1], text[args:close].strip() or "x"
