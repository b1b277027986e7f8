// Shared helpers of the s1 kernels. No CUDA headers: NVRTC compiles these sources on their own.
// bf16 travels as its 16-bit pattern; conversions round to nearest even like torch.bfloat16.
typedef unsigned short bf16;

__device__ __forceinline__ float bf16_to_float(bf16 h) { return __uint_as_float(((unsigned int)h) << 16); }

__device__ __forceinline__ bf16 float_to_bf16(float f) {
    unsigned int u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (bf16)((u >> 16) | 0x40u);  // NaN stays NaN
    u += 0x7fffu + ((u >> 16) & 1u);
    return (bf16)(u >> 16);
}

// Every row kernel runs with this many threads per block; the tree below assumes it.
#define ROW_THREADS 256

// Sum of `value` over the block, the same tree every time: the result depends only on the values, never on
// scheduling. `scratch` holds ROW_THREADS floats. Every thread gets the total.
__device__ __forceinline__ float block_sum(float value, float* scratch) {
    const int tid = threadIdx.x;
    scratch[tid] = value;
    __syncthreads();
    for (int stride = ROW_THREADS / 2; stride > 0; stride >>= 1) {
        if (tid < stride) scratch[tid] += scratch[tid + stride];
        __syncthreads();
    }
    float total = scratch[0];
    __syncthreads();
    return total;
}

__device__ __forceinline__ float block_max(float value, float* scratch) {
    const int tid = threadIdx.x;
    scratch[tid] = value;
    __syncthreads();
    for (int stride = ROW_THREADS / 2; stride > 0; stride >>= 1) {
        if (tid < stride) scratch[tid] = fmaxf(scratch[tid], scratch[tid + stride]);
        __syncthreads();
    }
    float total = scratch[0];
    __syncthreads();
    return total;
}

#define NEG_INFINITY __int_as_float(0xff800000)
