"""The texts of the pack loader's problems (statguard.load.loader and its helpers), in English and Chinese.

Kept apart from the code so the loader reads as what it checks; each text is said with
`statguard.i18n.say` in the language load_pack speaks (the pack's lang, else the caller's).
"""

from statguard.i18n import register

# statguard.load.loader
register({
    "pack.no_such_path": {"en": "no such file or directory: {path}", "zh": "文件或目录不存在：{path}"},
    "pack.no_yaml": {"en": "directory holds no .yml or .yaml files", "zh": "目录中没有 .yml 或 .yaml 文件"},
    "pack.link_outside": {"en": "file is a link to outside the pack's directory tree ({tree}); not read (allow its "
                                "directory with --allow-include DIR)",
                          "zh": "该文件是指向规则包目录之外（{tree}）的链接，未读取（如需读取，请用 --allow-include "
                                "DIR 允许其所在目录）"},
    "pack.empty_file": {"en": "file is empty", "zh": "文件是空的"},
    "pack.not_mapping": {"en": "a rule pack must be a mapping with 'sources:' and/or 'rules:'",
                         "zh": "规则包须为包含 'sources:' 和/或 'rules:' 的映射"},
    "pack.unknown_top": {"en": "unknown top-level key '{key}' (expected one of: {expected})",
                         "zh": "未知的顶层键「{key}」（可用：{expected}）"},
    "pack.include_link": {"en": "included directory {inc} holds a link to outside the pack's directory tree: {name} "
                                "not read (allow its directory with --allow-include DIR)",
                          "zh": "include 的目录 {inc} 中有指向规则包目录之外的链接：{name} 未读取（如需读取，请用 "
                                "--allow-include DIR 允许其所在目录）"},
    "pack.sources_mapping": {"en": "'sources' must be a mapping of names", "zh": "'sources' 须为按名称给出的映射"},
    "pack.include_nul": {"en": "included path holds a NUL character, which no file name can",
                         "zh": "include 的路径含有 NUL 字符，文件名中不可能有此字符"},
    "pack.include_not_name": {"en": "included path must be a file name, not {value}",
                              "zh": "include 的路径须为文件名，而不是 {value}"},
    "pack.include_outside": {"en": "included path is outside the pack's directory tree ({tree}): {name} (allow its "
                                   "directory with --allow-include DIR)",
                             "zh": "include 的路径在规则包目录（{tree}）之外：{name}（如需读取，请用 --allow-include "
                                   "DIR 允许其所在目录）"},
    "pack.include_missing": {"en": "included file not found: {name}", "zh": "include 的文件不存在：{name}"},
    "pack.include_unreadable": {"en": "included path cannot be read: {name}: {why}",
                                "zh": "include 的路径无法读取：{name}：{why}"},
    "pack.must_be_list": {"en": "'{key}' must be a list", "zh": "'{key}' 须为列表"},
    "pack.pack_mapping": {"en": "'pack' must be a mapping", "zh": "'pack' 须为映射"},
    "pack.unknown_pack_key": {"en": "unknown key '{key}' in pack (expected: {expected})",
                              "zh": "pack 中有未知的键「{key}」（可用：{expected}）"},
    "pack.lang": {"en": "lang must be one of {langs} (the languages statguard speaks), not {value}",
                  "zh": "lang 须为 {langs} 之一（statguard 支持的语言），而不是 {value}"},
    "pack.source_twice": {"en": "source '{name}' is declared twice", "zh": "数据源「{name}」声明了两次"},
    "pack.source_reserved": {"en": "source name '{name}' is reserved: names may not be empty or start with {prefixes} "
                                   "(statguard's own tables)",
                             "zh": "数据源名称「{name}」是保留名称：名称不能为空，也不能以 {prefixes} 开头（"
                                   "statguard 自用的表）"},
    "pack.source_mapping": {"en": "source '{name}' must be a mapping", "zh": "数据源「{name}」须为映射"},
    "pack.catalog_table_name": {"en": "table of source '{name}' must name a table of the Spark catalog (table, "
                                      "db.table or catalog.db.table), not '{table}'; or give url: to read it from "
                                      "a database",
                                "zh": "数据源「{name}」的 table 须为 Spark 目录中的表名（表、库.表 或 目录.库.表），"
                                      "而不是「{table}」；或给出 url: 以从数据库读取"},
    "pack.catalog_table_key": {"en": "source '{name}' reads a table of the Spark catalog (table: without url:); "
                                     "'{key}' does not apply to it: remove it (or give url: for a database)",
                               "zh": "数据源「{name}」读取 Spark 目录中的表（table: 而无 url:）；'{key}' 对其不适用："
                                     "请删除（或给出 url: 以读取数据库）"},
    "pack.unknown_source_key": {"en": "unknown key '{key}' in source '{name}' (expected: {expected})",
                                "zh": "数据源「{name}」中有未知的键「{key}」（可用：{expected}）"},
    "pack.flag": {"en": "{flag} must be true or false, not {value}", "zh": "{flag} 须为 true 或 false，而不是 {value}"},
    "pack.columns_mapping": {"en": "'columns' must be a mapping", "zh": "'columns' 须为映射"},
    "pack.a_column": {"en": "a column name", "zh": "列名"},
    "pack.a_format": {"en": "one of csv, excel, parquet, json", "zh": "csv、excel、parquet、json 之一"},
    "pack.an_encoding": {"en": "an encoding such as utf-8 or gb18030", "zh": "utf-8 或 gb18030 这样的编码"},
    "pack.source_text": {"en": "{key} of source '{source}' must be {what}, not {value}",
                         "zh": "数据源「{source}」的 {key} 须为{what}，而不是 {value}"},
    "pack.sheet": {"en": "sheet must be a sheet name or number (0 is the first), not {value}",
                   "zh": "sheet 须为工作表名称或序号（0 为第一张），而不是 {value}"},
    "pack.header_rows": {"en": "a row number (1 is the first row) or a list of them",
                         "zh": "行号（1 为第一行）或行号列表"},
    "pack.skip_rows": {"en": "a number of rows (0 or more)", "zh": "行数（0 或更多）"},
    "pack.rows": {"en": "{key} must be {what}, not {value}", "zh": "{key} 须为{what}，而不是 {value}"},
    "pack.path_not_name": {"en": "path of source '{source}' must be a file name, not {value}",
                           "zh": "数据源「{source}」的 path 须为文件名，而不是 {value}"},
    "pack.path_nul": {"en": "path of source '{source}' holds a NUL character, which no file name can",
                      "zh": "数据源「{source}」的 path 含有 NUL 字符，文件名中不可能有此字符"},
    "pack.path_unusable": {"en": "path of source '{source}' cannot be used as a file name: {why}",
                           "zh": "数据源「{source}」的 path 不能用作文件名：{why}"},
    "pack.keys": {"en": "keys of source '{source}' must be a column name or a list of column names, not {value}",
                  "zh": "数据源「{source}」的 keys 须为列名或列名列表，而不是 {value}"},
    "pack.column_form": {"en": "column '{name}' must be a type name or a mapping",
                         "zh": "列「{name}」须为类型名或映射"},
    "pack.unknown_column_key": {"en": "unknown key '{key}' in column '{name}' (expected: {expected})",
                                "zh": "列「{name}」中有未知的键「{key}」（可用：{expected}）"},
    "pack.unknown_type": {"en": "unknown type '{type}' for column '{name}' (expected one of: {expected})",
                          "zh": "列「{name}」的类型「{type}」未知（可用：{expected}）"},
    "pack.bound": {"en": "{key} of column '{name}' must be {what}, not {value}",
                   "zh": "列「{name}」的 {key} 须为{what}，而不是 {value}"},
    "pack.a_date": {"en": "a date such as 2024-01-31", "zh": "2024-01-31 这样的日期"},
    "pack.a_number": {"en": "a number", "zh": "数字"},
    "pack.codelist_form": {"en": "codelist of column '{name}' must name SOURCE.COLUMN (the source holding the codes), "
                                 "not {value}",
                           "zh": "列「{name}」的 codelist 须写作 数据源.列（存放代码的数据源），而不是 {value}"},
    "pack.pii": {"en": "pii of column '{name}' must be true, false or one of {kinds}, not {value}",
                 "zh": "列「{name}」的 pii 须为 true、false 或 {kinds} 之一，而不是 {value}"},
    "pack.codelist_source": {"en": "codelist '{codelist}' of column '{column}' names no declared source '{name}' "
                                   "(sources: {known})",
                             "zh": "列「{column}」的 codelist「{codelist}」中的数据源「{name}」未声明（已有数据源："
                                   "{known}）"},
    "pack.codelist_column": {"en": "codelist '{codelist}' of column '{column}' names no declared column '{code}' of "
                                   "source '{name}'",
                             "zh": "列「{column}」的 "
                                   "codelist「{codelist}」中的列「{code}」不是数据源「{name}」声明的列"},
    "pack.rule_mapping": {"en": "each rule must be a mapping with at least 'id' and 'kind'",
                          "zh": "每条规则须为至少包含 'id' 和 'kind' 的映射"},
    "pack.id_date": {"en": "rule id {id} is read by YAML as a date, not as text; quote it: id: '{id}'",
                     "zh": "规则编号 {id} 被 YAML 读成了日期而不是文字；请加引号：id: '{id}'"},
    "pack.no_id": {"en": "rule has no 'id'", "zh": "规则没有 'id'"},
    "pack.id_text": {"en": "a rule's 'id' is one name, not {given}", "zh": "规则的 'id' 应为一个名称，而不是 {given}"},
    "pack.severity": {"en": "severity must be one of {severities}, not '{severity}'",
                      "zh": "severity 须为 {severities} 之一，而不是「{severity}」"},
    "pack.id_reserved": {"en": "rule id '{id}' is reserved (statguard reports explanation problems under it)",
                         "zh": "规则编号「{id}」是保留编号（statguard 用它报告情况说明的问题）"},
    "pack.id_twice": {"en": "rule id '{id}' is used twice", "zh": "规则编号「{id}」用了两次"},
    "pack.enabled": {"en": "enabled must be true or false, not {value}",
                     "zh": "enabled 须为 true 或 false，而不是 {value}"},
    "pack.tags": {"en": "tags must be a name or a list of names, not {value}",
                  "zh": "tags 须为名称或名称列表，而不是 {value}"},
    "pack.hard": {"en": "hard must be true or false, not {value}", "zh": "hard 须为 true 或 false，而不是 {value}"},
    "pack.info_hard": {"en": "an info rule never gates, so it cannot be hard",
                       "zh": "提示级规则从不决定是否通过，因此不能是 hard"},
    "pack.hard_explanation": {"en": "rule '{id}' is hard (severity error or hard: true): its violations cannot be "
                                    "explained, so 'explanation' does not apply; say hard: false to accept "
                                    "explanations",
                              "zh": "规则「{id}」是硬性规则（severity 为 error 或 hard: true）："
                                    "其问题不能以说明解释，因此 'explanation' 不适用；如要接受说明，请写 hard: false"},
    "pack.whole_number": {"en": "{key} must be a whole number of at least 1, not {value}",
                          "zh": "{key} 须为不小于 1 的整数，而不是 {value}"},
    "pack.of_last_alone": {"en": "of_last needs min_failures", "zh": "of_last 须与 min_failures 同用"},
    "pack.of_last_less": {"en": "of_last ({n}) must be at least min_failures ({k})",
                          "zh": "of_last（{n}）不能小于 min_failures（{k}）"},
})

# statguard.pack.yamlio
register({
    "pack.yaml.keys_plain": {"en": "mapping keys must be plain text", "zh": "映射的键须为普通文字"},
    "pack.yaml.duplicate_key": {"en": "duplicate key '{key}' (first given on line {first})",
                                "zh": "键「{key}」重复（第一次出现在第 {first} 行）"},
    "pack.yaml.not_regular": {"en": "not a regular file", "zh": "不是普通文件"},
    "pack.yaml.cannot_read": {"en": "cannot read file: {why}", "zh": "无法读取文件：{why}"},
    "pack.yaml.too_large": {"en": "file is larger than {mib} MiB: not read as a rule pack",
                            "zh": "文件大于 {mib} MiB：不作为规则包读取"},
    "pack.yaml.not_utf8": {"en": "file is not UTF-8 (rule packs must be saved as UTF-8; GBK/GB18030 is not accepted)",
                           "zh": "文件不是 UTF-8 编码（规则包须保存为 UTF-8；不接受 GBK/GB18030）"},
    "pack.yaml.text_too_large": {"en": "text is larger than {mib} MiB: not read as a rule pack",
                                 "zh": "文字大于 {mib} MiB：不作为规则包读取"},
    "pack.yaml.malformed": {"en": "malformed YAML: {what}", "zh": "YAML 格式错误：{what}"},
    "pack.yaml.bad_character": {"en": "malformed YAML: character U+{code} is not allowed ({why})",
                                "zh": "YAML 格式错误：不允许出现字符 U+{code}（{why}）"},
    "pack.yaml.refused": {"en": "refused: {what}", "zh": "拒绝读取：{what}"},
    "pack.yaml.too_deep": {"en": "nested more than {depth} levels deep", "zh": "嵌套超过 {depth} 层"},
    "pack.yaml.alias_bomb": {"en": "aliases repeat more than {n} values and characters in all (an alias bomb?)",
                             "zh": "别名共重复了超过 {n} 个值和字符（别名炸弹？）"},
})

# screen: and scorecard: settings (statguard.pack.screen, .scorecard), types (statguard.load.dryrun)
register({
    "pack.screen_mapping": {"en": "'screen' must be a mapping", "zh": "'screen' 须为映射"},
    "pack.screen_field": {"en": "screen {path}: {why}", "zh": "screen {path}：{why}"},
    "pack.scorecard_mapping": {"en": "'scorecard' must be a mapping", "zh": "'scorecard' 须为映射"},
    "pack.scorecard_unknown": {"en": "unknown key '{path}' in scorecard (allowed: {allowed})",
                               "zh": "scorecard 中有未知的键「{path}」（可用：{allowed}）"},
    "pack.scorecard_field": {"en": "scorecard {path}: {why}", "zh": "scorecard {path}：{why}"},
    "pack.scorecard_says": {"en": "scorecard: {why}", "zh": "scorecard：{why}"},
    "pack.not_on_types": {"en": "rule '{id}' cannot be evaluated on the declared column types: {why}",
                          "zh": "规则「{id}」无法在所声明的列类型上求值：{why}"},
})
register({
    "pack.scorecard_both": {"en": "give either peer_group or groups, not both",
                            "zh": "peer_group 和 groups 只能给出其一"},
    "pack.scorecard_floor": {"en": "floor ({floor}) must be below base ({base})",
                             "zh": "floor（{floor}）须低于 base（{base}）"},
    "pack.scorecard_group_twice": {"en": "unit '{unit}' is listed in both groups '{first}' and '{second}'",
                                   "zh": "单位「{unit}」同时列在分组「{first}」和「{second}」中"},
    "pack.scorecard_unknown_rule": {"en": "scorecard weight given for unknown rule '{id}'",
                                    "zh": "scorecard 为不存在的规则「{id}」给出了扣分"},
    "pack.peer_unknown_source": {"en": "peer_group names unknown source '{source}' (sources: {sources})",
                                 "zh": "peer_group 中的数据源「{source}」不存在（已有数据源：{sources}）"},
    "pack.peer_no_unit": {"en": "source '{source}' has no unit column, so it cannot group units",
                          "zh": "数据源「{source}」没有单位列，无法用来给单位分组"},
    "pack.peer_unknown_column": {"en": "unknown column '{column}' in source '{source}'",
                                 "zh": "数据源「{source}」中没有列「{column}」"},
    "pack.peer_needs_unit": {"en": "peer_group needs a source with a unit column",
                             "zh": "peer_group 需要一个有单位列的数据源"},
    "pack.peer_no_column": {"en": "no source with a unit column declares column '{column}'",
                            "zh": "有单位列的数据源都没有声明列「{column}」"},
    "pack.screen_unknown_rule": {"en": "screen weight given for unknown rule '{id}'",
                                 "zh": "screen 为不存在的规则「{id}」给出了分数"},
})

# derive: (statguard.pack.derived)
register({
    "pack.derive.takes_from_base": {"en": "derived source '{name}' takes '{key}' from the source it derives from (a "
                                          "derived source has only: {keys})",
                                    "zh": "派生数据源「{name}」的「{key}」取自其来源数据源（派生数据源只能有："
                                          "{keys}）"},
    "pack.derive.mapping": {"en": "'derive' of source '{name}' must be a mapping such as {increments_of: <source>, "
                                  "value: <column>}",
                            "zh": "数据源「{name}」的 'derive' 须为映射，如 {increments_of: <source>, value: "
                                  "<column>}"},
    "pack.derive.unknown_key": {"en": "unknown key '{key}' in derive of source '{name}' (expected: {expected})",
                                "zh": "数据源「{name}」的 derive 中有未知的键「{key}」（可用：{expected}）"},
    "pack.derive.needs": {"en": "derive of source '{name}' needs '{key}' (a name)",
                          "zh": "数据源「{name}」的 derive 须给出「{key}」（一个名称）"},
    "pack.derive.column_name": {"en": "'{key}' must be a column name", "zh": "'{key}' 须为列名"},
    "pack.derive.by": {"en": "'by' must be a list of column names", "zh": "'by' 须为列名列表"},
    "pack.derive.cycle": {"en": "derived sources form a cycle: {cycle}", "zh": "派生数据源互相引用成环：{cycle}"},
    "pack.derive.none_declared": {"en": "none declared", "zh": "没有声明任何数据源"},
    "pack.derive.unknown_source": {"en": "derived source '{name}': unknown source '{base}' (sources: {known})",
                                   "zh": "派生数据源「{name}」：数据源「{base}」不存在（已有数据源：{known}）"},
    "pack.derive.unknown_column": {"en": "derived source '{name}': unknown column '{column}' in source '{base}'{hint}",
                                   "zh": "派生数据源「{name}」：数据源「{base}」中没有列「{column}」{hint}"},
    "pack.derive.no_period": {"en": "derived source '{name}': source '{base}' declares no period column; give "
                                    "'period:' in derive",
                              "zh": "派生数据源「{name}」：数据源「{base}」没有声明期别列；请在 derive 中给出 "
                                    "'period:'"},
    "pack.derive.not_number": {"en": "derived source '{name}': column '{column}' of '{base}' is declared {type}, not "
                                     "a number",
                               "zh": "派生数据源「{name}」：「{base}」的列「{column}」声明为 {type}，不是数字"},
    "pack.derive.name_taken": {"en": "derived source '{name}': '{base}' already has a column '{column}'; name the "
                                     "increment with 'as:'",
                               "zh": "派生数据源「{name}」：「{base}」已有列「{column}」；请用 'as:' 给增量另起名称"},
    "pack.derive.increment_column": {"en": "increment of {value} over the period before",
                                     "zh": "{value} 比上一期的增量"},
    "pack.derive.describe": {"en": "increments of {value} in '{base}' (derived)",
                             "zh": "「{base}」中 {value} 的增量（派生）"},
})

# statguard.pack.model
register({
    "pack.not_loaded": {"en": "this pack was not made by statguard.load_pack, so it does not know how to run; "
                              "run it with statguard.validate(pack, sources)",
                        "zh": "该规则包不是由 statguard.load_pack 生成的，无法自行运行；请用 "
                              "statguard.validate(pack, sources) 运行"},
})


# a source read from a database (statguard.pack.databases)
register({
    "pack.db.needs_url": {"en": "'{key}' of source '{name}' needs 'url:' (the database to read it from)",
                          "zh": "数据源「{name}」的 '{key}' 需要 url:（从哪个数据库读取）"},
    "pack.db.url": {"en": "url of source '{name}' {why}", "zh": "数据源「{name}」的 url {why}"},
    "pack.db.url_value": {"en": "must be a database url such as postgresql://user@host:5432/db, sqlite:///file.db "
                                "or duckdb:///file.duckdb",
                          "zh": "须为数据库地址，例如 postgresql://user@host:5432/db、sqlite:///file.db 或 "
                                "duckdb:///file.duckdb"},
    "pack.db.not_url": {"en": "is not a url (scheme://...)", "zh": "不是地址（应为 scheme://...）"},
    "pack.db.scheme": {"en": "has the scheme '{scheme}', which statguard does not read; use postgresql://, "
                             "sqlite:/// or duckdb:///",
                       "zh": "的协议「{scheme}」statguard 无法读取；请用 postgresql://、sqlite:/// 或 duckdb:///"},
    "pack.db.no_scheme": {"en": "has no scheme; begin it with postgresql://, sqlite:/// or duckdb:///",
                          "zh": "没有协议；请以 postgresql://、sqlite:/// 或 duckdb:/// 开头"},
    "pack.db.password": {"en": "holds a password; write ${VAR} in its place (an environment variable) or give "
                               "password_env: VAR, so that the pack holds no credential",
                         "zh": "中写有密码；请在该处写 ${VAR}（环境变量），或给出 password_env: VAR，"
                               "使规则包中不含任何凭据"},
    "pack.db.file": {"en": "must name a file: {scheme}:///relative/to/the/pack.db or {scheme}:////absolute/path.db "
                           "(three slashes, then the path)",
                     "zh": "须指向一个文件：{scheme}:///相对于规则包的路径.db 或 {scheme}:////绝对路径.db"
                           "（三个斜杠后接路径）"},
    "pack.db.file_key": {"en": "source '{name}' is read from a database (url:); '{key}' is for files: remove one of "
                               "them",
                         "zh": "数据源「{name}」从数据库读取（url:）；'{key}' 只用于文件：请删去其中之一"},
    "pack.db.both": {"en": "source '{name}' gives both table: and query:; give one",
                     "zh": "数据源「{name}」同时给出了 table: 和 query:；只能给一个"},
    "pack.db.neither": {"en": "source '{name}' has a url but no table: or query: (which table, or what query, to "
                              "read)",
                        "zh": "数据源「{name}」有 url，但没有 table: 或 query:（读哪张表，或用什么查询）"},
    "pack.db.table_value": {"en": "table of source '{name}' must be a table name (schema.table allowed)",
                            "zh": "数据源「{name}」的 table 须为表名（可写作 模式.表）"},
    "pack.db.query_value": {"en": "query of source '{name}' must be a SELECT query",
                            "zh": "数据源「{name}」的 query 须为一条 SELECT 查询"},
    "pack.db.no_password": {"en": "source '{name}' reads a database file: it has no password, remove password_env",
                            "zh": "数据源「{name}」读取的是数据库文件，没有密码：请删去 password_env"},
    "pack.db.env_name": {"en": "password_env of source '{name}' must name an environment variable (such as "
                               "PGPASSWORD_STATS), not {value}",
                         "zh": "数据源「{name}」的 password_env 须为环境变量名（例如 PGPASSWORD_STATS），"
                               "而不是 {value}"},
})
