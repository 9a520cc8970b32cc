"""What the expression language says to a rule author, in Chinese and English.

Every message of statguard.expr is an entry of the catalogue (statguard.i18n) said in the
language `statguard.i18n.speaking` set (lint's `--lang`, the pack's lang, else English). The
messages speak of what the author wrote (an operator, a function, a character), never of
the parser underneath.
"""

from __future__ import annotations

from statguard.i18n import register, say  # noqa: F401  (say: statguard.expr's modules import it from here)

register({
    # the expression as a whole
    "expr.empty": {"en": "expression is empty", "zh": "表达式为空"},
    "expr.too_deep": {"en": "expression nested too deeply (parentheses, functions or operators within one another); "
                            "write it more simply",
                      "zh": "表达式嵌套过深（括号、函数或运算符层层相套），请写得简单些"},
    "expr.one_only": {"en": "only one expression is allowed (found ';' or several statements)",
                      "zh": "只能写一个表达式（发现了「;」或多条语句）"},
    "expr.not_condition": {"en": "the expression must be a condition, true or false for each record (such as "
                                 "a + b == total), not a value: '{shown}'",
                           "zh": "表达式须为条件，对每条记录给出真或假（如 a + b == total），而不是一个值：'{shown}'"},
    # cannot be read
    "expr.parse": {"en": "cannot parse expression: {why}", "zh": "无法解析表达式：{why}"},
    "expr.near": {"en": "{why} near '{token}'", "zh": "{why}（在「{token}」附近）"},
    "expr.p.unexpected": {"en": "'{token}' is not expected here", "zh": "此处不应出现「{token}」"},
    "expr.p.malformed": {"en": "the expression is incomplete or malformed here", "zh": "表达式在此处不完整或写法有误"},
    "expr.p.expecting": {"en": "Expecting {what}", "zh": "此处缺少 {what}"},
    "expr.p.expected_after": {"en": "Expected {what} after {after}", "zh": "{after} 之后缺少 {what}"},
    "expr.p.between": {"en": "BETWEEN needs both bounds (x BETWEEN low AND high)",
                       "zh": "BETWEEN 需要上下两个界限（x BETWEEN 下限 AND 上限）"},
    "expr.p.no_right": {"en": "operator '{op}' has nothing on its right", "zh": "运算符「{op}」右边缺少内容"},
    "expr.quote_name": {"en": "the column name '{name}' holds signs of the expression language: write it in double "
                              "quotes, \"{name}\"",
                        "zh": "列名「{name}」含有运算符号等字符，须加英文双引号写作 \"{name}\""},
    "expr.quote_call": {"en": "'{name}' is not a function; if '{written}' is a column name, write it in double "
                              "quotes, \"{written}\"",
                        "zh": "「{name}」不是函数；若「{written}」是列名，须加英文双引号写作 \"{written}\""},
    "expr.p.no_left": {"en": "operator '{op}' has nothing on its left", "zh": "运算符「{op}」左边缺少内容"},
    "expr.p.needs_argument": {"en": "function '{name}' needs an argument", "zh": "函数「{name}」缺少参数"},
    "expr.p.unclosed_text": {"en": "the text opened with {quote} is never closed (add the closing {quote})",
                             "zh": "以 {quote} 开头的文字没有结束（请补上结尾的 {quote}）"},
    "expr.p.unclosed_name": {"en": "the name opened with {quote} is never closed (add the closing {quote})",
                             "zh": "以 {quote} 开头的名称没有结束（请补上结尾的 {quote}）"},
    "expr.p.unclosed_comment": {"en": "the comment opened with /* is never closed (add */)",
                                "zh": "以 /* 开头的注释没有结束（请补上 */）"},
    # refused
    "expr.refused": {"en": "'{text}' is not allowed in expressions", "zh": "表达式中不允许使用「{text}」"},
    "expr.unknown_function": {"en": "unknown function '{name}' (allowed: {allowed})",
                              "zh": "未知的函数「{name}」（可用的函数：{allowed}）"},
    "expr.function_refused": {"en": "function '{name}' is not allowed in expressions",
                              "zh": "表达式中不允许使用函数「{name}」"},
    "expr.function_unnamed": {"en": "'{text}' calls a function that is not allowed in expressions (allowed: "
                                    "{allowed})",
                              "zh": "「{text}」调用了表达式中不允许的函数（可用的函数：{allowed}）"},
    "expr.subquery": {"en": "subqueries are not allowed in expressions", "zh": "表达式中不允许使用子查询"},
    "expr.window": {"en": "'{text}' is not allowed in expressions: windows (OVER) are not written by hand; "
                          "a row rule's statistics are per group of its `by:`",
                    "zh": "表达式中不允许使用「{text}」：窗口（OVER）不用手写，row 规则中的统计量按其 `by:` 分组计算"},
    "expr.parameter": {"en": "parameters are not allowed in expressions", "zh": "表达式中不允许使用参数"},
    "expr.star": {"en": "'*' is not allowed in expressions", "zh": "表达式中不允许使用「*」"},
    "expr.statement": {"en": "statement '{word}' is not allowed in expressions",
                      "zh": "表达式中不允许使用语句「{word}」"},
    "expr.in_subquery": {"en": "IN accepts a list of values, not a subquery",
                        "zh": "IN 后面须为值的列表，不能是子查询"},
    "expr.number_too_large": {"en": "the number {number} is too large to compute with (beyond about 1.8e308)",
                              "zh": "数字 {number} 过大，无法计算（超出约 1.8e308）"},
    "expr.cast_type": {"en": "cast to type '{type}' is not allowed", "zh": "不允许转换为类型「{type}」"},
    "expr.alias": {"en": "'{text}' is not allowed in expressions: a value cannot be named (AS) or followed by "
                         "another value without an operator",
                   "zh": "表达式中不允许使用「{text}」：不能给值命名（AS），两个值之间也须有运算符"},
    # columns
    "expr.unknown_column": {"en": "unknown column '{name}' in the source{hint}",
                           "zh": "数据源中没有列「{name}」{hint}"},
    "expr.unknown_column_of": {"en": "unknown column '{name}' in source '{source}'{hint}",
                               "zh": "数据源「{source}」中没有列「{name}」{hint}"},
    # statistics (statguard.expr.aggregates)
    "expr.stat_here": {"en": "'{name}' is a statistic over records; statistics are allowed in an aggregate rule and "
                             "in a row rule's expr",
                       "zh": "「{name}」是对多条记录的统计量，只能用于 aggregate 规则和 row 规则的 expr"},
    "expr.stat_nested": {"en": "'{name}' inside another statistic is not allowed",
                         "zh": "统计量「{name}」不能写在另一个统计量之中"},
    "expr.stat_star": {"en": "'*' is allowed only in count(*), not in {name}()",
                       "zh": "「*」只能用于 count(*)，不能用于 {name}()"},
    "expr.stat_arity": {"en": "'{name}' takes {arity} arguments, got {n}",
                       "zh": "「{name}」需要 {arity} 个参数，写了 {n} 个"},
    "expr.stat_arity_one": {"en": "'{name}' takes 1 argument, got {n}", "zh": "「{name}」需要 1 个参数，写了 {n} 个"},
    "expr.stat_quantile": {"en": "quantile(x, p) needs p a number from 0 to 1",
                           "zh": "quantile(x, p) 中的 p 须为 0 到 1 之间的数"},
})
