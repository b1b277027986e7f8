#ifndef S1_REFERENCE_ISA_H
#define S1_REFERENCE_ISA_H

/// 1 when this CPU runs the instruction set the Swift code is compiled for (x86-64-v3 on x86-64), else 0.
int s1_reference_isa_supported(void);

/// The reference instruction set's name ("x86-64-v3", or the architecture where no check is needed).
const char *s1_reference_isa_name(void);

#endif
