"""Text in a spreadsheet the product writes stays text, exactly as people typed it.

openpyxl guesses a cell's type from a string: "=..." becomes a formula and "#N/A" an error
value. A person named '=HYPERLINK("http://evil.example/x","click")' would then be a live link
in the results a unit downloads (formula injection; OWASP's "CSV injection"). A cell of type
"s" is written as an inline string, which no spreadsheet evaluates, whatever it starts with
(=, +, -, @, a tab). platform.xlsx_stream writes every str that way already."""


def append_row(sheet, values) -> None:
    """sheet.append(values), with every str stored as a string."""
    from openpyxl.cell.cell import Cell  # imported when a document is made, as openpyxl is

    def text_safe(value):
        if not isinstance(value, str):
            return value
        cell = Cell(sheet, value=value)
        cell.data_type = "s"  # undoes openpyxl's guess of a formula or an error value
        return cell

    sheet.append([text_safe(value) for value in values])
