/* csv.h - a CSV file as Excel and LibreOffice Calc save it.
 *
 * Read as it comes: the encoding is found per file (a byte-order mark says
 * UTF-8 or UTF-16 LE/BE; text that is valid UTF-8 is UTF-8; anything else
 * is Windows-1252, Excel's plain "CSV" save, and the caller is told so it
 * can warn), and the delimiter from the header row (',' ';' or tab, outside
 * quotes: Excel in most European locales saves ';').  An encoding the
 * caller names is checked, not trusted: a file that is valid UTF-8 named
 * Windows-1252 is an error rather than a letter that prints "OÃ¢â¬â¢Brien".
 * CRLF, LF or lone CR line ends; quoted fields holding delimiters, doubled
 * quotes and line breaks.  The first non-empty row is the header.  Every cell keeps the line and column where
 * its field starts, so a later check can point the user at the exact cell.
 *
 * Values are kept as typed except that leading and trailing spaces and tabs
 * are trimmed (stray spaces are common in hand-kept sheets) and line breaks
 * inside a quoted field become LF.  Rows whose fields are all empty (blank
 * lines, or the ",,," Excel writes for a cleared row) are dropped.
 *
 * The tokenizer is our own rather than libcsv: positions must be exact
 * (libcsv's callbacks carry no offsets), and libcsv's <csv.h> would be
 * shadowed by this header under -Isrc.
 */
#ifndef LM_CSV_H
#define LM_CSV_H

#include <stddef.h>

struct lm_buf;
struct lm_diag;
struct lm_csv_field;

/* The most bytes one cell may hold (an address or a paragraph is far less). */
#define LM_CSV_MAX_CELL 65536

/* How the bytes of a CSV file are to be read.  LM_INPUT_AUTO finds out
 * (see above); the others are what a user said, and are checked. */
enum lm_input_encoding {
	LM_INPUT_AUTO, LM_INPUT_UTF8, LM_INPUT_CP1252, LM_INPUT_UTF16LE, LM_INPUT_UTF16BE
};

/* "UTF-8", "Windows-1252", "UTF-16LE", "UTF-16BE" ("" for AUTO). */
const char *lm_input_encoding_name(enum lm_input_encoding enc);

struct lm_csv_cell {
	char *text;   /* NUL-terminated, owned by the lm_csv */
	size_t len;
	int line, col; /* 1-based; col counts UTF-8 characters and points at
			  the field's first non-blank character (an opening
			  quote included), or its start if it is blank */
};

struct lm_csv {
	char *path;                        /* as given, owned */
	size_t ncols;                      /* header width */
	char **header;                     /* ncols names (header_cells[i].text) */
	struct lm_csv_cell *header_cells;  /* ncols, owned */
	size_t nrows;                      /* data rows, header excluded */
	struct lm_csv_cell *cells;         /* nrows * ncols, row-major, owned */
	int *row_line;                     /* nrows: line where each row starts */
	char *pool;                        /* backing store of every text, owned */
	enum lm_input_encoding enc;        /* how it was read */
	char delim;
	int guessed;                       /* read as Windows-1252 because it is not UTF-8 */
	int guess_line, guess_col;         /* where the first byte that is not UTF-8 is */
	unsigned char guess_byte;
};

void lm_csv_init(struct lm_csv *csv);

/* Reads and parses the file at `path`.  Returns 0, or -1 with `d` filled
 * (the csv is then left empty but must still be released). */
int lm_csv_load(struct lm_csv *csv, const char *path, struct lm_diag *d);

/* Parses `len` bytes of `data` (not necessarily NUL-terminated); `path` is
 * only used for csv->path and messages.  Returns 0, or -1 with `d` filled. */
int lm_csv_parse(struct lm_csv *csv, const char *path, const char *data,
		 size_t len, struct lm_diag *d);


/* lm_csv_load, reading the file as `enc` says: Windows-1252 (what Excel's
 * plain "CSV" save writes) is converted to UTF-8 first; positions in
 * messages stay those of the file, one byte being one character there. */
int lm_csv_load_as(struct lm_csv *csv, const char *path, enum lm_input_encoding enc,
		   struct lm_diag *d);

/* lm_csv_load_as of a file that may be a workbook, reading its sheet
 * `sheet` (see lm_csv_reader_open_sheet). */
int lm_csv_load_sheet(struct lm_csv *csv, const char *path, enum lm_input_encoding enc,
		      const char *sheet, int fallback, struct lm_diag *d);

/* lm_csv_parse of bytes in encoding `enc`. */
int lm_csv_parse_as(struct lm_csv *csv, const char *path, const char *data, size_t len,
		    enum lm_input_encoding enc, struct lm_diag *d);
/* lm_csv_load_as with the delimiter forced (',' ';' '\t'), or found when 0. */
int lm_csv_load_with(struct lm_csv *csv, const char *path, enum lm_input_encoding enc,
		     char delim, struct lm_diag *d);
int lm_csv_parse_with(struct lm_csv *csv, const char *path, const char *data, size_t len,
		      enum lm_input_encoding enc, char delim, struct lm_diag *d);
/* lm_csv_load_sheet with the delimiter forced (a CSV file's; 0 finds it). */
int lm_csv_load_sheet_with(struct lm_csv *csv, const char *path, enum lm_input_encoding enc,
			   char delim, const char *sheet, int fallback, struct lm_diag *d);
/* The warning for a file read as Windows-1252 because it is not UTF-8
 * (csv->guessed), naming the file and its first such byte. */
void lm_csv_guess_warning(const char *path, int line, int col, unsigned char byte,
			  struct lm_diag *d);

/* Frees everything the csv owns and re-initialises it. */
void lm_csv_release(struct lm_csv *csv);

/* Returns the index of the header column called `name` (see names.h:
 * case, spaces, '_', '-' and brackets do not count), or -1. */
int lm_csv_column(const struct lm_csv *csv, const char *name);

/* Returns the cell at (row, col), owned by the csv, or NULL if out of range. */
const struct lm_csv_cell *lm_csv_get(const struct lm_csv *csv, size_t row,
				     size_t col);

/* The most columns a header row may have: more is a wrong file, and each
 * column costs memory in every row. */
#define LM_CSV_MAX_COLS 4096

/* A CSV file read one row at a time, in memory that does not grow with
 * the file: a window of the file's text (a chunk at a time, with pread, so
 * processes forked after opening do not move each other's offset) and the
 * current row.  The same tokenizer serves lm_csv_parse, so a file streamed
 * and a file loaded whole give the same cells, positions and errors.
 *
 * Invariants: after a successful open the header is read (ncols > 0);
 * after lm_csv_reader_next returns 1, cells[0 .. ncols) is the row that
 * starts on row_line, valid until the next call. */
struct lm_csv_reader {
	char *path;                       /* for messages, owned */
	/* the source: a file descriptor (borrowed, read with pread from
	 * offset 0) or bytes in memory (borrowed) */
	int fd;
	const unsigned char *mem;
	size_t mem_len;
	unsigned long long off;           /* the next source byte to read */
	enum lm_input_encoding enc;       /* as asked; after open, as read */
	/* Set before opening: the delimiter to use (0: find it from the header
	 * row), and `trusted` when enc and delim are what an earlier open of
	 * the same bytes found (no second look at the whole file). */
	char delim;
	int trusted;
	int guessed;                      /* Windows-1252 because not UTF-8 */
	int guess_line, guess_col;        /* the first byte that is not UTF-8 */
	unsigned char guess_byte;
	int bad_source;                   /* the source is not valid in its encoding past the window */
	struct lm_buf *scratch;           /* UTF-16 decoding, owned */
	/* source bytes read at a time; 0 (the default) reads a file 64 KiB
	 * at a time and takes memory whole.  Tests set it small to put a
	 * chunk boundary everywhere. */
	size_t chunk;
	int eof, read_errno;
	/* the window: decoded UTF-8 text, w[i .. wlen) not yet read */
	unsigned char *w;
	size_t i, wlen, wcap;
	int own_window;                   /* w is ours, not the memory source */
	int line, col;                    /* position of w[i] */

	size_t ncols;                     /* header width */
	char **header;                    /* ncols names, owned */
	struct lm_csv_cell *header_cells; /* ncols, owned; texts in hpool */
	char *hpool;                      /* owned */

	struct lm_csv_cell *cells;        /* the current row: ncols, owned */
	int row_line;                     /* where the current row starts */
	size_t nrows;                     /* data rows read so far */

	/* scratch for the row being read */
	char *pool;
	size_t pool_len, pool_cap;
	struct lm_csv_field *fields;
	size_t nfields, afields;

	/* a workbook's sheet (workbook.h) read instead of CSV text, or NULL */
	struct lm_sheet *sheet;
	const char *sheet_name;           /* the sheet to read (NULL: the first
					     shown); borrowed, for the open */
	int sheet_fallback;               /* no sheet of that name: the first */
};

void lm_csv_reader_init(struct lm_csv_reader *r);
/* Starts reading `fd` (kept open by the caller) as `enc` from its first
 * byte, and reads the header row.  `path` names it in messages.
 * Returns 0, or -1 with d filled (release the reader either way). */
int lm_csv_reader_open(struct lm_csv_reader *r, const char *path, int fd,
		       enum lm_input_encoding enc, struct lm_diag *d);
/* The same over `len` bytes of `data`, which must outlive the reader. */
int lm_csv_reader_open_mem(struct lm_csv_reader *r, const char *path,
			   const char *data, size_t len,
			   enum lm_input_encoding enc, struct lm_diag *d);
/* lm_csv_reader_open of a file that may also be a workbook (.xlsx, .ods:
 * told by its first bytes, not its name), reading its sheet `sheet` (NULL:
 * the first that is not hidden; with `fallback`, the first when it has no
 * sheet of that name).  Rows and errors are as for a CSV file, cells
 * placed as row (line) and column (col) of the sheet. */
int lm_csv_reader_open_sheet(struct lm_csv_reader *r, const char *path, int fd,
			     enum lm_input_encoding enc, const char *sheet, int fallback,
			     struct lm_diag *d);
/* Reads the next data row into r->cells.  Returns 1, 0 at the end of the
 * file, or -1 with d filled (a broken row, or a read error). */
int lm_csv_reader_next(struct lm_csv_reader *r, struct lm_diag *d);
/* Returns the index of the header column called `name` (as lm_csv_column), or -1. */
int lm_csv_reader_column(const struct lm_csv_reader *r, const char *name);
/* Frees everything the reader owns (not the fd) and re-initialises it. */
void lm_csv_reader_release(struct lm_csv_reader *r);

#endif
