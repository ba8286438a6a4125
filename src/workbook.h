/* workbook.h - one sheet of an .xlsx or .ods workbook, read as a table.
 *
 * A workbook is a zip archive of XML parts: libzip opens the archive and
 * libxml2's streaming reader (xmlTextReader) reads the parts, so a sheet of
 * a million rows is read a row at a time and never held whole.  The rows
 * come out through the CSV reader's row interface (csv.h: a header, then
 * r->cells a row at a time), so every table the program reads may be a
 * CSV file or a sheet.
 *
 * Cells become text as the spreadsheet shows them in General format:
 * integers without ".0"; dates (an Excel serial number with a date format,
 * either date system, or an ODS date) as YYYY-MM-DD; booleans TRUE/FALSE; a
 * formula as its saved (cached) value; merged and empty cells empty.  A
 * number of ten or more digits is refused: it is a phone number or
 * reference Excel turned into a number, which loses its leading 0s.
 *
 * A sheet's name in messages is "FILE#SHEET", and its cells have line =
 * row and col = column (1-based), which lm_diag_format prints the way the
 * spreadsheet names the cell: "FILE#SHEET!B7".
 */
#ifndef LM_WORKBOOK_H
#define LM_WORKBOOK_H

#include <stddef.h>

struct lm_csv_reader;
struct lm_diag;

/* The most bytes one part of a workbook may unpack to: a part read whole
 * (workbook.xml, styles, the shared strings), and a sheet, which is
 * streamed.  A zip bomb stops at these with an error naming the file. */
#define LM_WORKBOOK_MAX_PART (64u << 20)
#define LM_WORKBOOK_MAX_SHEET (1024u << 20)

/* 1 when the first `n` bytes of a file are those of a zip archive (an
 * .xlsx or .ods workbook), 2 for an old binary .xls (or other OLE file). */
int lm_workbook_sniff(const unsigned char *head, size_t n);

/* Opens the sheet called `sheet` (NULL: the first sheet that is not
 * hidden) of the workbook in `fd` (read with pread, so forked processes do
 * not move each other's offset) or, when fd < 0, in `len` bytes of `data`,
 * which must outlive the reader; and reads its header row into r.  With
 * `fallback` set, a workbook without a sheet of that name gives its first
 * sheet instead.  r must be initialised; r->path becomes "PATH#SHEET".
 * Returns 0, or -1 with d filled. */
int lm_workbook_open(struct lm_csv_reader *r, const char *path, int fd, const char *data,
		     size_t len, const char *sheet, int fallback, struct lm_diag *d);

/* The next data row into r->cells (see lm_csv_reader_next). */
int lm_workbook_next(struct lm_csv_reader *r, struct lm_diag *d);

/* Frees what lm_workbook_open gave r (called by lm_csv_reader_release). */
void lm_workbook_free(struct lm_csv_reader *r);

/* 1 when `file` names a sheet ("x.xlsx#name" or "x.ods#name"). */
int lm_workbook_is_sheet_path(const char *file);

/* Writes the spreadsheet name of column `col` (1-based: A, B, ... Z, AA)
 * into out (at least 8 bytes). */
void lm_workbook_column_name(int col, char *out);

#endif
