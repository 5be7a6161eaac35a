#ifndef CLIBFUZZER_H
#define CLIBFUZZER_H
#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver (LLVM >= 12), linked in by -sanitize=fuzzer. SwiftPM links every
// executable with `--defsym main=<Module>_main`, which -parse-as-library leaves undefined,
// so each entry point defines <Module>_main and hands control to this driver.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
