"""The texts of errors reading sources (statguard.engine's readers, workbooks and DuckDB binding), in
English and Chinese, said with `statguard.i18n.say` in the language of the run (the report's).
"""

from statguard.i18n import register

register({
    "source.format_unknown_suffix": {"en": "cannot tell the format of '{name}'; give 'format:' (csv, excel, parquet, "
                                           "json; excel reads .xlsx, .xls, .et and .ods)",
                                     "zh": "无法判断「{name}」的格式；请给出 'format:'（csv、excel、parquet、json；"
                                           "excel 可读 .xlsx、.xls、.et 和 .ods）"},
    "source.encoding": {"en": "text is neither UTF-8 nor GB18030/GBK (first undecodable byte on line {line}); save it "
                              "as UTF-8 or give 'encoding:'",
                        "zh": "文字既不是 UTF-8 也不是 GB18030/GBK 编码（第 {line} 行有第一个无法解码的字节）；"
                              "请另存为 UTF-8，或给出 'encoding:'"},
    "source.layout_text": {"en": "'header:' and 'skip:' are for workbooks (.xlsx, .xls, .et, .ods); a text file's "
                                 "first line is its header",
                           "zh": "'header:' 和 'skip:' 只用于工作簿（.xlsx、.xls、.et、.ods）；"
                                 "文本文件的第一行就是表头"},
    "source.many_workbooks": {"en": "the pattern matches {n} workbooks; an Excel source reads one",
                              "zh": "该模式匹配到 {n} 个工作簿；Excel 数据源只能读取一个"},
    "source.format_unknown": {"en": "unknown format '{format}'", "zh": "未知的格式「{format}」"},
    "source.cannot_read": {"en": "cannot read: {why}", "zh": "无法读取：{why}"},
    "source.no_match": {"en": "no file matches the pattern (glob: true)", "zh": "没有文件匹配该模式（glob: true）"},
    "source.missing_column": {"en": "{where} has no column '{name}' (declared in the pack); its columns: {columns}",
                              "zh": "{where}中没有列「{name}」（规则包中已声明）；其列为：{columns}"},
    "source.csv_fields": {"en": "{found} fields where the header has {header}",
                          "zh": "有 {found} 个字段，而表头有 {header} 个"},
    "source.csv_unreadable": {"en": "cannot be read", "zh": "无法读取"},
    "source.csv_line": {"en": "line {line}: {why}{shown}", "zh": "第 {line} 行：{why}{shown}"},
    "source.the_file": {"en": "the file", "zh": "该文件"},
    "source.the_sheet": {"en": "sheet '{sheet}'", "zh": "工作表「{sheet}」"},
    "source.not_found": {"en": "file not found", "zh": "文件不存在"},
    "source.not_found_pattern": {"en": "file not found; the path is read literally, and as a pattern it would match "
                                       "{n} file(s): give the source 'glob: true' to read them",
                                 "zh": "文件不存在；路径按字面读取，若作为模式可匹配 {n} 个文件："
                                       "请给该数据源写上 'glob: true' 以读取它们"},
    "source.is_dir": {"en": "is a directory, not a data file; give the file's path (or a pattern with 'glob: true')",
                      "zh": "是目录而不是数据文件；请给出文件的路径（或使用 'glob: true' 的模式）"},
    "source.empty": {"en": "file is empty (0 bytes)", "zh": "文件是空的（0 字节）"},
    "source.cannot_read_as": {"en": "cannot read as {format}: {why}", "zh": "无法按 {format} 读取：{why}"},
    "source.blank_header": {"en": "line 1: no header (the first line is blank); the first line must name the columns",
                            "zh": "第 1 行：没有表头（第一行是空的）；第一行须写出各列的名称"},
    "source.header_twice": {"en": "line 1: columns {first} and {second} of the header are both named '{name}'; rename "
                                  "one",
                            "zh": "第 1 行：表头的第 {first} 列和第 {second} 列都叫「{name}」；请改名其中之一"},
    "source.csv": {"en": "cannot read as CSV: {why}", "zh": "无法按 CSV 读取：{why}"},
    "source.csv_columns": {"en": "cannot read as CSV: the reader found the columns {columns} where the header names "
                                 "{header}; give 'format:' or check the delimiter",
                           "zh": "无法按 CSV 读取：读到的列为 {columns}，而表头写的是 {header}；请给出 'format:' "
                                 "或检查分隔符"},
    "source.decode": {"en": "cannot decode as {encoding}: {why}", "zh": "无法按 {encoding} 解码：{why}"},
    "source.not_workbook": {"en": "cannot read as a workbook: not .xlsx, .xlsm, .xls, .et or .ods",
                            "zh": "无法按工作簿读取：不是 .xlsx、.xlsm、.xls、.et 或 .ods"},
    "source.workbook": {"en": "cannot read as a workbook ({suffix}): {why}",
                        "zh": "无法按工作簿（{suffix}）读取：{why}"},
    "source.no_sheets": {"en": "the workbook has no sheet", "zh": "工作簿中没有工作表"},
    "source.no_sheet": {"en": "no sheet {sheet}; the workbook has the sheets {sheets}",
                        "zh": "没有工作表 {sheet}；工作簿中的工作表为 {sheets}"},
    "source.xls": {"en": "cannot read as an Excel 97-2003 workbook (.xls, .et): {why}",
                   "zh": "无法按 Excel 97-2003 工作簿（.xls、.et）读取：{why}"},
    "source.sheet_empty": {"en": "sheet '{sheet}' is empty: no header row, no data",
                           "zh": "工作表「{sheet}」是空的：没有表头行，也没有数据"},
    "source.header_row": {"en": "sheet '{sheet}': header row {row} is not in the sheet (rows 1 to {rows})",
                          "zh": "工作表「{sheet}」：表头行 {row} 不在表中（共第 1 至 {rows} 行）"},
    "source.sheet_header_twice": {"en": "sheet '{sheet}' row {row}: columns {first} and {second} of the header are "
                                        "both named '{name}'; rename one",
                                  "zh": "工作表「{sheet}」第 {row} 行：表头的 {first} 列和 {second} "
                                        "列都叫「{name}」；请改名其中之一"},
    "source.absent": {"en": "not given (optional): the rules reading it are skipped",
                      "zh": "未提供（可选）：读取它的规则不运行"},
    "source.no_data": {"en": "no data given and the pack declares no path for it",
                       "zh": "没有提供数据，规则包也没有为它声明路径"},
    "source.none_declared": {"en": "{where} has none of the declared columns ({declared}); its columns: {found}",
                             "zh": "{where} 中没有任何声明的列（{declared}）；其列为：{found}"},
    "source.none": {"en": "none", "zh": "无"},
})

# choosing and running an engine (statguard.engine.select, statguard.engine.spark)
register({
    "engine.unknown": {"en": "unknown engine '{name}' (engines: {engines})",
                       "zh": "未知的引擎「{name}」（可用引擎：{engines}）"},
    "engine.spark_cannot_run": {"en": "the Spark engine cannot run: {why}", "zh": "Spark 引擎无法运行：{why}"},
    "engine.spark_no_session": {"en": "no Spark session with master '{master}' (a master URL Spark cannot parse or "
                                      "reach?): {why}",
                                "zh": "无法以 master「{master}」启动 Spark 会话"
                                      "（master URL 无法解析或连不上？）：{why}"},
    "engine.no_pyspark": {"en": "pyspark is not installed: pip install 'statguard[spark]'",
                          "zh": "未安装 pyspark：pip install 'statguard[spark]'"},
    "engine.no_java": {"en": "Spark needs Java 17 or later (e.g. apt-get install openjdk-17-jre-headless)",
                       "zh": "Spark 需要 Java 17 或更高版本（例如 apt-get install openjdk-17-jre-headless）"},
    "engine.spark_one_by_one": {"en": "the Spark engine runs plans one by one", "zh": "Spark 引擎只能逐条运行规则"},
})

# database sources (statguard.engine.databases)
register({
    "source.db.table": {"en": "table {table}", "zh": "表 {table}"},
    "source.db.catalog": {"en": "table {table} of the Spark catalog", "zh": "Spark 目录中的表 {table}"},
    "source.db.catalog_on_duckdb": {"en": "table: {table} without url: names a table of the Spark catalog, which the "
                                          "DuckDB engine has not: run with --engine spark, or give url: to read it "
                                          "from a database",
                                    "zh": "table: {table} 而无 url:，指的是 Spark 目录中的表，DuckDB 引擎没有该目录："
                                          "请以 --engine spark 运行，或给出 url: 以从数据库读取"},
    "source.db.query": {"en": "query", "zh": "查询"},
    "source.db.no_declared": {"en": "{shown} has none of the declared columns ({declared}); its columns: {found}",
                              "zh": "{shown} 中没有任何声明的列（{declared}）；其列为：{found}"},
    "source.db.password_unset": {"en": "the environment variable {name} is not set (it should hold the database "
                                       "password)",
                                 "zh": "环境变量 {name} 未设置（它应存放数据库密码）"},
    "source.db.var_unset": {"en": "the environment variable {name} (written ${{name}} in the url) is not set",
                            "zh": "环境变量 {name}（在 url 中写作 ${{name}}）未设置"},
    "source.db.not_table": {"en": "'{table}' is not a table name (table or schema.table)",
                            "zh": "「{table}」不是表名（表 或 模式.表）"},
    "source.db.driver": {"en": "reading {scheme} needs its ADBC driver: pip install 'statguard[db]' (or {package})",
                         "zh": "读取 {scheme} 需要其 ADBC 驱动：pip install 'statguard[db]'（或 {package}）"},
    "source.db.connect": {"en": "cannot connect to {url}: {why}", "zh": "无法连接 {url}：{why}"},
    "source.db.no_file": {"en": "no database file at {file}", "zh": "{file} 处没有数据库文件"},
    "source.db.open": {"en": "cannot open {file}: {why}", "zh": "无法打开 {file}：{why}"},
    "source.db.not_sqlite": {"en": "{file} is not a SQLite database", "zh": "{file} 不是 SQLite 数据库"},
    "source.db.read": {"en": "cannot read {shown}: {why}", "zh": "无法读取 {shown}：{why}"},
    "source.db.no_rows": {"en": "give one SELECT: the query is not one statement that returns rows",
                          "zh": "请给出一条 SELECT：该查询不是一条返回数据行的语句"},
    "source.db.is_sqlite": {"en": "{file} is a SQLite database, not a DuckDB one: write its url as sqlite:///{file}",
                            "zh": "{file} 是 SQLite 数据库，不是 DuckDB 数据库：url 应写作 sqlite:///{file}"},
    "source.db.open_duckdb": {"en": "cannot open {file} as a DuckDB database: {why}",
                              "zh": "无法把 {file} 作为 DuckDB 数据库打开：{why}"},
})
