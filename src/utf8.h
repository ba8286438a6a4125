/* utf8.h - UTF-8 decoded, encoded and checked in one place; the other
 * encodings a spreadsheet may be saved in (Windows-1252, UTF-16) turned
 * into UTF-8.
 *
 * Pure functions: no I/O, no global state, no allocation except into a
 * caller's lm_buf.  "Valid UTF-8" means RFC 3629: no overlong forms, no
 * surrogates (U+D800-U+DFFF), nothing above U+10FFFF.
 */
#ifndef LM_UTF8_H
#define LM_UTF8_H

#include <stddef.h>
#include <stdint.h>

struct lm_buf;

/* Decodes the UTF-8 sequence at s[0 .. n): returns its length (1-4) and
 * sets *cp, or returns 0 (cp untouched) when the bytes there are not valid
 * UTF-8 or the sequence is cut off by n.  n == 0 returns 0. */
int lm_utf8_decode(const char *s, size_t n, uint32_t *cp);

/* The length of the longest valid UTF-8 prefix of s[0 .. len): len when
 * the whole text is valid, else the offset of the first bad byte. */
size_t lm_utf8_check(const char *s, size_t len);

/* Writes the UTF-8 form of `cp` into out[0 .. 4) and returns its length,
 * or returns 0 (out untouched) when cp is a surrogate or above U+10FFFF. */
int lm_utf8_encode(uint32_t cp, char out[4]);

/* Appends the UTF-8 form of `cp` to `b`; a code point UTF-8 cannot hold
 * (or U+0000, which would end a C string) becomes U+FFFD. */
void lm_utf8_add(struct lm_buf *b, uint32_t cp);

/* How many characters s[0 .. len) holds, counting each byte that does not
 * continue a sequence (so an invalid byte counts as one). */
size_t lm_utf8_chars(const char *s, size_t len);

/* 1 for a default-ignorable code point (Unicode's
 * Default_Ignorable_Code_Point: zero-width space and joiners, bidi
 * controls, the soft hyphen, variation selectors...): never drawn. */
int lm_is_default_ignorable(uint32_t cp);

/* 1 when s[0 .. len) prints nothing: only spaces, tabs, line ends and
 * default-ignorables (a cell pasted from a web page may hold just a
 * zero-width space).  Invalid UTF-8 is not blank. */
int lm_utf8_is_blank(const char *s, size_t len);

/* The code point of Windows-1252 byte `c`, or 0 for the five bytes it
 * leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D). */
unsigned lm_cp1252_code_point(unsigned char c);

/* Decodes `len` bytes of Windows-1252 (Excel's "CSV" save on Windows) and
 * appends them to `out` as UTF-8: 0x00-0x7F and 0xA0-0xFF map to the same
 * code points, 0x80-0x9F to the Windows table (0x92 is U+2019 ’).  Returns 0,
 * or -1 at the first byte Windows-1252 leaves undefined: `out` then holds
 * the conversion of every byte before it (one input byte is one character,
 * so the caller can count lines and columns in what was appended). */
int lm_cp1252_to_utf8(const char *in, size_t len, struct lm_buf *out);

/* Decodes UTF-16 (big-endian when `be`, else little-endian) from
 * in[0 .. len) and appends it to `out` as UTF-8.  Unless `final`, an
 * incomplete code unit or a high surrogate at the very end is left for the
 * next call (the caller keeps those bytes).  *used is set to the number of
 * bytes decoded.  Returns 0, or -1 at a surrogate that has no partner (or,
 * when final, an odd last byte): *used is then the offset of that unit. */
int lm_utf16_to_utf8(const unsigned char *in, size_t len, int be, int final,
		     struct lm_buf *out, size_t *used);

#endif
