"""PyYAML's syntax errors in the author's words: what the parser says, in the user's language, with
what usually causes it.

PyYAML (and libyaml) describe a syntax error in English parser terms ("while parsing a block
mapping did not find expected key"). An author needs the usual cause: inconsistent indentation,
a tab, an unclosed quote or bracket, a value with ': ' in it, or a key typed with the Chinese
input method's full-width colon ('：'), which YAML reads as part of the key and then trips over
later. The cause replaces the parser's words, in the user's language; a problem without a known
cause keeps them. A full-width colon after a key on the lines up to the error is named at its own
line and column, since that is where the author must type again.
"""

from __future__ import annotations

import re

from statguard.i18n import register, say

# the parser's problem (first words) -> catalogue key of its usual cause
_CAUSES = [
    ("mapping values are not allowed", "yaml.cause.mapping_values"),
    ("found character that cannot start any token", "yaml.cause.bad_start"),
    ("found a tab", "yaml.cause.tab"),
    ("did not find expected key", "yaml.cause.indent"),
    ("did not find expected '-' indicator", "yaml.cause.indent"),
    ("expected <block end>", "yaml.cause.indent"),
    ("could not find expected ':'", "yaml.cause.no_colon"),
    ("found unexpected end of stream", "yaml.cause.unclosed_quote"),
    ("did not find expected ',' or ']'", "yaml.cause.unclosed_list"),
    ("did not find expected ',' or '}'", "yaml.cause.unclosed_map"),
    ("found undefined alias", "yaml.cause.alias"),
    ("found unknown escape character", "yaml.cause.escape"),
    ("could not determine a constructor", "yaml.cause.tag"),
    ("did not find expected node content", "yaml.cause.no_value"),
    ("expected a single document", "yaml.cause.documents"),
]

register({
    "yaml.syntax": {"en": "malformed YAML: {cause}", "zh": "YAML 格式错误：{cause}"},
    "yaml.syntax_unknown": {"en": "malformed YAML: {parser}", "zh": "YAML 格式错误：{parser}"},
    "yaml.cause.mapping_values": {
        "en": "a 'key: value' cannot start here: check the indentation, or put a value that contains ': ' in quotes",
        "zh": "此处不能开始「键: 值」：请检查缩进；值中含有「: 」时请给整个值加引号"},
    "yaml.cause.bad_start": {"en": "a character that cannot start a value (often a tab used for indentation, or "
                                   "'@' / '`' at the start of a value: put the value in quotes)",
                             "zh": "此处的字符不能作为值的开头（常见原因：用 Tab 缩进，或值以 @、` 开头："
                                   "请给值加引号）"},
    "yaml.cause.tab": {"en": "a tab is used for indentation: YAML indents with spaces only",
                       "zh": "缩进中有制表符（Tab）：YAML 只能用空格缩进"},
    "yaml.cause.indent": {"en": "the indentation is inconsistent: keys of one level must start in the same column",
                          "zh": "缩进不一致：同一层的键须从同一列开始"},
    "yaml.cause.no_colon": {"en": "a key without ':' (a key is followed by ': ' and its value)",
                            "zh": "键后面缺少冒号（键后须有半角的「: 」再接值）"},
    "yaml.cause.unclosed_quote": {"en": "a quote is opened and never closed", "zh": "引号没有闭合"},
    "yaml.cause.unclosed_list": {"en": "a list in [ ] is not closed, or a comma is missing between its items",
                                 "zh": "方括号 [ ] 没有闭合，或元素之间缺少逗号"},
    "yaml.cause.unclosed_map": {"en": "a mapping in { } is not closed, or a comma is missing between its entries",
                                "zh": "花括号 { } 没有闭合，或各项之间缺少逗号"},
    "yaml.cause.alias": {"en": "'*' starts a reference to an anchor that is not defined: put a value starting "
                               "with * in quotes",
                         "zh": "以 * 开头表示引用锚点，而该锚点未定义：以 * 开头的值请加引号"},
    "yaml.cause.escape": {"en": "a backslash in double quotes starts an escape: write \\\\ or use single quotes",
                          "zh": "双引号中的反斜杠表示转义：请写成 \\\\，或改用单引号"},
    "yaml.cause.tag": {"en": "a '!' tag is not allowed in a rule pack (put a value starting with ! in quotes)",
                       "zh": "规则包中不允许使用「!」标签（以 ! 开头的值请加引号）"},
    "yaml.cause.no_value": {"en": "a value is missing here (a stray ',' or ':' , or nothing after it)",
                            "zh": "此处缺少值（多余的逗号或冒号，或其后没有内容）"},
    "yaml.cause.documents": {"en": "the file holds more than one YAML document ('---' or '...' lines)",
                             "zh": "文件中有多个 YAML 文档（含有 --- 或 ... 行）"},
    "yaml.fullwidth_colon": {"en": "'{key}' is followed by the full-width colon '：' (Chinese input method): YAML "
                                   "needs the half-width ':' and a space after a key",
                             "zh": "「{key}」后面是全角冒号「：」（中文输入法）：键后须用半角冒号「:」并加一个空格"},
})

# a key typed with the full-width colon: `  名称：值`, `- 名称：` (not inside quotes or a comment)
_FULLWIDTH_KEY = re.compile(r"^(\s*(?:-\s+)?)([^\s#'\"：:{}\[\],][^#'\"：:{}\[\]]*?)\s*：")


def explain(context: str | None, problem: str | None) -> str:
    """The parser's problem as the author should read it, in the current language."""
    parser = " ".join(p for p in (context, problem) if p)
    cause = next((key for start, key in _CAUSES if problem and problem.startswith(start)), None)
    if cause is None:
        return say("yaml.syntax_unknown", parser=parser)
    return say("yaml.syntax", parser=parser, cause=say(cause))


NEAR = 3  # a full-width colon this many lines above the error (or on its line) is taken as its cause


def fullwidth_colon(text: str, last_line: int) -> tuple[int, int, str] | None:
    """(line, column, message) of the first key typed with '：' on the lines up to `last_line`
    (1-based) and at most NEAR above it, or None: the likely cause of a syntax error found there."""
    first = max(1, last_line - NEAR)
    for number, line in enumerate(text.splitlines()[first - 1:last_line], start=first):
        m = _FULLWIDTH_KEY.match(line)
        if m:
            column = m.end()  # 1-based column of the '：' is its offset + 1 = m.end()
            return number, column, say("yaml.fullwidth_colon", key=m.group(2).strip())
    return None
