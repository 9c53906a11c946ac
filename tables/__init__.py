"""A city's division-of-labour table (任务分工表 / 任务分解表): parsed, stored, corrected.

The parser (parse, grid, tabcells, notes, office, register, units, text, model) uses no
database. Persistence and what is built on it:
    importer.import_table(city_name, path_or_parsed, city_code=None) -> ImportReport
                    a new version of the city's table; see importer's docstring for re-import
    queries.knowledge(city_id) -> StoredTable | None   the current version as plain data
                    (units as UnitEntry, matters as ParsedMatter), read by the router
    corrections     an admin's edits to units, aliases and leads, kept across re-imports
    cli             flask tables import PATH --city NAME [--code XX]; flask tables show --city NAME [--json]
    api             /api/v1/admin/units… and /api/v1/admin/matters… (admin; supervisors read)

Entry points
    parse_file(path, known=None) -> ParsedTable      .txt/.tsv (UTF-8), .xlsx, .docx
    parse_text(text, source_name, known=None) -> ParsedTable
    build_register(mentions, known=None) -> (units, spelling → canonical name)
``known`` maps aliases already on record (a previous import, an admin's edits) to
their units, for re-import. All raise TableError(message_zh, line) to refuse (no
table found, a header without rows, an alias that would name two units, …);
``line`` is always a 1-based line number (xlsx: row; docx: table row).
Traditional characters are converted to simplified first (OpenCC t2s); a paragraph
duplicated at a page break (same sub-table, number and measure) counts once.

Shapes (ParsedTable.shape)
    tab_cells       one cell per line, each starting with a tab (金昌 附件1/附件2)
    numbered_notes  numbered measures ending in "(…牵头,…负责)" (新密, 朔州)
    tsv             tab-separated rows under a 序号 header (赣州)
    xlsx, docx      a sheet / Word table under a 序号 header (a .docx with no
                    such table is read as text, paragraph per line); a sheet is read
                    cell by cell as stored, whatever size it claims, up to 5000 rows
                    and 64 columns (TableError past them)

Data (tables.model, all frozen dataclasses)
    ParsedTable(source, shape, matters, units, unplaced, span)
    ParsedMatter(part, section, number, task, upper_measure, measure, lead_units,
                 assisting_units, placeholders, lead_is_default, deadline, source, lines)
    UnitEntry(name, aliases, kind, routable)
    UnplacedLine(line, text)   non-blank lines inside ``span`` the parser could not place

Lead units are data: where the table marks leads (牵头单位 column, "…牵头",
"…牵头负责") they are kept and lead_is_default is False. A sole named unit is the
lead. Otherwise the first-listed routable unit (else the first non-jurisdiction
unit, else none) is chosen and lead_is_default is True, for an admin to change.
Unit names in matters are canonical names from ``units``; placeholders (各县区,
市属（驻市）有关单位 …) are kept apart in ``placeholders`` and are never routable.

Unit names (tables.units): split_note, split_names, join_unit_lines, canonical_name,
aliases_of, kind_of, is_routable, KINDS. Kinds: department, court, procuratorate,
party (市委…, 纪委监委), people_org (工商联, 总工会, 妇联, 团市委 …), stationed (bodies of
higher levels in the city: 海关, 人民银行, 金融监管分局 …), enterprise, jurisdiction
(县, 区, 经开区, 管委会), placeholder (各…, …有关单位), other. Routable = one of the
first five kinds and named 市… (or 团市委).
"""
from tables.model import ParsedMatter, ParsedTable, TableError, UnitEntry, UnplacedLine
from tables.parse import SHAPES, parse_file, parse_text
from tables.queries import StoredTable, knowledge
from tables.register import build_register

__all__ = [
    "SHAPES", "ParsedMatter", "ParsedTable", "StoredTable", "TableError", "UnitEntry", "UnplacedLine",
    "build_register", "knowledge", "parse_file", "parse_text",
]


def init_app(app) -> None:
    """The units and matters admin API and the `tables` commands."""
    from kernel.http import api as rest
    from tables import api, cli

    rest.register_blueprint(api.blp)
    app.cli.add_command(cli.tables)
