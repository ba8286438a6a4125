#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "area.h"
#include "diag.h"
#include "value.h"

struct fixture {
	char dir[128];     /* /tmp/lmareaXXXXXX/liverpool */
	char top[64];      /* /tmp/lmareaXXXXXX */
	struct lm_arena *arena;
	struct lm_area area;
	struct lm_diag d;
};

static const char AREA_CSV[] =
	"\xEF\xBB\xBF" "field,value,notes\r\n"
	"name,Liverpool,\r\n"
	"partnership,Liverpool Safeguarding Children Partnership,\r\n"
	"organisation,Liverpool City Council,\r\n"
	"address,\"Cunard Building\r\nWater Street\r\nL3 1AH\",three lines\r\n"
	"logo,logo.png,\r\n"
	",,\r\n";

static const char CONTACTS_CSV[] =
	"id,group,service,phone,hours\n"
	"police,emergency,Police,999,\n"
	"police_non_emergency,local,Merseyside Police,101,24 hours\n"
	"careline,local,Careline,0151 233 3700,\"Mon-Fri, 8am-8pm\"\n"
	"nspcc,national,NSPCC,0808 800 5000,\n";

static const char SIGNATORIES_CSV[] =
	"id,name,title,signature,alt\n"
	"director,Jane Smith,Director of Children's Services,sig.png,\n"
	"police,Bob Jones,Chief Superintendent,,Bob Jones's signature\n";

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* Removes every entry of `dir` (files, and empty folders), then `dir`. */
static void remove_dir(const char *dir)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	struct dirent *e;
	char path[512];
	while ((e = readdir(dp))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) < 0)
			remove_dir(path);
	}
	closedir(dp);
	rmdir(dir);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	strcpy(f->top, "/tmp/lmareaXXXXXX");
	if (!mkdtemp(f->top))
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/liverpool", f->top);
	if (mkdir(f->dir, 0700) < 0)
		return -1;
	write_file(f->dir, "area.csv", AREA_CSV);
	write_file(f->dir, "contacts.csv", CONTACTS_CSV);
	write_file(f->dir, "signatories.csv", SIGNATORIES_CSV);
	write_file(f->dir, "logo.png", "png");
	write_file(f->dir, "sig.png", "png");
	f->arena = lm_arena_new();
	lm_area_init(&f->area);
	lm_diag_clear(&f->d);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	lm_area_release(&f->area);
	lm_arena_free(f->arena);
	remove_dir(f->dir);
	remove_dir(f->top);
	free(f);
	return 0;
}

static const char *str(const struct lm_value *ctx, const char *path)
{
	const struct lm_value *v = lm_value_path(ctx, path);
	assert_non_null(v);
	assert_int_equal(v->kind, LM_VALUE_STRING);
	return v->str;
}

/* Loads the fixture's area, expects failure with the printed message
 * `want`, in which "@" stands for the area folder. */
static void expect_error(struct fixture *f, const char *want)
{
	char out[2048], exp[2048];
	size_t n = 0;
	for (const char *p = want; *p && n + 64 < sizeof(exp); p++) {
		if (*p == '@')
			n += (size_t)snprintf(exp + n, sizeof(exp) - n, "%s", f->dir);
		else
			exp[n++] = *p;
	}
	exp[n] = '\0';
	assert_int_equal(lm_area_load(&f->area, f->arena, f->dir, &f->d), -1);
	assert_null(f->area.ctx);
	lm_diag_format(&f->d, out, sizeof(out));
	assert_string_equal(out, exp);
}

static void test_good_area(void **state)
{
	struct fixture *f = *state;
	char path[256], want[256];
	snprintf(path, sizeof(path), "%s//", f->dir);
	assert_int_equal(lm_area_load(&f->area, f->arena, path, &f->d), 0);
	const struct lm_value *ctx = f->area.ctx;
	assert_non_null(ctx);
	assert_string_equal(f->area.dir, path);
	assert_string_equal(f->area.id, "liverpool");

	assert_string_equal(str(ctx, "area.id"), "liverpool");
	assert_string_equal(str(ctx, "area.name"), "Liverpool");
	assert_string_equal(str(ctx, "area.organisation"), "Liverpool City Council");
	assert_string_equal(str(ctx, "area.address"),
			    "Cunard Building\nWater Street\nL3 1AH");
	snprintf(want, sizeof(want), "%s/logo.png", f->dir);
	assert_string_equal(str(ctx, "area.logo_path"), want);
	assert_null(lm_value_path(ctx, "area.notes"));

	/* a contact by id, with the cell it came from */
	const struct lm_value *phone = lm_value_path(ctx, "contacts.police.phone");
	assert_non_null(phone);
	assert_string_equal(phone->str, "999");
	snprintf(want, sizeof(want), "%s/contacts.csv", f->dir);
	assert_string_equal(phone->file, want);
	assert_int_equal(phone->line, 2);
	assert_int_equal(phone->col, 25);
	assert_string_equal(str(ctx, "contacts.careline.hours"), "Mon-Fri, 8am-8pm");
	assert_string_equal(str(ctx, "contacts.nspcc.hours"), "");
	assert_null(lm_value_path(ctx, "contacts.nobody.phone"));

	const struct lm_value *contacts = lm_value_get(ctx, "contacts");
	assert_int_equal(contacts->kind, LM_VALUE_LIST);
	assert_int_equal(contacts->n, 4);
	assert_string_equal(lm_value_str(contacts->items[3], "id", NULL), "nspcc");

	/* groups keep file order and share the contact maps */
	const struct lm_value *local = lm_value_path(ctx, "groups.local");
	assert_non_null(local);
	assert_int_equal(local->kind, LM_VALUE_LIST);
	assert_int_equal(local->n, 2);
	assert_string_equal(lm_value_str(local->items[0], "id", NULL),
			    "police_non_emergency");
	assert_ptr_equal(local->items[1], lm_value_path(ctx, "contacts.careline"));
	assert_int_equal(lm_value_path(ctx, "groups.emergency")->n, 1);
	assert_int_equal(lm_value_path(ctx, "groups.national")->n, 1);
	assert_int_equal(lm_value_get(ctx, "groups")->n, 3);

	const struct lm_value *sigs = lm_value_get(ctx, "signatories");
	assert_int_equal(sigs->n, 2);
	assert_string_equal(str(ctx, "signatories.director.name"), "Jane Smith");
	assert_string_equal(str(ctx, "signatories.director.alt"),
			    "Signature of Jane Smith");
	snprintf(want, sizeof(want), "%s/sig.png", f->dir);
	assert_string_equal(str(ctx, "signatories.director.signature_path"), want);
	assert_string_equal(str(ctx, "signatories.police.alt"), "Bob Jones's signature");
	assert_null(lm_value_path(ctx, "signatories.police.signature_path"));
}

static void test_minimal_area(void **state)
{
	struct fixture *f = *state;
	write_file(f->dir, "area.csv",
		   "field,value\nname,Wirral\npartnership,WSCP\norganisation,Wirral Council\n");
	write_file(f->dir, "contacts.csv", "service,group,id\n");
	write_file(f->dir, "signatories.csv", "name,id\nAnn Lee,ann\n");
	assert_int_equal(lm_area_load(&f->area, f->arena, f->dir, &f->d), 0);
	const struct lm_value *ctx = f->area.ctx;
	assert_null(lm_value_path(ctx, "area.logo_path"));
	assert_int_equal(lm_value_get(ctx, "contacts")->n, 0);
	assert_int_equal(lm_value_get(ctx, "groups")->n, 0);
	assert_string_equal(str(ctx, "signatories.ann.alt"), "Signature of Ann Lee");
}

static void test_missing_folder(void **state)
{
	struct fixture *f = *state;
	char path[128], out[2048], want[2048];
	snprintf(path, sizeof(path), "%s/wirral", f->top);
	assert_int_equal(lm_area_load(&f->area, f->arena, path, &f->d), -1);
	lm_diag_format(&f->d, out, sizeof(out));
	snprintf(want, sizeof(want), "%s: error: area folder '%s' does not exist; "
		 "check the area id, or create the folder with area.csv, "
		 "contacts.csv and signatories.csv", path, path);
	assert_string_equal(out, want);
}

static void test_missing_file(void **state)
{
	struct fixture *f = *state;
	char path[256];
	snprintf(path, sizeof(path), "%s/contacts.csv", f->dir);
	assert_int_equal(unlink(path), 0);
	expect_error(f, "@/contacts.csv: error: area file 'contacts.csv' is "
		     "missing; every area folder needs area.csv, contacts.csv "
		     "and signatories.csv (or the same as .xlsx or .ods files, or one "
		     "area.xlsx or area.ods with sheets called area, contacts and signatories)");
}

static void test_missing_required_field(void **state)
{
	struct fixture *f = *state;
	write_file(f->dir, "area.csv",
		   "field,value\nname,Liverpool\norganisation,Liverpool City Council\n");
	expect_error(f, "@/area.csv: error: required field 'partnership' is "
		     "missing; add a row 'partnership,<value>'");
}

static void test_empty_required_field(void **state)
{
	struct fixture *f = *state;
	write_file(f->dir, "area.csv",
		   "field,value\nname,Liverpool\npartnership,LSCP\norganisation, \n");
	expect_error(f, "@/area.csv:4:14: error: field 'organisation' is empty; "
		     "fill in its value");
}

/* A zero-width space pasted from a web page prints nothing: empty too. */
static void test_invisible_required_field(void **state)
{
	struct fixture *f = *state;
	write_file(f->dir, "area.csv",
		   "field,value\nname,Liverpool\npartnership,LSCP\norganisation,\xE2\x80\x8B\n");
	expect_error(f, "@/area.csv:4:14: error: field 'organisation' is empty; "
		     "fill in its value");
}

static void test_duplicate_area_field(void **state)
{
	struct fixture *f = *state;
	write_file(f->dir, "area.csv",
		   "field,value\nname,Liverpool\npartnership,LSCP\n"
		   "organisation,LCC\nname,Sefton\n");
	expect_error(f, "@/area.csv:5:1: error: field 'name' is given twice "
		     "(first on line 2); delete one of the rows");
}

static void test_area_missing_column(void **state)
{
	struct fixture *f = *state;
	write_file(f->dir, "area.csv", "field,val\nname,Liverpool\n");
	expect_error(f, "@/area.csv:1:1: error: column 'value' is missing from "
		     "the header row; add it (this file needs the columns "
		     "field,value)");
}

static void test_missing_logo(void **state)
{
	struct fixture *f = *state;
	char path[256];
	snprintf(path, sizeof(path), "%s/logo.png", f->dir);
	assert_int_equal(unlink(path), 0);
	expect_error(f, "@/area.csv:8:6: error: logo file 'logo.png' is not in "
		     "the area folder '@'; copy it there or correct the name");
}

static void test_duplicate_contact(void **state)
{
	struct fixture *f = *state;
	write_file(f->dir, "contacts.csv",
		   "group,id,service\nlocal,police,Police\nlocal,careline,Careline\n"
		   "national,police,Police\n");
	expect_error(f, "@/contacts.csv:4:10: error: contact id 'police' is used "
		     "twice (first on line 2); ids must be unique, so rename or "
		     "delete one");
}

static void test_contact_errors(void **state)
{
	struct fixture *f = *state;
	write_file(f->dir, "contacts.csv", "id,group,service\npolice,local,Police\n,local,X\n");
	expect_error(f, "@/contacts.csv:3:1: error: contact has no id; fill in "
		     "the id (e.g. 'police_non_emergency') or delete the row");

	write_file(f->dir, "contacts.csv", "id,group,service\npolice.nonemergency,local,Police\n");
	expect_error(f, "@/contacts.csv:2:1: error: contact id "
		     "'police.nonemergency' cannot be named in a letter; use only "
		     "letters, digits, '_' and '-' (e.g. 'police_non_emergency')");

	write_file(f->dir, "contacts.csv", "id,group,service\npolice,,Police\n");
	expect_error(f, "@/contacts.csv:2:8: error: contact 'police' has no "
		     "group; fill it in (e.g. local, national, emergency, web)");

	write_file(f->dir, "contacts.csv", "id,group\npolice,local\n");
	expect_error(f, "@/contacts.csv:1:1: error: column 'service' is missing "
		     "from the header row; add it (this file needs the columns "
		     "id, group and service)");
}

static void test_missing_signature(void **state)
{
	struct fixture *f = *state;
	write_file(f->dir, "signatories.csv",
		   "id,name,signature\ndirector,Jane Smith,jane.png\n");
	expect_error(f, "@/signatories.csv:2:21: error: signature file 'jane.png' "
		     "is not in the area folder '@'; copy it there or correct "
		     "the name");
}

static void test_signature_not_a_file(void **state)
{
	struct fixture *f = *state;
	char path[256];
	snprintf(path, sizeof(path), "%s/sigs", f->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	write_file(f->dir, "signatories.csv",
		   "id,name,signature\ndirector,Jane Smith,sigs\n");
	expect_error(f, "@/signatories.csv:2:21: error: signature file '@/sigs' "
		     "is not a regular file; give the name of an image file in '@'");
}

static void test_path_escape(void **state)
{
	struct fixture *f = *state;
	write_file(f->dir, "signatories.csv",
		   "id,name,signature\ndirector,Jane Smith,../wirral/sig.png\n");
	expect_error(f, "@/signatories.csv:2:21: error: signature file "
		     "'../wirral/sig.png' must be just a file name in the area "
		     "folder (no '/' or '\\', not starting with '.'); copy the "
		     "file into '@' and give its name");

	write_file(f->dir, "signatories.csv",
		   "id,name,signature\ndirector,Jane Smith,.sig.png\n");
	expect_error(f, "@/signatories.csv:2:21: error: signature file "
		     "'.sig.png' must be just a file name in the area folder (no "
		     "'/' or '\\', not starting with '.'); copy the file into '@' "
		     "and give its name");

	write_file(f->dir, "area.csv",
		   "field,value\nname,L\npartnership,P\norganisation,O\n"
		   "logo,/etc/passwd\n");
	expect_error(f, "@/area.csv:5:6: error: logo file '/etc/passwd' must be "
		     "just a file name in the area folder (no '/' or '\\', not "
		     "starting with '.'); copy the file into '@' and give its name");
}

static void test_signatory_errors(void **state)
{
	struct fixture *f = *state;
	write_file(f->dir, "signatories.csv",
		   "id,name\ndirector,Jane Smith\nmayor,Ann Lee\ndirector,Bob\n");
	expect_error(f, "@/signatories.csv:4:1: error: signatory id 'director' "
		     "is used twice (first on line 2); ids must be unique, so "
		     "rename or delete one");

	write_file(f->dir, "signatories.csv", "id,name\ndirector,\n");
	expect_error(f, "@/signatories.csv:2:10: error: signatory 'director' has "
		     "no name; fill it in");
}

static void test_csv_error_passes_through(void **state)
{
	struct fixture *f = *state;
	write_file(f->dir, "contacts.csv",
		   "id,group,service\ncareline,local,\"O'Brien Care\n");
	expect_error(f, "@/contacts.csv:2:16: error: the quote that opens this field is never "
		     "closed; add the closing '\"' (a quote inside a value is written twice: \"\")");
}

/* Each file's encoding and delimiter are its own: a Windows-1252
 * contacts.csv is read (with a note for a warning) beside UTF-8 files, and
 * a semicolon signatories.csv beside comma ones. */
static void test_files_as_they_come(void **state)
{
	struct fixture *f = *state;
	write_file(f->dir, "contacts.csv",
		   "id,group,service\r\ncareline,local,O\x92" "Brien Care\r\n");
	write_file(f->dir, "signatories.csv",
		   "id;name;Title\ndirector;Colette O\xE2\x80\x99" "Brien;Director, Children\n");
	assert_int_equal(lm_area_load(&f->area, f->arena, f->dir, &f->d), 0);
	const struct lm_value *c = lm_value_path(f->area.ctx, "contacts.careline.service");
	assert_non_null(c);
	assert_string_equal(c->str, "O\xE2\x80\x99" "Brien Care");
	/* a column named as people write it */
	const struct lm_value *t = lm_value_path(f->area.ctx, "signatories.director.title");
	assert_non_null(t);
	assert_string_equal(t->str, "Director, Children");
	assert_int_equal(f->area.nnotes, 1);
	char out[1024], want[1024];
	lm_diag_format(&f->area.notes[0], out, sizeof(out));
	snprintf(want, sizeof(want), "%s/contacts.csv:2:17: warning: the file is not UTF-8 (byte 0x92 "
		 "here), so it is read as Windows-1252, what Excel's plain \"CSV\" save writes, where "
		 "that byte is \"\xE2\x80\x99\"; if that is right, all is well; to be sure, save it as "
		 "\"CSV UTF-8 (Comma delimited)\"", f->dir);
	assert_string_equal(out, want);
}

/* The same files from memory: the same values, the same messages. */
static void test_parse_from_memory(void **state)
{
	struct fixture *f = *state;
	static const char area_csv[] = "field,value\nname,Wirral\npartnership,Wirral SCP\n"
				       "organisation,Wirral Council\n";
	struct lm_area_files files = {
		{ area_csv, sizeof(area_csv) - 1 },
		{ CONTACTS_CSV, sizeof(CONTACTS_CSV) - 1 },
		{ "id,name\nlead,Ann Lee\n", 20 },
	};
	assert_int_equal(lm_area_parse(&f->area, f->arena, "mem/wirral", &files, 0, &f->d), 0);
	assert_string_equal(f->area.id, "wirral");
	const struct lm_value *area = lm_value_get(f->area.ctx, "area");
	assert_string_equal(lm_value_str(area, "organisation", ""), "Wirral Council");
	assert_string_equal(lm_value_get(area, "name")->file, "mem/wirral/area.csv");
	const struct lm_value *sigs = lm_value_get(f->area.ctx, "signatories");
	assert_int_equal(sigs->n, 1);
	assert_string_equal(lm_value_str(sigs->items[0], "name", ""), "Ann Lee");

	/* a file left out is missing, as on disk */
	lm_area_release(&f->area);
	files.contacts.data = NULL;
	assert_int_equal(lm_area_parse(&f->area, f->arena, "mem/wirral", &files, 0, &f->d), -1);
	assert_non_null(strstr(f->d.msg, "area file 'contacts.csv' is missing"));

	/* an error points at the line of the buffer */
	lm_area_release(&f->area);
	files.contacts.data = CONTACTS_CSV;
	files.signatories = (struct lm_area_file){ "id,name\nlead,\n", 13 };
	assert_int_equal(lm_area_parse(&f->area, f->arena, "mem/wirral", &files, 0, &f->d), -1);
	assert_string_equal(f->d.file, "mem/wirral/signatories.csv");
	assert_int_equal(f->d.line, 2);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_good_area),
		T(test_minimal_area),
		T(test_missing_folder),
		T(test_missing_file),
		T(test_missing_required_field),
		T(test_empty_required_field),
		T(test_invisible_required_field),
		T(test_duplicate_area_field),
		T(test_area_missing_column),
		T(test_missing_logo),
		T(test_duplicate_contact),
		T(test_contact_errors),
		T(test_missing_signature),
		T(test_signature_not_a_file),
		T(test_path_escape),
		T(test_signatory_errors),
		T(test_csv_error_passes_through),
		T(test_parse_from_memory),
		T(test_files_as_they_come),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
