// The start-up check of the reference instruction set, in C on purpose.
//
// The Swift modules are compiled with `-target-cpu haswell` (x86-64-v3: AVX2, FMA, BMI1/2, F16C, MOVBE), so the
// compiler may place AVX instructions anywhere in them, even in the code that would run a check; on an older CPU
// the process would die with SIGILL before a Swift check could speak. This file is compiled for the baseline
// architecture (SwiftPM passes the target CPU to Swift only) and runs as an ELF constructor, before any Swift
// code: on a CPU without the reference set it prints what is missing and exits with status 70 (EX_SOFTWARE).
#include "reference_isa.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <cpuid.h>

// CPUID leaf 1 ECX and leaf 7 EBX bits, and XCR0's SSE and AVX state bits (the OS must save the YMM registers).
enum { ECX_FMA = 1u << 12, ECX_MOVBE = 1u << 22, ECX_OSXSAVE = 1u << 27, ECX_AVX = 1u << 28, ECX_F16C = 1u << 29 };
enum { EBX_BMI1 = 1u << 3, EBX_AVX2 = 1u << 5, EBX_BMI2 = 1u << 8 };

static const char *missing_feature(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return "CPUID leaf 1";
    if (!(ecx & ECX_FMA)) return "FMA";
    if (!(ecx & ECX_MOVBE)) return "MOVBE";
    if (!(ecx & ECX_F16C)) return "F16C";
    if (!(ecx & ECX_AVX)) return "AVX";
    if (!(ecx & ECX_OSXSAVE)) return "OS support for AVX state (OSXSAVE)";
    unsigned int xcr0_low, xcr0_high;
    __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    if ((xcr0_low & 6u) != 6u) return "OS support for AVX state (XCR0)";
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return "CPUID leaf 7";
    if (!(ebx & EBX_AVX2)) return "AVX2";
    if (!(ebx & EBX_BMI1)) return "BMI1";
    if (!(ebx & EBX_BMI2)) return "BMI2";
    return NULL;
}

const char *s1_reference_isa_name(void) { return "x86-64-v3"; }
#else
// aarch64: Advanced SIMD and fused multiply-add are part of the base architecture; nothing to check.
static const char *missing_feature(void) { return NULL; }
#if defined(__aarch64__)
const char *s1_reference_isa_name(void) { return "aarch64"; }
#else
const char *s1_reference_isa_name(void) { return "unknown"; }
#endif
#endif

int s1_reference_isa_supported(void) { return missing_feature() == NULL; }

__attribute__((constructor)) static void s1_require_reference_isa(void) {
    const char *missing = missing_feature();
    if (missing == NULL) return;
    fprintf(stderr,
            "s1: this CPU lacks %s, part of %s, the instruction set s1 is built for. "
            "Run it on an x86-64-v3 CPU (Intel Haswell, AMD Excavator or newer).\n",
            missing, s1_reference_isa_name());
    _exit(70);
}
