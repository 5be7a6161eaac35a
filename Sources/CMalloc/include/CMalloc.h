// glibc's malloc tuning (mallopt and its M_* parameters), which the Glibc module leaves out.
#ifndef CMALLOC_H
#define CMALLOC_H

#include <malloc.h>

#endif
