/* fuzz_verify.c - libFuzzer entry point: `verify` (src/verify.c) on signed
 * PDFs whose later updates the fuzzer changes.  Built and run by
 * fuzz/run.sh; the work is in target_pdfr.c, which tests/test_corpus.c
 * replays on tests/corpus/verify/ in every build. */
#include <stddef.h>
#include <stdint.h>

#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return lm_fuzz_verify(data, size);
}
