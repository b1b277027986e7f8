// S1CUDA: the Qwen2 engine on one NVIDIA GPU, behind S1Engine's `Backend` protocol.
// Driver/  — libcuda, libnvrtc and libcublasLt opened with dlopen; typed errors naming the library and search path.
// Kernels/ — CUDA C sources (resources), compiled by NVRTC for the device and cached on disk by content hash.
// Model/   — the forward, backward, optimiser and KV-cache decode built from those kernels and cuBLASLt GEMMs.
