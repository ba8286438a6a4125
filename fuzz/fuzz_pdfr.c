/* fuzz_pdfr.c - libFuzzer entry point: the PDF reader (src/pdfr.c) on any
 * bytes.  Built and run by fuzz/run.sh; the work is in target_pdfr.c, which
 * tests/test_corpus.c replays on tests/corpus/pdfr/ in every build. */
#include <stddef.h>
#include <stdint.h>

#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return lm_fuzz_pdfr(data, size);
}
