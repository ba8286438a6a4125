/* fuzz_letter.c - libFuzzer entry point: a letter body through the
 * template, Markdown, layout with the real fonts, and the PDF writer.
 * Built and run by fuzz/run.sh; the work is in targets.c, which
 * tests/test_corpus.c replays on tests/corpus/letter/ in every build. */
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
	return lm_fuzz_letter(data, size);
}
