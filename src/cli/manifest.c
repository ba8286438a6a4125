#include "manifest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Writes `len` bytes of the manifest (to its file or standard output). */
static int put(struct cli_manifest *m, const void *data, size_t len, struct lm_diag *d)
{
	if (!m->to_stdout)
		return lm_atomic_write(&m->file, data, len, d);
	if (fwrite(data, 1, len, stdout) != len || fflush(stdout))
		return lm_diag_setk(d, LM_KIND_SYSTEM, "<stdout>", 0, 0, "cannot write the manifest: %s",
				    strerror(errno));
	return 0;
}

static void json_string(struct lm_buf *out, const char *s)
{
	lm_buf_addc(out, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			lm_buf_addf(out, "\\%c", c);
		else if (c < 0x20)
			lm_buf_addf(out, "\\u%04x", c);
		else
			lm_buf_addc(out, (char)c);
	}
	lm_buf_addc(out, '"');
}

void cli_manifest_line(void *manifest, const struct lm_run_file *f)
{
	struct cli_manifest *m = manifest;
	if (!m->open)
		return;
	struct lm_buf *o = &m->pending;
	const struct lm_result *res = f->result;
	lm_buf_adds(o, "{\"path\":");
	json_string(o, f->path);
	lm_buf_adds(o, ",\"area\":");
	json_string(o, f->area);
	lm_buf_adds(o, ",\"recipient\":");
	json_string(o, f->key);
	lm_buf_addf(o, ",\"letters\":%zu,\"pages\":%zu,\"bytes\":%zu,\"sha256\":\"", f->letters, res->pages,
		    res->bytes);
	for (int i = 0; i < 32; i++)
		lm_buf_addf(o, "%02x", res->sha256[i]);
	lm_buf_addf(o, "\",\"skipped\":%s}\n", res->skipped ? "true" : "false");
	if (o->len >= 65536 && !m->failed) {
		struct lm_diag d;
		if (put(m, o->ptr, o->len, &d)) {
			cli_print_diag(&d);
			m->failed = 1;
			m->kind = d.kind;
			m->open = 0;
		}
		lm_buf_reset(o);
	}
}

int cli_manifest_open(struct cli_manifest *m, const char *path)
{
	struct lm_diag d;
	memset(m, 0, sizeof(*m));
	lm_buf_init(&m->pending);
	m->file.fd = -1;
	if (!strcmp(path, "-")) {
		m->to_stdout = m->open = 1;
		return 0;
	}
	if (lm_atomic_open(&m->file, path, &d)) {
		cli_print_diag(&d);
		m->kind = d.kind;
		return -1;
	}
	m->open = 1;
	return 0;
}

int cli_manifest_close(struct cli_manifest *m, int keep)
{
	struct lm_diag d;
	int rc = m->failed ? -1 : 0;
	if (m->open && keep && !m->failed) {
		rc = put(m, m->pending.ptr, m->pending.len, &d);
		if (!rc && !m->to_stdout)
			rc = lm_atomic_commit(&m->file, &d);
		if (rc) {
			cli_print_diag(&d);
			m->kind = d.kind;
		}
	} else if (m->open && !m->to_stdout) {
		lm_atomic_abort(&m->file);
	}
	m->open = 0;
	lm_buf_release(&m->pending);
	return rc;
}
