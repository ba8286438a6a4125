/* fuzz_workbook.c - libFuzzer entry point: the .xlsx and .ods readers
 * (workbook.c), through the CSV reader as every table is read.
 * Built and run by fuzz/run.sh; the work is in targets.c, which
 * tests/test_corpus.c replays on tests/corpus/workbook/ in every build. */
#include <stddef.h>
#include <stdint.h>

#include "targets.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return lm_fuzz_setup(LM_FUZZ_FONTS_DIR, LM_FUZZ_PARTIALS_DIR);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return lm_fuzz_workbook(data, size);
}
