#include "common.cuh"

// out (N, C) bf16 = weight ⊙ x · rstd, rstd (N) = 1/sqrt(mean(x²) + eps); x (N, C) fp32. One block per row.
extern "C" __global__ void rmsnorm_forward(bf16* out, float* rstd, const float* inp, const float* weight,
                                           int C, float eps) {
    __shared__ float scratch[ROW_THREADS];
    const long n = blockIdx.x;
    const float* x = inp + n * C;
    float partial = 0.f;
    for (int i = threadIdx.x; i < C; i += ROW_THREADS) partial += x[i] * x[i];
    const float r = rsqrtf(block_sum(partial, scratch) / (float)C + eps);
    if (threadIdx.x == 0 && rstd) rstd[n] = r;
    for (int i = threadIdx.x; i < C; i += ROW_THREADS) out[n * C + i] = float_to_bf16(weight[i] * (x[i] * r));
}

// dinp (N, C) += r·(dxhat − xhat·mean(dxhat·xhat)), dxhat = dout ⊙ weight, xhat = x·r. One block per row.
extern "C" __global__ void rmsnorm_backward(float* dinp, const float* dout, const float* inp, const float* weight,
                                            const float* rstd, int C) {
    __shared__ float scratch[ROW_THREADS];
    const long n = blockIdx.x;
    const float* x = inp + n * C;
    const float* dy = dout + n * C;
    const float r = rstd[n];
    float partial = 0.f;
    for (int i = threadIdx.x; i < C; i += ROW_THREADS) partial += (dy[i] * weight[i]) * (x[i] * r);
    const float projection = block_sum(partial, scratch) / (float)C;
    for (int i = threadIdx.x; i < C; i += ROW_THREADS)
        dinp[n * C + i] += r * (dy[i] * weight[i] - (x[i] * r) * projection);
}

// Weight gradient of RMSNorm in two deterministic passes (no atomics, a fixed order for a given N):
// partials (chunks, C) = Σ over each chunk of `chunk` rows of dout[n,c]·x[n,c]·rstd[n], then `sum_partials`.
// One thread per (chunk, channel): many more threads than channels, so the pass is not latency-bound.
extern "C" __global__ void rmsnorm_weight_grad_partial(float* partials, const float* dout, const float* inp,
                                                       const float* rstd, int N, int C, int chunk) {
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= C) return;
    const int first = blockIdx.y * chunk, last = min(N, first + chunk);
    float sum = 0.f;
    for (int n = first; n < last; n++) sum += dout[(long)n * C + c] * (inp[(long)n * C + c] * rstd[n]);
    partials[(long)blockIdx.y * C + c] = sum;
}
