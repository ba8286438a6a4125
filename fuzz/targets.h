/* targets.h - what each fuzzer does with one input.
 *
 * The libFuzzer entry points (fuzz_*.c) and the regression replay
 * (tests/test_corpus.c) call the same functions, so an input kept under
 * tests/corpus/<name>/ goes through exactly the code that crashed on it,
 * in every build, with or without clang.
 *
 * Each function returns 0; a bug shows as a crash, a sanitizer report or
 * an abort() from a broken invariant.  Nothing is printed.
 */
#ifndef LM_FUZZ_TARGETS_H
#define LM_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

/* Inputs longer than this are cut (the letter fuzzer lays out and writes a
 * PDF; longer bodies only make it slower, not more thorough). */
#define LM_FUZZ_LETTER_MAX 4096

/* Loads what the targets share (the fonts).  `fonts_dir` holds
 * LiberationSans-*.ttf; `partials_dir` the partials a fuzzed template may
 * include (the images a fuzzed area may name are in `area` beside it).  Returns 0, or -1 when the fonts cannot be loaded.  Safe to
 * call more than once; everything is freed at exit. */
int lm_fuzz_setup(const char *fonts_dir, const char *partials_dir);

/* The CSV loader: parse as UTF-8; when that fails, as Windows-1252
 * (--input-encoding); then every cell through the validators. */
int lm_fuzz_csv(const uint8_t *data, size_t size);

/* The workbook readers: the first byte says what the rest is: a whole
 * archive, an .xlsx's sheet, shared strings and styles (NUL-separated,
 * put into an archive here, so the fuzzer works on the XML rather than on
 * checksums), or an .ods's content.xml.  Every row read is checked. */
int lm_fuzz_workbook(const uint8_t *data, size_t size);

/* The template: parse, then expand against a fixed context of maps, lists
 * and strings, in every escape mode; also as a front-matter string. */
int lm_fuzz_template(const uint8_t *data, size_t size);

/* A whole letter through the real frame (frame.h): the input is a letter
 * (front matter and body; a body alone gets a usual front matter), then
 * optionally the area's files and a recipient, each after a line
 *   %%% area.csv | %%% contacts.csv | %%% signatories.csv | %%% recipients.csv
 * (a file not given is a fixed Liverpool-like one; images come from
 * fuzz/area/).  Laid out in standard print, large print with a signature
 * box, and as `check` does; each layout must keep its text on the page,
 * its address in the envelope window and no structure element empty, and
 * is written as a PDF in memory. */
int lm_fuzz_letter(const uint8_t *data, size_t size);

/* The PDF reader (src/pdfr.c; in target_pdfr.c): sections, revisions,
 * every object, streams decoded, the page tree. */
int lm_fuzz_pdfr(const uint8_t *data, size_t size);
/* verify (src/verify.c; in target_pdfr.c) on signed seeds whose later
 * updates the fuzzer changes. */
int lm_fuzz_verify(const uint8_t *data, size_t size);

#endif
